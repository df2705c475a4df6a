// `kubectl sei workflow delete NAME [--force]`: delete a workflow; say what its finalizer hold means; --force releases the node.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { outputFlag, writeStdout } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class WorkflowDelete extends SeiCommand {
  static override summary = 'Delete a SeiNodeTaskWorkflow. An adopted one stays Terminating, holding its node, until --force.';
  static override description = `The SeiNode controller puts a finalizer (sei.io/seinodetaskworkflow-finalizer) on a workflow it adopts. Deleting it asks the controller to release the node, which it refuses while it cannot verify the node's data is safe (today: always): the workflow stays Terminating and the node held (Warning event WorkflowDeleteHeld).

--force sets sei.io/force-delete-workflow=<reason> and deletes: the controller then releases the node WITHOUT data verification — seid may start on a partly reset data directory. It needs confirmation: type the node's name on a terminal, or --yes in scripts. On a paused node nothing is released until it is unpaused (the command refuses and says so).`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'deleted (or left Terminating, held by its finalizer; --force: released)'], [ExitCode.InvalidInput, 'invalid flags, no such workflow, a paused node, or --force without confirmation'], ExitCode.ClusterError);
  static override examples = [
    '<%= config.bin %> workflow delete rpc-0-state-sync-1a2b3c4d -n sei',
    '<%= config.bin %> workflow delete rpc-0-state-sync-1a2b3c4d -n sei --force --reason "re-running after fixing the snapshot peers" --yes',
  ];
  static override args = { name: Args.string({ required: true, description: 'The workflow name.' }) };
  static override flags = {
    ...connectionFlags,
    force: Flags.boolean({ description: 'Release the node without data verification (sets sei.io/force-delete-workflow).' }),
    reason: Flags.string({ description: 'The reason recorded in the force annotation.', dependsOn: ['force'] }),
    yes: Flags.boolean({ char: 'y', description: "Confirm --force without typing the node's name (required when not on a terminal)." }),
    output: outputFlag(['name']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WorkflowDelete);
    this.machineOutput = flags.output !== undefined;
    const [{ connect }, { deleteWorkflow }, { createProgress }, { terminalConfirm }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/workflows.js'),
      import('../../output/progress.js'),
      import('../../cli/confirm.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    const confirm = terminalConfirm();
    const result = await deleteWorkflow(client, {
      name: args.name,
      force: flags.force,
      ...(flags.reason ? { reason: flags.reason } : {}),
      yes: flags.yes,
      ...(confirm ? { confirm } : {}),
      progress: await createProgress(),
    });
    const state = { gone: 'deleted', held: 'deleted (Terminating: held by its finalizer)', released: 'force-deleted' }[result.state];
    if (flags.output === 'name') writeStdout(`seinodetaskworkflow.sei.io/${result.name}\n`);
    else writeStdout(`seinodetaskworkflow.sei.io "${result.name}" ${state}\n`);
    if (result.state !== 'gone') this.logToStderr(result.message);
  }
}
