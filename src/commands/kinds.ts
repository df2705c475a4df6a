/**
 * `kubectl sei kinds`: the task kinds of the catalog with their parameters, defaults, timeouts
 * and outputs; --from-cluster marks which kinds the cluster's served CRD accepts. Thin: flags ->
 * catalog -> describe -> print; heavy modules are imported inside run().
 */
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../cli/base-command.js';
import { ExitCode, commandExitCodes } from '../errors/exit-codes.js';

export default class Kinds extends SeiCommand {
  static override summary = 'List the SeiNodeTask and SeiNodeTaskWorkflow kinds, their parameters, defaults and outputs.';
  static override description = `Kinds are data: each is a template (templates/tasks/<name>.yaml.hbs), a parameter schema (schemas/kinds/<name>.schema.json) and a meta entry. --templates-dir adds or overrides kinds. Parameters marked ? are optional; "late" ones are read from the cluster right before the write. Every kind also takes timeoutSeconds, requirePhase and requirePhaseTimeout. Workflow kinds (SeiNodeTaskWorkflow, templates/workflows/) are listed after the task kinds; they take requirePhase and requirePhaseTimeout. With --from-cluster, SERVED says what the cluster's CRDs accept (no workflow CRD: a controller older than the workflow API).

Outputs say which controller versions publish them: a bare name is published by both, txHash(latest) only by the latest controller (sei-k8s-controller 2d670ad), observedValue(none) by neither (the CRD declares it; nobody writes it). --from-cluster names the version the cluster runs (read from its SeiNodeTask CRD) and, with -o json|yaml, lists what it publishes per kind.`;

  static override exitCodes = commandExitCodes([ExitCode.Ok, 'listed'], [ExitCode.InvalidInput, 'invalid flags, or a kind in --templates-dir that does not load'], [ExitCode.ClusterError, '--from-cluster: cluster or API error (unreachable, 401/403, CRD missing)']);
  static override examples = [
    '<%= config.bin %> kinds',
    '<%= config.bin %> kinds -o yaml',
    '<%= config.bin %> kinds --from-cluster --context prod',
    '<%= config.bin %> kinds --templates-dir ./my-kinds -o json',
  ];

  static override flags = {
    output: Flags.option({ char: 'o', options: ['table', 'yaml', 'json'] as const, default: 'table', description: 'Output format.' })(),
    'from-cluster': Flags.boolean({ description: "Mark which kinds the cluster's served SeiNodeTask CRD accepts." }),
    'templates-dir': Flags.string({ description: 'Directory of extra or overriding kinds (<name>.yaml.hbs, <name>.meta.yaml, <name>.schema.json).' }),
    ...connectionFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Kinds);
    this.machineOutput = flags.output !== 'table';
    const { loadCatalog, loadWorkflowCatalog } = await import('../catalog/index.js');
    const { describeKinds, kindsTableRows, servedKinds, unknownServedKinds } = await import('../catalog/describe.js');
    const catalog = loadCatalog(flags['templates-dir'] ? { templatesDir: flags['templates-dir'] } : {});
    const workflows = loadWorkflowCatalog();
    let served: Set<string> | undefined;
    let servedWorkflows: Set<string> | undefined;
    let version: 'seed' | 'latest' | undefined;
    if (flags['from-cluster']) {
      const [{ servedTaskApi, servedWorkflowKinds }, { CONTROLLER_VERSIONS }] = await Promise.all([import('../catalog/served.js'), import('../catalog/controller-versions.js')]);
      const api = await servedTaskApi(connectionOptions(flags));
      served = api.kinds;
      version = api.version;
      this.logToStderr(`cluster ${api.context} runs ${CONTROLLER_VERSIONS[api.version].label}: its SeiNodeTask CRD serves ${[...api.kinds].sort().join(', ')}`);
      servedWorkflows = await servedWorkflowKinds(connectionOptions(flags));
      const extraWorkflows = unknownServedKinds(workflows, servedWorkflows);
      if (extraWorkflows.length > 0) this.logToStderr(`note: the cluster also serves workflow kinds ${extraWorkflows.join(', ')}, which this catalog has no template for`);
      const extra = unknownServedKinds(catalog, served);
      if (extra.length > 0) this.logToStderr(`note: the cluster also serves ${extra.join(', ')}, which this catalog has no template for (add one with --templates-dir)`);
    }
    const rows = describeKinds(catalog, served, version);
    const workflowRows = describeKinds(workflows, servedWorkflows);
    if (flags.output === 'json') this.log(JSON.stringify([...rows, ...workflowRows], null, 2));
    else if (flags.output === 'yaml') {
      const { toSafeYaml } = await import('../domain/yaml.js');
      this.log(toSafeYaml([...rows, ...workflowRows]).trimEnd());
    } else {
      const { alignColumns } = await import('../output/printers.js');
      const common = ['timeoutSeconds', 'requirePhase', 'requirePhaseTimeout'];
      process.stdout.write(alignColumns(kindsTableRows(rows, common)));
      process.stdout.write(`\nWORKFLOW KINDS (SeiNodeTaskWorkflow: kubectl sei workflow <kind> NODE)\n${alignColumns(kindsTableRows(workflowRows, common))}`);
    }
  }
}
