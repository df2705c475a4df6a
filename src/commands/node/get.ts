// `kubectl sei node get [NAME]`: SeiNodes with phase, mode, image vs running image, plan step and adopted workflow.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { outputFlag, writeStdout } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class NodeGet extends SeiCommand {
  static override summary = "List SeiNodes: phase, mode, image (and the running image when it differs), the controller plan's phase and current task, the adopted workflow.";
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'listed (also when nothing matched)'], [ExitCode.InvalidInput, 'invalid flags, or NAME not found'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> node get -n sei', '<%= config.bin %> node get -l sei.io/chain-id=sei-sim -n sei -o wide', '<%= config.bin %> node get node-0 -n sei -o yaml', '<%= config.bin %> node get -A'];
  static override args = { name: Args.string({ description: 'A SeiNode name (default: all in the namespace).' }) };
  static override flags = {
    ...connectionFlags,
    output: outputFlag(['table', 'wide', 'yaml', 'json', 'name', 'ndjson']),
    selector: Flags.string({ char: 'l', description: 'Label selector.' }),
    'all-namespaces': Flags.boolean({ char: 'A', description: 'List SeiNodes in every namespace.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NodeGet);
    const format = flags.output ?? 'table';
    this.machineOutput = format !== 'table' && format !== 'wide';
    const [{ connect }, { listNodes }, { formatObjects }, { nodeTable }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/nodes.js'),
      import('../../output/printers.js'),
      import('../../output/node-printers.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    const found = await listNodes(client, {
      ...(args.name ? { name: args.name } : {}),
      ...(flags.selector ? { labelSelector: flags.selector } : {}),
      ...(flags['all-namespaces'] ? { allNamespaces: true } : {}),
    });
    if (found.length === 0 && (format === 'table' || format === 'wide')) {
      this.logToStderr(flags['all-namespaces'] ? 'No resources found' : `No resources found in ${client.namespace} namespace.`);
      return;
    }
    writeStdout(formatObjects(found, format, { single: args.name !== undefined, allNamespaces: flags['all-namespaces'], table: nodeTable }));
  }
}
