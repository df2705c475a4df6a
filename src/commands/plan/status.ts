// `kubectl sei plan status PLAN_ID | -f PLAN`: a run's state, recovered from the cluster alone.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class PlanStatus extends SeiCommand {
  static override summary = 'Show a plan run: every step with done/failed/running counts, the failed task\'s detail, or the approval it waits for.';
  static override description = `Works from any machine: the run is recovered from ConfigMap sei-plan-<id> and the tasks' sei.io/plan-* labels. With -f PLAN, the newest run of that plan in the namespace.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'any readable state, whatever its phase (read the phase field)'], [ExitCode.InvalidInput, 'invalid flags, or no such run'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> plan status 3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c -n arctic-1', '<%= config.bin %> plan status -f refresh-peers -n arctic-1 -o json'];
  static override args = { planId: Args.string({ description: 'The plan id printed by plan apply.', required: false }) };
  static override flags = {
    ...connectionFlags,
    filename: Flags.string({ char: 'f', description: 'A plan manifest or built-in plan name: show its newest run.' }),
    'state-file': Flags.string({ description: 'Read the plan id from a --state-file written by plan apply.' }),
    output: Flags.option({ char: 'o', options: ['table', 'json', 'yaml'] as const, default: 'table', description: 'table | json | yaml.' })(),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanStatus);
    this.machineOutput = flags.output !== 'table';
    const { planStatus, resolvePlanRun } = await import('../../services/plan-status.js');
    const client = await (await import('../../cluster/index.js')).connect(connectionOptions(flags));
    const { planId, namespace } = await resolvePlanRun({
      client,
      ...(args.planId ? { planId: args.planId } : {}),
      ...(flags['state-file'] ? { stateFile: flags['state-file'] } : {}),
      ...(flags.filename ? { file: flags.filename } : {}),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
    });
    const verdict = await planStatus({ client, planId, ...(namespace ? { namespace } : {}) });
    const { compactVerdict } = await import('../../cli/plan.js');
    if (flags.output === 'json') process.stdout.write(`${JSON.stringify(compactVerdict(verdict), null, 2)}\n`);
    else if (flags.output === 'yaml') process.stdout.write((await import('../../output/plan-view.js')).toYaml(compactVerdict(verdict)));
    else process.stdout.write((await import('../../output/plan-view.js')).verdictTable(verdict));
  }
}
