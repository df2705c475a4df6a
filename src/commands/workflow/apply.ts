// `kubectl sei workflow apply -f FILE|DIR|-`: validate all, preflight all, confirm, server-side apply, follow.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, EXIT_CODES_HELP, connectionFlags } from '../../cli/base-command.js';
import { workflowRunFlags } from '../../cli/workflow-flags.js';

export default class WorkflowApply extends SeiCommand {
  static override summary = 'Apply SeiNodeTaskWorkflow manifests: validate all, preflight all, confirm, server-side apply, follow to a verdict.';
  static override description = `${WorkflowApply.summary}\n\nNothing is written unless every document is valid and passes preflight. A workflow wipes its node's data: type the node's name on a terminal, or pass --yes. A same-named workflow still running is followed, not duplicated; one that already ran is refused (workflows are apply-once: choose a new name).\n\n${EXIT_CODES_HELP}`;
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
