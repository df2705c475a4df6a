// `kubectl sei plan simulate -f PLAN`: the execution graph, classified, without writing anything.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { fleetFlags, planFileFlags, planSource, fleetOrClient } from '../../cli/plan.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class PlanSimulate extends SeiCommand {
  static override summary = 'Preview a plan without writing anything: each step and fan-out item classified pending, skipped, requires-approval or blocked (with the reason it would fail).';
  static override description = `Blocked reasons: UnsupportedKind (the cluster's CRD does not serve the kind), TargetResolveFailed (no such SeiNode), ParamsBuildFailed (DiscoverPeers on a node without peers), PhaseNotMet (the node is not in requirePhase), InvalidParams. Reads the cluster, or --offline --fleet FILE.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'previewed, whatever the classification: a preview is not a run'], [ExitCode.InvalidInput, 'invalid plan, inputs, --fleet or flags'], [ExitCode.ClusterError, 'cluster or API error reading the cluster (not with --offline --fleet)']);
  static override examples = [
    '<%= config.bin %> plan simulate -f refresh-peers --set chain=arctic-1 -n arctic-1',
    '<%= config.bin %> plan simulate -f refresh-peers --offline --fleet fleet.yaml --format json',
  ];
  static override flags = {
    ...connectionFlags,
    ...planFileFlags,
    ...fleetFlags,
    format: Flags.option({ options: ['table', 'json'] as const, default: 'table', description: 'table or json.' })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlanSimulate);
    this.machineOutput = flags.format === 'json';
    const { simulatePlan } = await import('../../services/plan-simulate.js');
    if (flags.offline && !flags.fleet) this.error('--offline needs --fleet FILE (kubectl get seinodes -o yaml > fleet.yaml)', { exit: 2 });
    const nodes = await fleetOrClient(flags, connectionOptions(flags));
    const result = await simulatePlan({
      ...planSource(flags),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...nodes,
    });
    if (flags.format === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write((await import('../../output/plan-view.js')).simulationTable(result));
  }
}
