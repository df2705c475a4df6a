// `kubectl sei workflow apply -f FILE|DIR|-`: validate all, preflight all, confirm, server-side apply, follow.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags } from '../../cli/base-command.js';
import { workflowRunFlags } from '../../cli/workflow-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class WorkflowApply extends SeiCommand {
  static override summary = 'Apply SeiNodeTaskWorkflow manifests: validate all, preflight all, confirm, server-side apply, follow to a verdict.';
  static override description = `Nothing is written unless every document is valid and passes preflight. A workflow wipes its node's data: type the node's name on a terminal, or pass --yes. A same-named workflow still running is followed, not duplicated; one that already ran is refused (workflows are apply-once: choose a new name).`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'Complete (--no-wait: applied; --dry-run: printed)'], [ExitCode.TaskFailed, "a workflow Failed (reason and the failing step's error on stderr) or was deleted"], [ExitCode.InvalidInput, 'invalid manifests, a preflight refusal, no confirmation (--yes), or a name that already ran: nothing was written'], [ExitCode.Timeout, '--timeout expired; the workflows keep running'], ExitCode.ClusterError, [ExitCode.Interrupted, 'Ctrl-C or SIGTERM while waiting: the workflows keep running (re-attach with workflow wait)']);
  static override examples = [
    '<%= config.bin %> workflow apply -f rpc-0-migrate.yaml -n sei --yes',
    '<%= config.bin %> workflow apply -f workflows/ -n sei --dry-run=server',
    'kubectl sei workflow render state-sync --node rpc-0 | <%= config.bin %> workflow apply -f - --yes',
  ];
  static override flags = {
    ...connectionFlags,
    ...workflowRunFlags,
    filename: Flags.string({ char: 'f', required: true, multiple: true, description: 'A file, directory or - (stdin) of SeiNodeTaskWorkflow manifests (repeatable).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(WorkflowApply);
    this.machineOutput = flags.output !== undefined;
    const [{ applyWorkflows }, { readTaskDocuments }, { runFollowedWorkflow }] = await Promise.all([
      import('../../services/workflows.js'),
      import('../../services/apply-tasks.js'),
      import('../../cli/workflow-run.js'),
    ]);
    const docs = await readTaskDocuments(flags.filename);
    await runFollowedWorkflow(this, flags, (options) => applyWorkflows(docs, { ...options, ...(flags.namespace ? { namespace: flags.namespace } : {}) }));
  }
}
