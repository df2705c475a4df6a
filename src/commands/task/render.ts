/**
 * `kubectl sei task render <kind> --node NODE`: offline, prints the SeiNodeTask that `task
 * apply` would send, rendered from the kind's template and validated against the CRD. Thin:
 * flags -> renderOffline -> print.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand } from '../../cli/base-command.js';
import { kindOfCommand } from '../../cli/paved-road-kind.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class TaskRender extends SeiCommand {
  static override summary = 'Render a SeiNodeTask from its kind template (offline) and print it.';
  static override description = `Values are typed by the kind's parameter schema: --set proposalId=3 is an integer, --set podUID=123 a string. --set wins over --values. Every value is written as one YAML scalar that YAML 1.1 readers (kubectl, ArgoCD, Flux) read back unchanged. The output is validated against the project's CRD of the kind's API (seed or latest) before it is printed.

Offline there is no cluster: RestartPod's podUID must be given (kubectl get pod NODE-0 -o jsonpath='{.metadata.uid}'); the paved road \`kubectl sei task restart-pod NODE\` reads it right before the write. Without -n the task has no metadata.namespace: \`task apply\` and kubectl put it in the context's namespace.

Default names: <node>-<kind>-<hash of the params> (re-running the same operation finds the same task, which is apply-once), or <node>-<kind>-<UTC timestamp>-<random tag> for kinds meant to be repeated (restart-pod, restart-seid, discover-peers), so two runs in the same second never collide. --name overrides.`;

  static override exitCodes = commandExitCodes([ExitCode.Ok, 'printed'], [ExitCode.InvalidInput, 'unknown kind, invalid parameters, or a result the CRD refuses']);
  static override examples = [
    '<%= config.bin %> task render restart-pod --node node-0 --set podUID=0f3c2a9e-6d1b-4c0e-9a57-2b8e51f0c001',
    '<%= config.bin %> task render gov-vote --node validator-0 --set chainId=arctic-1 --set proposalId=3 --set option=yes --set fees=4000usei --set gas=200000',
    '<%= config.bin %> task render await-condition --node node-0 --set targetHeight=1200000 --set action=SIGTERM_SEID -o json',
    '<%= config.bin %> task render gov-software-upgrade --node validator-0 --values upgrade.yaml --name v6-upgrade -n sei',
    '<%= config.bin %> task render my-kind --node node-0 --templates-dir ./my-kinds',
  ];

  static override args = {
    kind: Args.string({ required: true, description: 'Kebab-case kind, e.g. restart-pod, gov-vote (see `kubectl sei kinds`), or a paved-road command name such as update-image.' }),
  };

  static override flags = {
    node: Flags.string({ required: true, description: 'The target SeiNode (spec.target.nodeRef.name).' }),
    set: Flags.string({ multiple: true, description: 'A parameter, key=value (repeatable); typed by the kind\'s schema.' }),
    values: Flags.string({ description: 'A YAML file of parameter: value pairs (- for stdin); --set wins.' }),
    name: Flags.string({ description: 'The task name (default: derived, see above).' }),
    namespace: Flags.string({ char: 'n', description: 'Namespace of the task (default: none, so apply uses the context\'s namespace).' }),
    label: Flags.string({ char: 'l', multiple: true, description: 'An extra label, key=value (repeatable).' }),
    'templates-dir': Flags.string({ description: 'Directory of extra or overriding kinds.' }),
    output: Flags.option({ char: 'o', options: ['yaml', 'json'] as const, description: 'Output format (default yaml). With -o, a failure ends stderr with a metav1.Status JSON line.' })(),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TaskRender);
    // Like every command: the Status line on stderr is for scripts that asked for machine output.
    this.machineOutput = flags.output !== undefined;
    const { renderOffline } = await import('../../render/offline.js');
    const { object } = await renderOffline({
      kind: await kindOfCommand(this.config, args.kind, flags['templates-dir']),
      node: flags.node,
      ...(flags.set ? { set: flags.set } : {}),
      ...(flags.values ? { valuesFile: flags.values } : {}),
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.label ? { labels: flags.label } : {}),
      ...(flags['templates-dir'] ? { templatesDir: flags['templates-dir'] } : {}),
    });
    if (flags.output === 'json') {
      this.log(JSON.stringify(object, null, 2));
    } else {
      const { toSafeYaml } = await import('../../domain/yaml.js');
      process.stdout.write(toSafeYaml(object));
    }
  }
}
