/**
 * Following tasks to their verdicts for humans and scripts: wraps the watch engine
 * (waitForTasks: ONE watch per namespace+selector) with live progress, optional pod following
 * for RestartPod (deleted uid → replacement uid → Ready, on one more watch, src/watch/follow-pod.ts), NDJSON streaming,
 * and the mapping of verdicts to exit codes. It must not write to the cluster.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import type { Progress } from '../output/progress.js';
import * as view from '../output/task-view.js';
import type { TaskVerdict, WaitFor } from '../watch/types.js';
import { catchUpPod, followPod, type PodMilestone } from '../watch/follow-pod.js';
import { preciseDuration } from '../output/human-duration.js';
import { TASK_REASONS } from '../domain/task-reasons.js';
import type { AppliedTask } from './apply-tasks.js';
import { pollNodeHeight } from './node-height.js';

export interface FollowOptions {
  namespace: string;
  names?: string[];
  labelSelector?: string;
  for?: WaitFor;
  timeoutMs: number;
  signal?: AbortSignal;
  minGeneration?: Record<string, number>;
  progress: Progress;
  /** Every observed task object (for -o ndjson). */
  onObject?: (object: KubeObject) => void;
  /** RestartPod: follow pod NODE-0 from the deleted uid to a Ready replacement. */
  followPod?: { node: string; uid?: string };
  /** UpdateNodeImage: narrate the node's update plan task by task (services/nodes.ts). */
  followNodePlan?: { node: string };
}

function podNarration(podName: string, previousUid: string, progress: Progress): (milestone: PodMilestone, pod: KubeObject) => void {
  return (milestone, pod) => {
    const uid = pod.metadata.uid ?? '';
    if (milestone === 'deleted') progress.event(`pod ${podName} deleted (uid ${previousUid}), waiting for replacement`);
    else if (milestone === 'replaced') progress.event(`pod ${podName} replaced (uid ${uid}), waiting for Ready`);
    else progress.event(`pod ${podName} Ready (uid ${uid})`);
  };
}

/**
 * Narrates pod NODE-0's restart (deleted → replaced → Ready) until `signal` aborts; then, when
 * `settled()` says the task completed, reads the pod once so a Ready the pod stream had not yet
 * delivered is still told. Best-effort: the task's own verdict decides the outcome.
 */
export async function narratePodRestart(client: ClusterClient, namespace: string, node: string, previousUid: string, progress: Progress, signal: AbortSignal, settled: () => boolean): Promise<void> {
  const name = `${node}-0`;
  const request = { namespace, name, previousUid, onMilestone: podNarration(name, previousUid, progress) };
  try {
    const followed = await followPod(client, { ...request, signal });
    if (settled()) await catchUpPod(client, request, followed.progress);
  } catch (error) {
    if (!signal.aborted || settled()) progress.note(`(stopped following pod ${name}: ${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * The live status line of the tasks followed, with the current height of each node a task waits
 * on to reach a height (one poller per node, from the first such task seen until the wait ends).
 */
export function followHeights(client: ClusterClient, namespace: string, progress: Progress) {
  const abort = new AbortController();
  const pollers = new Map<string, Promise<void>>();
  const heights = new Map<string, number>();
  let shown: KubeObject | undefined;
  const show = (object: KubeObject): void => {
    shown = object;
    const { status, live } = view.progressParts(object, heights.get(view.targetNode(object)));
    progress.update(status, live);
  };
  return {
    observe(object: KubeObject): void {
      if (view.isTerminal(object)) return;
      show(object);
      const node = view.targetNode(object);
      if (view.targetHeight(object) === undefined || !node || pollers.has(node)) return;
      pollers.set(
        node,
        pollNodeHeight(client, object.metadata.namespace ?? namespace, node, (height) => {
          if (heights.get(node) === height) return;
          heights.set(node, height);
          if (shown && view.targetNode(shown) === node && !abort.signal.aborted) show(shown);
        }, abort.signal),
      );
    },
    async stop(): Promise<void> {
      abort.abort();
      await Promise.all(pollers.values());
    },
  };
}

export function verdictLine(verdict: TaskVerdict): string {
  const reason = verdict.reason ? ` ${verdict.reason}` : '';
  const explained = verdict.reason ? TASK_REASONS[verdict.reason] : undefined;
  const message = verdict.message ? `: ${verdict.message}${explained ? ` (${explained.summary})` : ''}` : explained ? `: ${explained.summary}` : '';
  const outcome = verdict.outcome === 'Timeout' ? 'still running after the timeout' : verdict.outcome;
  return `${verdict.name} ${outcome}${verdict.outcome === 'Timeout' ? '' : reason}${message} (${preciseDuration(verdict.durationMs)})`;
}

/** Waits for every task and narrates it; returns every verdict (never throws for a Failed task). */
export async function followTasks(client: ClusterClient, options: FollowOptions): Promise<TaskVerdict[]> {
  const { waitForTasks } = await import('../watch/wait-for-tasks.js');
  const podAbort = new AbortController();
  const previousUid = options.followPod?.uid;
  // With a pod narration running, verdict lines wait for it so "✔ … Complete" stays the last line.
  const deferred: TaskVerdict[] = [];
  const pod =
    options.followPod && previousUid
      ? narratePodRestart(client, options.namespace, options.followPod.node, previousUid, options.progress, podAbort.signal, () => deferred.some((v) => v.outcome === 'Complete'))
      : undefined;
  const planAbort = new AbortController();
  const nodePlan = options.followNodePlan
    ? import('./nodes.js').then(({ narrateNodePlan }) => narrateNodePlan(client, options.namespace, options.followNodePlan!.node, options.progress, planAbort.signal))
    : undefined;
  const heights = followHeights(client, options.namespace, options.progress);
  const many = (options.names?.length ?? 0) !== 1;
  const printVerdict = (verdict: TaskVerdict): void => {
    if (verdict.outcome === 'Complete') options.progress.succeed(verdictLine(verdict));
    else if (verdict.outcome !== 'Interrupted') options.progress.fail(verdictLine(verdict));
    else if (many) options.progress.note(`${verdict.name} still running`);
  };
  try {
    const verdicts = await waitForTasks(client, {
      namespace: options.namespace,
      ...(options.names ? { names: options.names } : {}),
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      for: options.for ?? 'terminal',
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.minGeneration ? { minGeneration: options.minGeneration } : {}),
      onObject: (object) => {
        options.onObject?.(object);
        heights.observe(object);
      },
      onVerdict: (verdict) => {
        if (pod || nodePlan) deferred.push(verdict);
        else printVerdict(verdict);
      },
    });
    if (nodePlan) {
      // A failed or timed-out image roll names the update plan's failed or stalled task.
      planAbort.abort();
      const { planVerdictNote } = await import('./nodes.js');
      const note = planVerdictNote(await nodePlan);
      for (const verdict of verdicts) {
        if (note && verdict.outcome !== 'Complete') verdict.message = `${verdict.message ? `${verdict.message}; ` : ''}${note}`;
      }
    }
    return verdicts;
  } finally {
    podAbort.abort();
    planAbort.abort();
    await heights.stop();
    await nodePlan;
    await pod;
    deferred.forEach(printVerdict);
    options.progress.stop();
  }
}

/**
 * How to re-attach after Ctrl-C or a timeout: the task keeps running on the cluster. `flags`
 * are what the re-attach needs to succeed where the defaults would not (the kubeconfig and
 * context used, a --timeout longer than task wait's 30s).
 */
export function reattachHint(names: readonly string[], namespace: string, flags: readonly string[] = []): string {
  return `re-attach with: ${reattachCommand(names, namespace, flags)}`;
}

export function reattachCommand(names: readonly string[], namespace: string, flags: readonly string[] = []): string {
  return ['kubectl sei task wait', ...names, '-n', namespace, ...flags].join(' ');
}

/**
 * The exit code of a set of verdicts, as a thrown SeiError (nothing thrown = all Complete, or
 * for=failed satisfied). Failed (exit 1) beats Deleted (1) beats Timeout (3) beats Interrupted.
 */
export function verdictsToError(verdicts: readonly TaskVerdict[], namespace: string, waitFor: WaitFor = 'terminal', reattachFlags: readonly string[] = []): SeiError | undefined {
  // --for terminal exits 1 on a Failed task too: a script asks "did it work", and it did not.
  const failed = waitFor === 'failed' ? [] : verdicts.filter((v) => v.outcome === 'Failed');
  const first = failed[0];
  if (first) {
    const others = failed.length > 1 ? ` (and ${failed.length - 1} more failed)` : '';
    return SeiError.taskFailed(first.reason ?? 'Failed', `SeiNodeTask "${first.name}" Failed${first.reason ? ` (${first.reason})` : ''}${first.message ? `: ${first.message}` : ''}${others}`, [
      `kubectl sei task describe ${first.name} -n ${namespace}`,
    ]);
  }
  const complete = waitFor === 'failed' ? verdicts.find((v) => v.outcome === 'Complete') : undefined;
  if (complete) return SeiError.taskFailed('TaskComplete', `SeiNodeTask "${complete.name}" is Complete, so it will never be Failed`);
  const missing = verdicts.find((v) => v.outcome === 'Deleted' && v.reason === 'NotFound');
  if (missing) {
    return new SeiError(`seinodetasks.sei.io "${missing.name}" not found in namespace "${namespace}"`, {
      reason: 'NotFound',
      exitCode: 2,
      httpCode: 404,
      hints: [`list them with: kubectl sei task get -n ${namespace}`],
    });
  }
  const deleted = verdicts.find((v) => v.outcome === 'Deleted');
  if (deleted) return SeiError.taskFailed('Deleted', `SeiNodeTask "${deleted.name}" was deleted while waiting`);
  const pending = verdicts.filter((v) => v.outcome === 'Timeout');
  if (pending.length > 0) {
    const what = pending.length === 1 ? `SeiNodeTask "${pending[0]?.name}"; it keeps running` : `${pending.length} SeiNodeTasks; they keep running`;
    return SeiError.timeout(`timed out waiting for ${what}`, [reattachHint(pending.map((v) => v.name), namespace, reattachFlags)]);
  }
  return undefined;
}

/** True when the wait ended because of Ctrl-C (the caller prints the re-attach hint and exits 130). */
export function interrupted(verdicts: readonly TaskVerdict[]): TaskVerdict[] {
  return verdicts.filter((v) => v.outcome === 'Interrupted');
}

/** Follows freshly applied tasks, one watch per namespace, each counted from its applied generation. */
export async function followAppliedTasks(client: ClusterClient, applied: readonly AppliedTask[], options: Omit<FollowOptions, 'namespace' | 'names' | 'minGeneration'>): Promise<TaskVerdict[]> {
  const byNamespace = new Map<string, AppliedTask[]>();
  for (const a of applied) byNamespace.set(a.namespace, [...(byNamespace.get(a.namespace) ?? []), a]);
  const verdicts: TaskVerdict[] = [];
  for (const [namespace, group] of byNamespace) {
    verdicts.push(
      ...(await followTasks(client, {
        ...options,
        namespace,
        names: group.map((a) => a.name),
        minGeneration: Object.fromEntries(group.map((a) => [a.name, a.generation])),
      })),
    );
  }
  return verdicts;
}
