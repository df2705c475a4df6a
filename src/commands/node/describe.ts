// `kubectl sei node describe NAME`: the controller plan as a table, the failed task picked out, conditions, Events, tasks and workflows on the node.
import * as Args from '@oclif/core/args';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { writeStdout } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class NodeDescribe extends SeiCommand {
  static override summary = "Show one SeiNode: the controller's plan task by task (failedTaskIndex/failedTaskDetail picked out), conditions, Events, the tasks and workflows that target it, and what to do next.";
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'shown'], [ExitCode.InvalidInput, 'invalid flags, or no such SeiNode'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> node describe node-0 -n sei'];
  static override args = { name: Args.string({ required: true, description: 'The SeiNode name.' }) };
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NodeDescribe);
    const [{ connect }, { describeNodeData }, { describeNode }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/nodes.js'),
      import('../../output/node-printers.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    writeStdout(describeNode(await describeNodeData(client, args.name)));
  }
}
