// `kubectl sei plan cancel PLAN_ID`: stop launching new tasks of a run.
import * as Args from '@oclif/core/args';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class PlanCancel extends SeiCommand {
  static override summary = 'Cancel a plan run: no new task is launched; tasks already running are left to finish (SeiNodeTasks cannot be stopped).';
  static override description = `Marks ConfigMap sei-plan-<id> cancelled; a plan apply/resume following the run stops launching and exits 1 (reason Cancelled).`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'cancelled'], [ExitCode.InvalidInput, 'invalid flags, an unknown run, or a run already finished'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> plan cancel 3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c -n arctic-1'];
  static override args = { planId: Args.string({ required: true, description: 'The plan id.' }) };
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanCancel);
    const { cancelPlan } = await import('../../services/plan-cancel.js');
    const client = await (await import('../../cluster/index.js')).connect(connectionOptions(flags));
    const { inFlight, alreadyCancelled } = await cancelPlan({ client, planId: args.planId, ...(flags.namespace ? { namespace: flags.namespace } : {}) });
    this.logToStderr(`${alreadyCancelled ? 'already cancelled' : 'cancelled'}: plan run ${args.planId} launches no new tasks`);
    if (inFlight.length > 0) this.logToStderr(`${inFlight.length} task(s) still in flight are left to finish: ${inFlight.slice(0, 10).join(', ')}${inFlight.length > 10 ? ', …' : ''}`);
  }
}
