// `kubectl sei workflow describe NAME`: recipe, plan table, failed step, conditions, Events, what to do next.
import * as Args from '@oclif/core/args';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { writeStdout } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class WorkflowDescribe extends SeiCommand {
  static override summary = 'Show one SeiNodeTaskWorkflow: recipe, plan task by task, the failed step and its error, conditions, Events and what to do next.';
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'shown'], [ExitCode.InvalidInput, 'invalid flags, or no such workflow'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> workflow describe rpc-0-state-sync-1a2b3c4d -n sei'];
  static override args = { name: Args.string({ required: true, description: 'The workflow name.' }) };
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WorkflowDescribe);
    const [{ connect }, { describeWorkflowData }, { describeWorkflow }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/workflows.js'),
      import('../../output/node-printers.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    writeStdout(describeWorkflow(await describeWorkflowData(client, args.name)));
  }
}
