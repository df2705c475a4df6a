// `kubectl sei plan resume PLAN_ID`: continue a run from the cluster's state, on any machine.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { PLAN_RUN_EXIT_CODES } from '../../cli/plan.js';

export default class PlanResume extends SeiCommand {
  static override summary = 'Resume a plan run after a crash, a timeout or an approval: re-derives its state from the cluster, never duplicates a task, never counts recovery as an attempt.';
  static override exitCodes = PLAN_RUN_EXIT_CODES;
  static override examples = ['<%= config.bin %> plan resume 3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c -n arctic-1 --timeout 30m'];
  static override args = { planId: Args.string({ required: true, description: 'The plan id.' }) };
  static override flags = {
    ...connectionFlags,
    'max-parallel': Flags.integer({ min: 1, description: 'Cap on tasks in flight and on every step\'s maxParallel.' }),
    timeout: Flags.string({ description: 'Give up following after this long; the tasks keep running. Default: no limit.' }),
    output: Flags.option({ char: 'o', options: ['table', 'json', 'yaml', 'ndjson'] as const, description: 'table (default) | json | yaml | ndjson.' })(),
    'templates-dir': Flags.string({ description: 'Extra task templates (user kinds) the plan uses.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlanResume);
    this.machineOutput = flags.output !== undefined && flags.output !== 'table';
    const [{ resumePlan }, { connect }, { runFollowed }, { parseDuration }] = await Promise.all([
      import('../../services/plan-resume.js'),
      import('../../cluster/index.js'),
      import('../../cli/plan.js'),
      import('../../domain/duration.js'),
    ]);
    const timeoutMs = flags.timeout ? parseDuration(flags.timeout) : undefined;
    const client = await connect(connectionOptions(flags));
    // --timeout bounds the whole command, requests to a server that never answers included.
    const { commandDeadline } = await import('../../cluster/command-scope.js');
    commandDeadline(timeoutMs, `plan resume did not end within --timeout ${flags.timeout ?? ''} (the API server did not answer); tasks already created keep running`);
    await runFollowed(flags.output, (hooks) =>
      resumePlan({
        client,
        planId: args.planId,
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        ...(flags['max-parallel'] ? { maxParallel: flags['max-parallel'] } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(flags['templates-dir'] ? { templatesDir: flags['templates-dir'] } : {}),
        signal: hooks.signal,
        onEvent: hooks.onEvent,
        onState: hooks.onState,
      }),
    );
  }
}
