/**
 * `kubectl sei task validate -f FILE|DIR|-`: validates every document as the apiserver would,
 * offline against the project's CRDs or against the CRD the cluster serves. Thin: flags ->
 * validateFiles -> print. Exit 0 when every document is valid, else 2.
 */
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class TaskValidate extends SeiCommand {
  static override summary = 'Validate SeiNodeTask manifests as the apiserver would (OpenAPI v3 + CEL), offline.';
  static override description = `Every error is printed as file:line:column: field.path: message. With -o text the errors go to stdout (one per line, for grep and editors) and the summary to stderr; with -o json stdout holds the full report and a failure ends stderr with a metav1.Status.

--crd auto (the default) checks each SeiNodeTask against the API its spec.kind belongs to: restart-pod and discover-peers against the seed-era CRD, mark-ready, gov-param-change and restart-seid against the later one, kinds both have against seed. --schema-from-cluster validates against the CRD the cluster actually serves instead.`;

  static override exitCodes = commandExitCodes([ExitCode.Ok, 'every document is valid'], [ExitCode.InvalidInput, 'a document is invalid (every error is printed), or an input cannot be read'], [ExitCode.ClusterError, '--schema-from-cluster: cluster or API error']);
  static override examples = [
    '<%= config.bin %> task validate -f restart.yaml',
    '<%= config.bin %> task validate -f ./tasks/ --recursive',
    '<%= config.bin %> task render gov-vote --node val-0 --values vote.yaml | <%= config.bin %> task validate -f -',
    '<%= config.bin %> task validate -f tasks.yaml --crd latest -o json',
    '<%= config.bin %> task validate -f tasks.yaml --schema-from-cluster --context prod',
  ];

  static override flags = {
    filename: Flags.string({ char: 'f', required: true, multiple: true, description: 'A file, a directory of *.yaml|*.yml|*.json, or - for stdin (repeatable).' }),
    recursive: Flags.boolean({ char: 'R', description: 'Include subdirectories of a -f directory.' }),
    crd: Flags.option({ options: ['auto', 'seed', 'latest'] as const, default: 'auto', description: "Which project CRD: the kind's API (auto), or one flavor for all." })(),
    'schema-from-cluster': Flags.boolean({ description: 'Validate against the CRD the cluster serves (needs a kubeconfig).', exclusive: ['crd'] }),
    'templates-dir': Flags.string({ description: 'Directory of extra or overriding kinds (for --crd auto).' }),
    output: Flags.option({ char: 'o', options: ['text', 'json'] as const, default: 'text', description: 'Output format.' })(),
    ...connectionFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TaskValidate);
    this.machineOutput = flags.output === 'json';
    const { validateFiles, invalidReportError } = await import('../../services/validate-files.js');
    const report = await validateFiles({
      inputs: flags.filename,
      recursive: flags.recursive,
      crd: flags.crd,
      ...(flags['schema-from-cluster'] ? { schemaFromCluster: connectionOptions(flags) } : {}),
      ...(flags['templates-dir'] ? { templatesDir: flags['templates-dir'] } : {}),
    });
    for (const warning of report.warnings) this.logToStderr(`warning: ${warning}`);
    if (flags.output === 'json') {
      this.log(JSON.stringify({ valid: report.valid, files: report.files, documents: report.documents, causes: report.causes }, null, 2));
      if (!report.valid) throw invalidReportError(report, true);
      return;
    }
    if (!report.valid) {
      const { formatCause } = await import('../../validate/index.js');
      for (const cause of report.causes) this.log(formatCause(cause));
      throw invalidReportError(report, false);
    }
    this.logToStderr(`${report.documents.length} document${report.documents.length === 1 ? '' : 's'} valid (${report.files.join(', ')})`);
  }
}
