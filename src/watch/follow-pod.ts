/**
 * Follows the pod a RestartPod task replaces: the old uid deleted, a replacement uid seen, and
 * that replacement Ready. One watch on the pod's name (fieldSelector), like the task watch.
 * The pure step function `podStep` is what the tests table-drive.
 * Must not: write, print, or decide the task's verdict (the task's conditions do that).
 */
import type { ClusterClient, KubeObject, WatchEventType } from '../cluster/types.js';

export type PodMilestone = 'deleted' | 'replaced' | 'ready';

export interface PodProgress {
  /** Milestones already reported, in order. */
  seen: PodMilestone[];
  replacementUid?: string;
}

export function podReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)?.conditions;
  return Array.isArray(conditions) && conditions.some((condition) => condition?.type === 'Ready' && condition.status === 'True');
}

/** The milestones one event reaches, given what was seen before. Pure. */
export function podStep(progress: PodProgress, previousUid: string, type: WatchEventType, pod: KubeObject): { progress: PodProgress; reached: PodMilestone[] } {
  const seen = [...progress.seen];
  const reached: PodMilestone[] = [];
  let replacementUid = progress.replacementUid;
  const reach = (milestone: PodMilestone) => {
    if (!seen.includes(milestone)) {
      seen.push(milestone);
      reached.push(milestone);
    }
  };
  const uid = pod.metadata.uid;
  if (type === 'DELETED') {
    if (uid === previousUid) reach('deleted');
  } else if (type !== 'BOOKMARK' && uid !== undefined && uid !== previousUid) {
    // A different uid under the same name means the old pod is gone, even if its DELETED was missed.
    reach('deleted');
    reach('replaced');
    replacementUid ??= uid;
    if (uid === replacementUid && podReady(pod)) reach('ready');
  } else if (type !== 'BOOKMARK' && uid === previousUid && pod.metadata.deletionTimestamp) {
    // Terminating counts as deleted for progress; the replacement still has to appear.
    reach('deleted');
  }
  return { progress: { seen, replacementUid }, reached };
}

export interface FollowPodRequest {
  namespace: string;
  name: string;
  /** The uid read before the RestartPod task was created. */
  previousUid: string;
  signal?: AbortSignal;
  onMilestone?: (milestone: PodMilestone, pod: KubeObject) => void;
}

/** Resolves when the replacement is Ready (true) or the signal aborts first (false). */
export async function followPod(client: ClusterClient, request: FollowPodRequest, start: PodProgress = { seen: [] }): Promise<{ ready: boolean; progress: PodProgress }> {
  let progress = start;
  await client.watch({
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: request.namespace,
    fieldSelector: `metadata.name=${request.name}`,
    signal: request.signal,
    onEvent: (event) => {
      const step = podStep(progress, request.previousUid, event.type, event.object);
      progress = step.progress;
      for (const milestone of step.reached) request.onMilestone?.(milestone, event.object);
      return progress.seen.includes('ready') ? 'stop' : undefined;
    },
  });
  return { ready: progress.seen.includes('ready'), progress };
}

/**
 * One GET that steps the milestones to the pod's current state. The task's verdict arrives on
 * its own stream, so when the task is Complete the pod stream may not have delivered the
 * replacement's Ready yet; reading once makes the narration end where the cluster is.
 */
export async function catchUpPod(client: ClusterClient, request: Omit<FollowPodRequest, 'signal'>, progress: PodProgress): Promise<PodProgress> {
  if (progress.seen.includes('ready')) return progress;
  const pod = await client.get({ apiVersion: 'v1', kind: 'Pod', namespace: request.namespace, name: request.name });
  if (!pod) return progress;
  const step = podStep(progress, request.previousUid, 'MODIFIED', pod);
  for (const milestone of step.reached) request.onMilestone?.(milestone, pod);
  return step.progress;
}
