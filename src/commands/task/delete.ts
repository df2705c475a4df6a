// `kubectl sei task delete NAME… | -l SELECTOR`: remove tasks (terminal tasks are never pruned by the controller).
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { outputFlag, writeStdout } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class TaskDelete extends SeiCommand {
  static override summary = 'Delete SeiNodeTasks. Delete is not abort: work already submitted to the sidecar goes on.';
  static override description = `The controller has no cancel: deleting a task that is not finished removes its record only. The node's sidecar still runs what was submitted (a gov transaction is still broadcast; an AwaitCondition with action SIGTERM_SEID still restarts seid at its height), and creating the same name again is a new task that runs again (a duplicate proposal or vote, a second SIGTERM). A warning says so for every unfinished task.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'deleted (or not found, with --ignore-not-found)'], [ExitCode.InvalidInput, 'invalid flags, or a task not found'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> task delete my-task -n sei', '<%= config.bin %> task delete -l sei.io/node=node-0 -n sei'];
  static override strict = false;
  static override args = { name: Args.string({ description: 'Task names (or -l).' }) };
  static override flags = {
    ...connectionFlags,
    selector: Flags.string({ char: 'l', description: 'Delete every task matching this label selector.' }),
    'ignore-not-found': Flags.boolean({ description: 'Treat a missing task as deleted (exit 0).' }),
    output: outputFlag(['name']),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(TaskDelete);
    this.machineOutput = flags.output !== undefined;
    const [{ connect }, { deleteTasks }, { loadCatalog }] = await Promise.all([import('../../cluster/index.js'), import('../../services/task-queries.js'), import('../../catalog/index.js')]);
    const catalog = loadCatalog();
    const client = await connect(connectionOptions(flags));
    const names = argv as string[];
    const results = await deleteTasks(client, {
      ...(names.length > 0 ? { names } : {}),
      ...(flags.selector ? { labelSelector: flags.selector } : {}),
      ignoreNotFound: flags['ignore-not-found'],
      catalog,
    });
    for (const r of results) if (r.warning) this.logToStderr(r.warning);
    writeStdout(results.map((r) => (flags.output === 'name' ? `seinodetask.sei.io/${r.name}\n` : `seinodetask.sei.io "${r.name}" ${r.deleted ? 'deleted' : 'not found'}\n`)).join(''));
    if (results.length === 0) this.logToStderr(`No resources found in ${client.namespace} namespace.`);
  }
}
