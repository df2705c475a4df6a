// `kubectl sei workflow state-sync NODE`: wipe a full node's data and re-bootstrap it by state sync (optionally migrating its config), as a SeiNodeTaskWorkflow.
import * as Args from '@oclif/core/args';
import { SeiCommand, connectionFlags } from '../../cli/base-command.js';
import { stateSyncFlags, stateSyncSet, workflowRunFlags } from '../../cli/workflow-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class WorkflowStateSync extends SeiCommand {
  static override summary = "Wipe a full node's data and re-bootstrap it by state sync (optionally the giga-store migration), following the recipe to a verdict.";
  static override description = `Renders a SeiNodeTaskWorkflow of kind StateSync, validates it against the CRD (schema and CEL, offline), runs the preflight checks, asks for confirmation, server-side applies it and follows the recipe the SeiNode controller compiles into status.plan: mark-not-ready, stop-seid, reset-data, [config-patch], configure-state-sync, mark-ready.

DESTRUCTIVE: reset-data wipes the node's data. On a terminal you type the node's name to confirm; in scripts pass --yes (without it: exit 2, nothing written).

Preflight refuses (exit 2, nothing written): a target that is not a full node (the controller would fail it TargetRejected), fewer than two witnesses (--rpc-servers, else the node's status.resolvedStateSyncers: PlanBuildFailed), a Failed workflow still holding the node, a paused node. A workflow already active on the node is a warning: this one queues behind it.

Complete means every step ran and the node was released to re-bootstrap, not that it caught up. A Failed workflow keeps the node held until it is force-deleted (kubectl sei workflow delete NAME --force).`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'Complete: the node was released to re-bootstrap (--no-wait: applied; --dry-run: printed)'], [ExitCode.TaskFailed, "the workflow Failed (reason and the failing step's error on stderr) or was deleted"], [ExitCode.InvalidInput, 'a preflight refusal (not a full node, fewer than two witnesses, a Failed workflow holding the node, a paused node) or no confirmation: nothing was written'], [ExitCode.Timeout, '--timeout expired; the workflow keeps running'], ExitCode.ClusterError, [ExitCode.Interrupted, 'Ctrl-C or SIGTERM while waiting: the workflow keeps running (re-attach with workflow wait)']);
  static override examples = [
    '<%= config.bin %> workflow state-sync rpc-0 -n sei --migration giga-store --backend pebbledb --yes',
    '<%= config.bin %> workflow state-sync rpc-0 -n sei --rpc-servers rpc-a:26657 --rpc-servers rpc-b:26657',
    '<%= config.bin %> workflow state-sync rpc-0 -n sei --migration giga-store --dry-run=client',
    '<%= config.bin %> workflow state-sync rpc-0 -n sei --yes --no-wait -o name',
  ];
  static override args = { node: Args.string({ required: true, description: 'The target SeiNode (a full node, same namespace).' }) };
  static override flags = { ...connectionFlags, ...workflowRunFlags, ...stateSyncFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WorkflowStateSync);
    this.machineOutput = flags.output !== undefined;
    const set = stateSyncSet(flags);
    const [{ runWorkflow }, { runFollowedWorkflow }] = await Promise.all([import('../../services/workflows.js'), import('../../cli/workflow-run.js')]);
    await runFollowedWorkflow(this, flags, (options) =>
      runWorkflow({ kind: 'state-sync', node: args.node, set, ...(flags.name ? { name: flags.name } : {}), ...(flags.namespace ? { namespace: flags.namespace } : {}) }, options),
    );
  }
}
