// `kubectl sei workflow get [NAME…]`: list SeiNodeTaskWorkflows: kind, target, phase, reason, current step.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { outputFlag, writeStdout } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class WorkflowGet extends SeiCommand {
  static override summary = 'List SeiNodeTaskWorkflows: kind, target, phase, reason (Adopted/Failed), current plan step, age.';
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'listed (also when nothing matched)'], [ExitCode.InvalidInput, 'invalid flags, or NAME not found'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> workflow get -n sei', '<%= config.bin %> workflow get --node rpc-0 -n sei -o wide', '<%= config.bin %> workflow get my-wf -n sei -o yaml'];
  static override strict = false;
  static override args = { name: Args.string({ description: 'Workflow names (default: all in the namespace).' }) };
  static override flags = {
    ...connectionFlags,
    output: outputFlag(['table', 'wide', 'yaml', 'json', 'name', 'ndjson']),
    selector: Flags.string({ char: 'l', description: 'Label selector.' }),
    node: Flags.string({ description: 'Only workflows targeting this SeiNode.' }),
    'all-namespaces': Flags.boolean({ char: 'A', description: 'List workflows in every namespace.' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(WorkflowGet);
    const format = flags.output ?? 'table';
    this.machineOutput = format !== 'table' && format !== 'wide';
    const [{ connect }, { listWorkflows }, { formatObjects }, { workflowTable }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/workflows.js'),
      import('../../output/printers.js'),
      import('../../output/node-printers.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    const names = argv as string[];
    const workflows = await listWorkflows(client, {
      ...(names.length > 0 ? { names } : {}),
      ...(flags.selector ? { labelSelector: flags.selector } : {}),
      ...(flags.node ? { node: flags.node } : {}),
      ...(flags['all-namespaces'] ? { allNamespaces: true } : {}),
    });
    if (workflows.length === 0 && (format === 'table' || format === 'wide')) {
      this.logToStderr(flags['all-namespaces'] ? 'No resources found' : `No resources found in ${client.namespace} namespace.`);
      return;
    }
    writeStdout(formatObjects(workflows, format, { single: names.length === 1, allNamespaces: flags['all-namespaces'], table: workflowTable }));
  }
}
