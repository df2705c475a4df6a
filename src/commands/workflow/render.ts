// `kubectl sei workflow render <kind> --node NODE`: offline, prints the SeiNodeTaskWorkflow that `workflow apply` would send.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand } from '../../cli/base-command.js';
import { stateSyncFlags, stateSyncSet } from '../../cli/workflow-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class WorkflowRender extends SeiCommand {
  static override summary = 'Render a SeiNodeTaskWorkflow from its kind template (offline), validated against the CRD, and print it.';
  static override description = `Workflow kinds are data (templates/workflows/<kind>.yaml.hbs, schemas/workflows/<kind>.schema.json): \`kubectl sei kinds\` lists them. The state-sync flags (--migration, --backend, --rpc-servers, --require-phase) set its parameters; --set sets any parameter. Without -n the workflow has no metadata.namespace.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'printed'], [ExitCode.InvalidInput, 'unknown kind, invalid parameters, or a result the CRD refuses']);
  static override examples = [
    '<%= config.bin %> workflow render state-sync --node rpc-0 --migration giga-store --backend rocksdb',
    '<%= config.bin %> workflow render state-sync --node rpc-0 --rpc-servers a:26657 --rpc-servers b:26657 -n sei -o json',
  ];
  static override args = { kind: Args.string({ required: true, description: 'Workflow kind, e.g. state-sync (see `kubectl sei kinds`).' }) };
  static override flags = {
    ...stateSyncFlags,
    node: Flags.string({ required: true, description: 'The target SeiNode (spec.target.nodeRef.name).' }),
    set: Flags.string({ multiple: true, description: "A parameter, key=value (repeatable); typed by the kind's schema." }),
    values: Flags.string({ description: 'A YAML file of parameter: value pairs; --set wins.' }),
    namespace: Flags.string({ char: 'n', description: 'Namespace of the workflow (default: none).' }),
    output: Flags.option({ char: 'o', options: ['yaml', 'json'] as const, default: 'yaml', description: 'Output format.' })(),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WorkflowRender);
    this.machineOutput = true;
    const { renderWorkflow } = await import('../../services/workflows.js');
    const { object } = await renderWorkflow({
      kind: args.kind,
      node: flags.node,
      namespace: flags.namespace ?? '',
      set: [...stateSyncSet(flags), ...(flags.set ?? [])],
      ...(flags.values ? { valuesFile: flags.values } : {}),
      ...(flags.name ? { name: flags.name } : {}),
    });
    if (flags.output === 'json') this.log(JSON.stringify(object, null, 2));
    else {
      const { toSafeYaml } = await import('../../domain/yaml.js');
      process.stdout.write(toSafeYaml(object));
    }
  }
}
