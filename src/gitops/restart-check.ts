/**
 * Did a RestartPod committed through Git really restart seid after the peers were rewritten?
 * Its pod uid was read at commit time but the engine applied it later: if the pod had been
 * replaced in between, the controller completed the task as a no-op and seid still runs with
 * the old persistent-peers. Pure: live task and pod objects in, warnings out.
 */
import type { KubeObject } from '../cluster/types.js';
import { asRecord as rec } from '../domain/seinodetask.js';

export interface RestartFinding {
  task: string;
  node: string;
  ok: boolean;
  message: string;
  /** The command that fixes a no-op restart. */
  fix?: string;
}

/** What the check needs to know about kinds (catalog data: restartsPod, takesEffectOnRestart, name). */
export interface RestartKinds {
  /** The kind deletes the target's pod by uid (RestartPod). */
  restartsPod(kind: string): boolean;
  /** seid reads what the kind writes only when it restarts (DiscoverPeers). */
  takesEffectOnRestart(kind: string): boolean;
  /** The paved road that runs the kind again: restart-pod. */
  commandName(kind: string): string;
}

function time(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function kindOf(task: KubeObject): string {
  return String(rec(task.spec)['kind'] ?? '');
}

function nodeOf(task: KubeObject): string {
  return String(rec(rec(rec(task.spec)['target'])['nodeRef'])['name'] ?? '');
}

/** When a task reached Complete: its Ready condition's transition, else the phase transition. */
export function completedAt(task: KubeObject): number | undefined {
  const status = rec(task.status);
  const conditions = Array.isArray(status['conditions']) ? status['conditions'].map(rec) : [];
  const ready = conditions.find((c) => c['type'] === 'Ready' && c['status'] === 'True');
  return time(ready?.['lastTransitionTime']) ?? (status['phase'] === 'Complete' ? time(status['phaseTransitionTime']) : undefined);
}

function podStartedAt(pod: KubeObject): number | undefined {
  return time(rec(pod.status)['startTime']) ?? time(pod.metadata.creationTimestamp);
}

const iso = (ms: number | undefined): string => (ms === undefined ? 'unknown' : new Date(ms).toISOString());

/**
 * For each Complete RestartPod: the live pod `<node>-0` must not be the uid it was told to
 * delete, and must have started no earlier than the task's execution and than the completion
 * of the DiscoverPeers on the same node that precedes it (timestamps have second precision,
 * so "the same second" counts as after).
 */
export function checkRestarts(tasks: KubeObject[], pods: Map<string, KubeObject | undefined>, namespace: (task: KubeObject) => string, kinds: RestartKinds): RestartFinding[] {
  const findings: RestartFinding[] = [];
  const order = (task: KubeObject): number => Number(task.metadata.annotations?.['sei.io/plan-step-order'] ?? 0);
  for (const task of tasks) {
    const kind = kindOf(task);
    if (!kinds.restartsPod(kind) || rec(task.status)['phase'] !== 'Complete') continue;
    const node = nodeOf(task);
    const name = task.metadata.name ?? '?';
    const fix = `kubectl sei task ${kinds.commandName(kind)} ${node} -n ${namespace(task)}`;
    const asked = String(rec(rec(task.status)['task'])['restartedPodUID'] ?? rec(rec(task.spec)['restartPod'])['podUID'] ?? '');
    const pod = pods.get(`${namespace(task)}/${node}`);
    if (!pod) {
      findings.push({ task: name, node, ok: false, message: `${kind} ${name} is Complete but pod ${node}-0 does not exist now; cannot confirm the restart`, fix });
      continue;
    }
    const live = pod.metadata.uid ?? '';
    const started = podStartedAt(pod);
    if (live === asked) {
      findings.push({ task: name, node, ok: false, message: `${kind} ${name} is Complete but pod ${node}-0 still has uid ${asked}: it was never restarted`, fix });
      continue;
    }
    const executed = time(rec(rec(task.status)['task'])['executionStartedAt']) ?? time(rec(task.status)['startedAt']);
    if (started !== undefined && executed !== undefined && Math.floor(started / 1000) < Math.floor(executed / 1000)) {
      findings.push({
        task: name,
        node,
        ok: false,
        message: `${kind} ${name} completed as a no-op: pod ${node}-0 had already been replaced (uid ${asked} read at commit time is gone; the live pod ${live} started ${iso(started)}, before the task ran at ${iso(executed)})`,
        fix,
      });
      continue;
    }
    const discover = tasks
      .filter((t) => kinds.takesEffectOnRestart(kindOf(t)) && nodeOf(t) === node && namespace(t) === namespace(task) && order(t) <= order(task))
      .map((t) => ({ t, at: completedAt(t) }))
      .filter((d) => d.at !== undefined)
      .sort((a, b) => (b.at ?? 0) - (a.at ?? 0))[0];
    if (discover && started !== undefined && Math.floor(started / 1000) < Math.floor(discover.at! / 1000)) {
      findings.push({
        task: name,
        node,
        ok: false,
        message: `pod ${node}-0 (uid ${live}) started ${iso(started)}, before ${kindOf(discover.t)} ${discover.t.metadata.name} completed at ${iso(discover.at)}: seid has not read the new persistent-peers`,
        fix,
      });
      continue;
    }
    findings.push({
      task: name,
      node,
      ok: true,
      message: `pod ${node}-0 restarted: uid ${asked} → ${live}, started ${iso(started)}${discover ? ` after ${kindOf(discover.t)} ${discover.t.metadata.name} completed at ${iso(discover.at)}` : ''}`,
    });
  }
  return findings;
}

/**
 * Fields of the committed spec whose live value differs. Only fields present in Git are
 * compared (the apiserver adds defaults). A difference means the name was already taken on the
 * cluster: the controller never runs a finished task again.
 */
export function specDrift(committed: unknown, live: unknown, at = 'spec'): string[] {
  if (committed === null || typeof committed !== 'object') return JSON.stringify(committed) === JSON.stringify(live) ? [] : [at];
  if (Array.isArray(committed)) {
    if (!Array.isArray(live) || live.length !== committed.length) return [at];
    return committed.flatMap((item, i) => specDrift(item, live[i], `${at}[${i}]`));
  }
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return [at];
  return Object.entries(committed as Record<string, unknown>).flatMap(([key, value]) => specDrift(value, (live as Record<string, unknown>)[key], `${at}.${key}`));
}
