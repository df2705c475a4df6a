/**
 * `gitops wait`: wait until every SeiNodeTask committed under a path exists on the cluster
 * (the GitOps engine applies it whenever it syncs) and reaches its verdict, with the watch
 * engine and exit codes of `task wait`; then check that committed RestartPods really
 * restarted their pod. Reads git and the cluster; writes neither.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import type { SeiError } from '../errors/index.js';
import type { Progress } from '../output/progress.js';
import type { TaskVerdict } from '../watch/types.js';
import { LABELS } from '../domain/labels.js';
import { checkPlanId } from '../plan/naming.js';
import { readCommittedTasks } from '../gitops/committed.js';
import { checkRestarts, specDrift, type RestartFinding } from '../gitops/restart-check.js';

export interface GitopsWaitOptions {
  repo: string;
  path: string;
  ref?: string;
  /** Only the tasks of this plan run (sei.io/plan-id). */
  planId?: string;
  client: ClusterClient;
  timeoutMs: number;
  signal?: AbortSignal;
  progress: Progress;
  onObject?: (object: KubeObject) => void;
}

export interface GitopsWaitResult {
  commit: string;
  verdicts: TaskVerdict[];
  restarts: RestartFinding[];
  /**
   * Tasks whose committed spec did not (or may not have) run: the live spec differs from Git,
   * or it changed after creation (generation > 1): a finished task is never run again.
   */
  drift: Array<{ task: string; fields: string[]; generation?: number }>;
  /** The exit-code decision, as `task wait` makes it; undefined = every task Complete. */
  error?: SeiError;
}

export async function waitForCommitted(options: GitopsWaitOptions): Promise<GitopsWaitResult> {
  const [{ waitForTasks }, { verdictLine, verdictsToError, followHeights }, view, { loadCatalog }, { restartKinds }] = await Promise.all([
    import('../watch/wait-for-tasks.js'),
    import('./follow-tasks.js'),
    import('../output/task-view.js'),
    import('../catalog/index.js'),
    import('./kind-behaviour.js'),
  ]);
  const kinds = restartKinds(loadCatalog());
  checkPlanId(options.planId);
  const committed = await readCommittedTasks(options.repo, options.path, options.ref);
  let tasks = committed.tasks;
  if (options.planId) {
    tasks = tasks.filter((t) => t.metadata.labels?.[LABELS.planId] === options.planId);
    if (tasks.length === 0) {
      const { SeiError } = await import('../errors/index.js');
      throw SeiError.preflight('NotFound', `no SeiNodeTask of plan ${options.planId} is committed under ${committed.path}`, ['Drop --plan-id to wait for every committed task, or check the id (sei.io/plan-id label).']);
    }
  }
  const namespaceOf = (task: KubeObject): string => task.metadata.namespace ?? options.client.namespace;
  const byNamespace = new Map<string, string[]>();
  for (const task of tasks) byNamespace.set(namespaceOf(task), [...(byNamespace.get(namespaceOf(task)) ?? []), task.metadata.name ?? '']);
  options.progress.note(`waiting for ${tasks.length} SeiNodeTask${tasks.length === 1 ? '' : 's'} committed under ${committed.path} at ${committed.commit.slice(0, 12)} (${committed.ref})`);

  const live = new Map<string, KubeObject>();
  const many = tasks.length > 1;
  const heights = followHeights(options.client, options.client.namespace, options.progress);
  const perNamespace = await Promise.all(
    [...byNamespace].map(async ([namespace, names]) => {
      const verdicts = await waitForTasks(options.client, {
        namespace,
        names,
        for: 'terminal',
        timeoutMs: options.timeoutMs,
        // The engine creates them whenever it syncs: absent is "not yet", not "not found".
        awaitCreation: true,
        ...(options.signal ? { signal: options.signal } : {}),
        onObject: (object) => {
          live.set(`${namespace}/${object.metadata.name}`, object);
          options.onObject?.(object);
          heights.observe(object);
        },
        onVerdict: (verdict) => {
          if (verdict.outcome === 'Complete') options.progress.succeed(verdictLine(verdict));
          else if (verdict.outcome === 'Timeout' && !verdict.object) options.progress.fail(`${verdict.name} was never created: has the GitOps engine synced ${committed.path}? (argocd app get APP / flux get kustomizations)`);
          else if (verdict.outcome !== 'Interrupted') options.progress.fail(verdictLine(verdict));
          else if (many) options.progress.note(`${verdict.name} still running`);
        },
      });
      return { namespace, verdicts };
    }),
  ).finally(() => heights.stop());
  options.progress.stop();
  const verdicts = perNamespace.flatMap((p) => p.verdicts);

  // RestartPods: compare with the live pods, one GET per restarted node.
  const liveTasks = tasks.map((t) => live.get(`${namespaceOf(t)}/${t.metadata.name}`) ?? t);
  const pods = new Map<string, KubeObject | undefined>();
  for (const task of liveTasks) {
    if (!kinds.restartsPod(view.taskKind(task)) || view.phase(task) !== 'Complete') continue;
    const key = `${namespaceOf(task)}/${view.targetNode(task)}`;
    if (!pods.has(key)) pods.set(key, await options.client.get({ apiVersion: 'v1', kind: 'Pod', name: `${view.targetNode(task)}-0`, namespace: namespaceOf(task) }));
  }
  const restarts = checkRestarts(liveTasks, pods, namespaceOf, kinds);
  for (const finding of restarts) {
    options.progress.note(finding.ok ? finding.message : `Warning: ${finding.message}. Fix: ${finding.fix}`);
  }

  const drift = tasks.flatMap((task) => {
    const current = live.get(`${namespaceOf(task)}/${task.metadata.name}`);
    if (!current) return [];
    const fields = specDrift(task.spec, current.spec);
    const generation = typeof current.metadata.generation === 'number' ? current.metadata.generation : 1;
    if (fields.length === 0 && generation <= 1) return [];
    return [{ task: task.metadata.name ?? '?', fields, ...(generation > 1 ? { generation } : {}) }];
  });
  for (const d of drift) {
    const what = d.fields.length > 0 ? `differs from Git in ${d.fields.join(', ')}` : `had its spec changed after it was created (generation ${d.generation})`;
    options.progress.note(`Warning: ${d.task} on the cluster ${what}: the controller never runs a finished task again (spec edits after Complete/Failed change nothing), so the committed change did not run. Commit it under a new name.`);
  }

  const errors = perNamespace.map((p) => verdictsToError(p.verdicts, p.namespace, 'terminal')).filter((e): e is SeiError => e !== undefined);
  let error = errors.find((e) => e.exitCode === 1) ?? errors.find((e) => e.exitCode === 3) ?? errors[0];
  // A task that never appeared did not time out running: the engine has not synced it yet.
  const neverCreated = verdicts.filter((v) => v.outcome === 'Timeout' && !v.object).map((v) => v.name);
  if (error?.exitCode === 3 && neverCreated.length > 0) {
    const { SeiError } = await import('../errors/index.js');
    const which = neverCreated.length === tasks.length ? `none of the ${tasks.length} SeiNodeTask${tasks.length === 1 ? '' : 's'} committed` : `${neverCreated.length} of the ${tasks.length} SeiNodeTasks committed (${neverCreated.slice(0, 10).join(', ')}${neverCreated.length > 10 ? ', …' : ''})`;
    const stillRunning = verdicts.filter((v) => v.outcome === 'Timeout' && v.object).length;
    error = SeiError.timeout(`the GitOps engine has not synced yet: ${which} under ${committed.path} at ${committed.commit.slice(0, 12)} ${neverCreated.length === 1 && tasks.length === 1 ? 'exists' : 'exist'} on the cluster${stillRunning > 0 ? `; ${stillRunning} created task${stillRunning === 1 ? '' : 's'} still running` : ''}`, [
      'check the engine: argocd app get APP (Argo CD) or flux get kustomizations (Flux); sync it, or wait for its next sync',
      `then wait again: kubectl sei gitops wait --repo ${options.repo} --path ${options.path}${options.planId ? ` --plan-id ${options.planId}` : ''} --timeout 30m`,
    ]);
  }
  return { commit: committed.commit, verdicts, restarts, drift, ...(error ? { error } : {}) };
}
