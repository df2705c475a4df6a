// `kubectl sei plan apply -f PLAN`: run a plan and follow every task to the plan's verdict.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { PLAN_RUN_EXIT_CODES, planFileFlags, planSource } from '../../cli/plan.js';

export default class PlanApply extends SeiCommand {
  static override summary = 'Run a plan: fan out one SeiNodeTask per node, honour maxParallel, retries and approvals, follow everything to a verdict.';
  static override description = `The first apply mints a plan id (a UUID) and records the run in ConfigMap sei-plan-<id>; every task is named and labelled from (plan id, step, index, attempt), so re-applying with the same --plan-id, or \`plan resume\`, continues the run without duplicates. All tasks are followed with ONE watch. An approval step pauses the run (exit 3, reason WaitingApproval) until \`plan approve\`.
With --gitops-repo/--gitops-path the rendered tasks are committed to a GitOps repository instead of applied.`;
  static override exitCodes = PLAN_RUN_EXIT_CODES;
  static override examples = [
    '<%= config.bin %> plan apply -f refresh-peers --set chain=arctic-1 -n arctic-1',
    '<%= config.bin %> plan apply -f upgrade.yaml --max-parallel 20 --timeout 30m -o ndjson',
    '<%= config.bin %> plan apply -f refresh-peers --gitops-repo ../fleet --gitops-path clusters/prod/tasks --gitops-flavor argocd',
  ];
  static override flags = {
    ...connectionFlags,
    ...planFileFlags,
    'max-parallel': Flags.integer({ min: 1, description: 'Cap on tasks in flight and on every step\'s maxParallel.' }),
    'plan-id': Flags.string({ description: 'Continue (or start) the run with this id instead of minting one.' }),
    timeout: Flags.string({ description: 'Give up following after this long (kubectl duration); the tasks keep running. Default: no limit.' }),
    output: Flags.option({ char: 'o', options: ['table', 'json', 'yaml', 'ndjson'] as const, description: 'table (default) | json | yaml: the verdict at the end; ndjson: one event per line as it happens.' })(),
    'state-file': Flags.string({ description: 'Also write the run\'s plan id and verdict to this local file.' }),
    'gitops-repo': Flags.string({ description: 'Commit the rendered tasks to this git work tree instead of applying them.', helpGroup: 'GITOPS' }),
    'gitops-path': Flags.string({ description: 'Directory inside the repository.', helpGroup: 'GITOPS', dependsOn: ['gitops-repo'] }),
    'gitops-flavor': Flags.option({ options: ['plain', 'argocd', 'flux'] as const, default: 'plain', helpGroup: 'GITOPS', description: 'Ordering annotations for the GitOps engine.' })(),
    'gitops-branch': Flags.string({ description: 'Commit on this branch, for a pull request (required when the plan has an approval step: the review is the approval).', helpGroup: 'GITOPS', dependsOn: ['gitops-repo'] }),
    'gitops-accept-unordered': Flags.boolean({ description: 'With --gitops-flavor plain: commit a plan with several steps or a maxParallel anyway, every task at once.', helpGroup: 'GITOPS' }),
    fleet: Flags.string({ description: 'With --gitops-repo and no cluster: a YAML file of SeiNodes for forEach selectors.', helpGroup: 'GITOPS' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlanApply);
    this.machineOutput = flags.output !== undefined && flags.output !== 'table';
    const [{ applyPlan }, { writeStateFile }] = await Promise.all([import('../../services/plan-apply.js'), import('../../services/plan-state-file.js')]);
    if (flags['gitops-repo']) {
      if (!flags['gitops-path']) this.error('--gitops-path is required with --gitops-repo', { exit: 2 });
      const { commitPlanToGit } = await import('../../services/plan-gitops.js');
      const result = await commitPlanToGit({
        ...planSource(flags),
        ...(flags['plan-id'] ? { planId: flags['plan-id'] } : {}),
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        ...(flags.fleet ? { fleetFile: flags.fleet } : { connection: connectionOptions(flags) }),
        repo: flags['gitops-repo'],
        path: flags['gitops-path']!,
        flavor: flags['gitops-flavor'],
        acceptUnordered: flags['gitops-accept-unordered'],
        ...(flags['gitops-branch'] ? { branch: flags['gitops-branch'] } : {}),
      });
      for (const note of result.notes) this.logToStderr(note);
      process.stdout.write(`${JSON.stringify(result.commit, null, flags.output === 'json' ? 2 : undefined)}\n`);
      return;
    }
    const [{ connect }, { runFollowed }, { parseDuration }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../cli/plan.js'),
      import('../../domain/duration.js'),
    ]);
    const timeoutMs = flags.timeout ? parseDuration(flags.timeout) : undefined;
    const client = await connect(connectionOptions(flags));
    const stateFile = flags['state-file'];
    // --timeout bounds the whole command, requests to a server that never answers included.
    const { commandDeadline } = await import('../../cluster/command-scope.js');
    commandDeadline(timeoutMs, `plan apply did not end within --timeout ${flags.timeout ?? ''} (the API server did not answer); tasks already created keep running`);
    await runFollowed(
      flags.output,
      (hooks) =>
        applyPlan({
          client,
          ...planSource(flags),
          ...(flags['plan-id'] ? { planId: flags['plan-id'] } : {}),
          ...(flags.namespace ? { namespace: flags.namespace } : {}),
          ...(flags['max-parallel'] ? { maxParallel: flags['max-parallel'] } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          signal: hooks.signal,
          onEvent: hooks.onEvent,
          onState: hooks.onState,
          onPlanId: (id, resumed) => {
            hooks.note(`${resumed ? 'continuing' : 'started'} plan run ${id}`);
            if (resumed && (flags.set || flags.inputs)) hooks.note('note: an existing run keeps the plan and inputs recorded at its first apply; --set/--inputs are ignored');
            if (stateFile) void writeStateFile(stateFile, { planId: id, namespace: flags.namespace ?? client.namespace });
          },
        }),
      stateFile
        ? (outcome) => writeStateFile(stateFile, { planId: outcome.verdict.planId, namespace: outcome.verdict.namespace, verdict: outcome.verdict })
        : undefined,
    );
  }
}
