// `kubectl sei plan approve PLAN_ID STEP`: record an approval in the run's ConfigMap.
import * as Args from '@oclif/core/args';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class PlanApprove extends SeiCommand {
  static override summary = 'Approve an approval step of a plan run; then `plan resume` continues it.';
  static override description = `The approval is recorded in ConfigMap sei-plan-<id> (with the time), so it holds whichever machine resumes the run.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'approved (or already approved)'], [ExitCode.InvalidInput, 'invalid flags, an unknown run, or a step that is not an approval step'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> plan approve 3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c check -n arctic-1 && <%= config.bin %> plan resume 3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c -n arctic-1'];
  static override args = {
    planId: Args.string({ required: true, description: 'The plan id.' }),
    step: Args.string({ required: true, description: 'The approval step id.' }),
  };
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanApprove);
    const { approveStep } = await import('../../services/plan-approve.js');
    const client = await (await import('../../cluster/index.js')).connect(connectionOptions(flags));
    const { alreadyApproved } = await approveStep({ client, planId: args.planId, step: args.step, ...(flags.namespace ? { namespace: flags.namespace } : {}), by: process.env['USER'] ?? 'unknown' });
    this.logToStderr(`${alreadyApproved ? 'already approved' : 'approved'}: step ${args.step} of plan run ${args.planId}; continue with: kubectl sei plan resume ${args.planId}${flags.namespace ? ` -n ${flags.namespace}` : ''}`);
  }
}
