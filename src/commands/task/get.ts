// `kubectl sei task get [NAME…]`: list SeiNodeTasks as kubectl-style columns, yaml, json or names.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, EXIT_CODES_HELP, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { outputFlag, writeStdout } from '../../cli/task-flags.js';

export default class TaskGet extends SeiCommand {
  static override summary = 'List SeiNodeTasks: phase, reason, target, age.';
  static override description = `${TaskGet.summary}\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> task get -n sei',
    '<%= config.bin %> task get -A -o wide',
    '<%= config.bin %> task get -l sei.io/node=node-0 -n sei -o name',
    '<%= config.bin %> task get my-task -n sei -o yaml',
  ];
  static override strict = false;
  static override args = { name: Args.string({ description: 'Task names (default: all in the namespace).' }) };
  static override flags = {
    ...connectionFlags,
    output: outputFlag(['table', 'wide', 'yaml', 'json', 'name', 'ndjson']),
    selector: Flags.string({ char: 'l', description: 'Label selector, e.g. sei.io/task-kind=RestartPod.' }),
    'all-namespaces': Flags.boolean({ char: 'A', description: 'List tasks in every namespace.' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(TaskGet);
    const format = flags.output ?? 'table';
    this.machineOutput = format !== 'table' && format !== 'wide';
    const [{ connect }, { listTasks }, { formatObjects }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/task-queries.js'),
      import('../../output/printers.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    const names = argv as string[];
    const tasks = await listTasks(client, {
      ...(names.length > 0 ? { names } : {}),
      ...(flags.selector ? { labelSelector: flags.selector } : {}),
      ...(flags['all-namespaces'] ? { allNamespaces: true } : {}),
    });
    if (tasks.length === 0 && (format === 'table' || format === 'wide')) {
      this.logToStderr(flags['all-namespaces'] ? 'No resources found' : `No resources found in ${client.namespace} namespace.`);
      return;
    }
    writeStdout(formatObjects(tasks, format, { single: names.length === 1, allNamespaces: flags['all-namespaces'] }));
  }
}
