// `kubectl sei plan render -f PLAN`: every SeiNodeTask the plan would create, validated, as multi-document YAML.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { fleetFlags, planFileFlags, planSource, fleetOrClient } from '../../cli/plan.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class PlanRender extends SeiCommand {
  static override summary = 'Render every SeiNodeTask of a plan (first attempts) as validated multi-document YAML.';
  static override description = `Deterministic: the same --plan-id and inputs give byte-identical output. Without --plan-id a new id is minted (a new run). Steps whose params need another step's outputs (e.g. the proposalId of a proposal) are known only at run time and are listed on stderr. forEach selectors read the cluster's SeiNodes, or --fleet FILE with --offline. A RestartPod's podUID is a placeholder: the pod UID must be read immediately before creation (plan apply does).`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'rendered and valid'], [ExitCode.InvalidInput, 'invalid plan, inputs, --fleet or flags'], [ExitCode.ClusterError, 'cluster or API error reading the SeiNodes (not with --offline or --fleet)']);
  static override examples = [
    '<%= config.bin %> plan render -f refresh-peers --offline --fleet fleet.yaml --plan-id 3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c',
    '<%= config.bin %> plan render -f upgrade.yaml --set image=ghcr.io/sei-protocol/seid:v7.0.0 -n arctic-1',
  ];
  static override flags = {
    ...connectionFlags,
    ...planFileFlags,
    ...fleetFlags,
    'plan-id': Flags.string({ description: 'The run\'s plan id (UUID); the same id and inputs give the same output.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlanRender);
    this.machineOutput = true;
    const { renderPlan } = await import('../../services/plan-render.js');
    const nodes = await fleetOrClient(flags, connectionOptions(flags));
    const result = await renderPlan({
      ...planSource(flags),
      ...(flags['plan-id'] ? { planId: flags['plan-id'] } : {}),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...nodes,
    });
    for (const note of result.notes) this.logToStderr(`# ${note}`);
    process.stdout.write(result.text);
  }
}
