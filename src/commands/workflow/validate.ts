// `kubectl sei workflow validate -f FILE|DIR|-`: offline, every error as file:line:column: field: message.
import * as Flags from '@oclif/core/flags';
import { SeiCommand } from '../../cli/base-command.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class WorkflowValidate extends SeiCommand {
  static override summary = 'Validate SeiNodeTaskWorkflow manifests offline against the CRD (schema and CEL), as the API server would.';
  static override description = `Every error is printed as file:line:column: field: message.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'every document is valid'], [ExitCode.InvalidInput, 'a document is invalid (every error is printed), or an input cannot be read']);
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
