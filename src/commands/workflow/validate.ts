// `kubectl sei workflow validate -f FILE|DIR|-`: offline, every error as file:line:column: field: message.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, EXIT_CODES_HELP } from '../../cli/base-command.js';

export default class WorkflowValidate extends SeiCommand {
  static override summary = 'Validate SeiNodeTaskWorkflow manifests offline against the CRD (schema and CEL), as the API server would.';
  static override description = `${WorkflowValidate.summary}\n\nExit 0 when every document is valid, else 2 with every error (file:line:column: field: message).\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> workflow validate -f rpc-0-migrate.yaml', 'kubectl sei workflow render state-sync --node rpc-0 | <%= config.bin %> workflow validate -f -'];
  static override flags = {
    filename: Flags.string({ char: 'f', required: true, multiple: true, description: 'A file, directory or - (stdin) (repeatable).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(WorkflowValidate);
    const [{ readTaskDocuments }, { validateWorkflowObjects }] = await Promise.all([import('../../services/apply-tasks.js'), import('../../services/validate-objects.js')]);
    const docs = await readTaskDocuments(flags.filename);
    await validateWorkflowObjects(docs);
    this.logToStderr(`${docs.length} SeiNodeTaskWorkflow document${docs.length === 1 ? '' : 's'} valid`);
  }
}
