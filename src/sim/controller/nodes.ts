/**
 * The mechanics under a SeiNode: label-peer resolution, the node's pods (a StatefulSet's
 * `<node>-<i>`, recreated when deleted, at the template's image, Ready after the knob delay) and
 * the simulated block height, computed from time rather than written every block. The node's
 * own reconcile (phases, plans, workflows) is node-reconciler.ts. It must not touch SeiNodeTasks.
 */
import { createHash, randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { v5 as uuidv5 } from 'uuid';
import type { KubeObject } from '../types.js';
import { parseTime, toTime } from './time.js';
import { asObject, nodeKey, type Json, type ReconcileContext } from './context.js';
import { POD_STARTED_AT, readKnobs } from './knobs.js';

export const NODE_LABEL = 'sei.io/node';
/** How long a node spends in Pending and in Initializing before the next phase. */
export const NODE_PHASE_STEP_MS = 50;
const P2P_PORT = 26656;
const STATEFULSET_UID_NAMESPACE = '6f1c1e0a-5e1d-4c3b-9a57-5e1000000002';

/** Height of the node's simulated chain: the initial height at creation, +1 every block time. */
export function simulatedHeight(node: KubeObject, nowMs: number): number {
  const created = parseTime(node.metadata.creationTimestamp) ?? nowMs;
  const { blockTimeMs, initialHeight } = readKnobs(node);
  return initialHeight + Math.floor(Math.max(0, nowMs - created) / blockTimeMs);
}

/** The moment the node's simulated height reaches `height`. */
export function timeOfHeight(node: KubeObject, height: number, nowMs: number): number {
  const created = parseTime(node.metadata.creationTimestamp) ?? nowMs;
  const { blockTimeMs, initialHeight } = readKnobs(node);
  return created + Math.max(0, height - initialHeight) * blockTimeMs;
}

/** A CometBFT node id (40 hex chars) derived from the SeiNode's uid, stable for its lifetime. */
export function cometNodeId(node: KubeObject): string {
  return createHash('sha256').update(node.metadata.uid ?? node.metadata.name ?? '').digest('hex').slice(0, 40);
}

/**
 * The node's pods: the StatefulSet ordinals `<node>-0`, `<node>-1`, ... that carry the
 * `sei.io/node` label (the contract the real controller keeps; ownerReferences are not used, as
 * pods seeded from a real cluster are owned by a StatefulSet). Looked up by name, not by listing
 * the namespace, so a fleet's reconciles stay O(replicas) each.
 */
export function podsOfNode(ctx: ReconcileContext, namespace: string, name: string, atLeast = 1): KubeObject[] {
  const pods: KubeObject[] = [];
  for (let ordinal = 0; ; ordinal++) {
    const pod = ctx.store.get('pods', namespace, `${name}-${ordinal}`);
    if (pod?.metadata.labels?.[NODE_LABEL] === name) pods.push(pod);
    else if (ordinal >= atLeast) break;
  }
  return pods;
}

export function podIsReady(pod: KubeObject): boolean {
  const conditions = (asObject(pod.status).conditions ?? []) as Json[];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function labelSources(node: KubeObject): Json[] {
  const peers = (asObject(node.spec).peers ?? []) as unknown[];
  return peers.map(asObject).filter((peer) => peer.label !== undefined).map((peer) => asObject(peer.label));
}

export function resolveLabelPeers(ctx: ReconcileContext, node: KubeObject): string[] | undefined {
  const sources = labelSources(node);
  if (sources.length === 0) return undefined;
  const found = new Set<string>();
  for (const source of sources) {
    const namespace = typeof source.namespace === 'string' && source.namespace !== '' ? source.namespace : node.metadata.namespace ?? '';
    const selector = asObject(source.selector) as Record<string, string>;
    for (const peer of ctx.store.list('seinodes', namespace)) {
      if (peer.metadata.name === node.metadata.name && namespace === node.metadata.namespace) continue;
      const labels = peer.metadata.labels ?? {};
      if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
      const name = peer.metadata.name ?? '';
      found.add(`${cometNodeId(peer)}@${name}-0.${name}.${namespace}.svc.cluster.local:${P2P_PORT}`);
    }
  }
  return [...found].sort();
}

/** The reference a real StatefulSet would carry; the sim has no StatefulSet objects. */
export function statefulSetRef(node: KubeObject): { name: string; uid: string } {
  const name = node.metadata.name ?? '';
  return { name, uid: uuidv5(`statefulset/${node.metadata.uid ?? name}`, STATEFULSET_UID_NAMESPACE) };
}

function newPod(node: KubeObject, podName: string, image: string | undefined, now: number): KubeObject {
  const namespace = node.metadata.namespace;
  const started = toTime(now);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace,
      labels: { [NODE_LABEL]: node.metadata.name ?? '', 'statefulset.kubernetes.io/pod-name': podName },
      annotations: { [POD_STARTED_AT]: new Date(now).toISOString() },
      ownerReferences: [
        { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', name: node.metadata.name, uid: node.metadata.uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { containers: [{ name: 'seid', image: image ?? 'seid' }], restartPolicy: 'Always', nodeName: 'sim-node' },
    status: {
      phase: 'Running',
      startTime: started,
      podIP: `10.0.${randomInt(0, 256)}.${randomInt(2, 255)}`,
      conditions: [
        { type: 'Ready', status: 'False', lastTransitionTime: started, reason: 'ContainersNotReady' },
        { type: 'ContainersReady', status: 'False', lastTransitionTime: started, reason: 'ContainersNotReady' },
      ],
      containerStatuses: [
        { name: 'seid', image: image ?? 'seid', imageID: '', ready: false, started: true, restartCount: 0, state: { running: { startedAt: started } } },
      ],
    },
  };
}

/** The StatefulSet controller and kubelet's part: the node's pods exist, at the template's image, and get Ready. */
export function reconcilePods(ctx: ReconcileContext, node: KubeObject): void {
  const namespace = node.metadata.namespace ?? '';
  const name = node.metadata.name ?? '';
  const knobs = readKnobs(node);
  const image = typeof asObject(node.spec).image === 'string' ? (asObject(node.spec).image as string) : undefined;
  const now = ctx.now();
  const wanted = new Set(Array.from({ length: knobs.replicas }, (_, i) => `${name}-${i}`));
  for (const pod of podsOfNode(ctx, namespace, name, knobs.replicas)) {
    if (!wanted.has(pod.metadata.name ?? '')) ctx.store.delete('pods', namespace, pod.metadata.name ?? '');
  }
  for (const podName of wanted) {
    let pod = ctx.store.get('pods', namespace, podName);
    if (!pod) {
      pod = ctx.store.create('pods', newPod(node, podName, image, now));
    }
    // A same-named pod of someone else (not labelled for this node) is left alone.
    if (pod.metadata.labels?.[NODE_LABEL] !== name) continue;
    syncPod(ctx, node, pod, knobs.podNeverReady, knobs.podReadyAfterMs);
  }
}

function syncPod(ctx: ReconcileContext, node: KubeObject, pod: KubeObject, neverReady: boolean, readyAfterMs: number): void {
  const now = ctx.now();
  const startedAt = Date.parse(String(pod.metadata.annotations?.[POD_STARTED_AT] ?? '')) || parseTime(asObject(pod.status).startTime) || now;
  const readyAt = startedAt + readyAfterMs;
  const ready = !neverReady && now >= readyAt;
  if (!ready && !neverReady) ctx.requeueAt(nodeKey(node.metadata.namespace ?? '', node.metadata.name ?? ''), readyAt);

  // The StatefulSet rolls OnDelete: a running pod keeps its image until the node's update plan
  // replaces it (replace-pod), and the recreated pod gets the new template.
  const status = structuredClone(asObject(pod.status));
  const wantStatus = ready ? 'True' : 'False';
  const conditions = ((status.conditions ?? []) as Json[]).map((c) => {
    if ((c.type === 'Ready' || c.type === 'ContainersReady') && c.status !== wantStatus) {
      const next: Json = { ...c, status: wantStatus, lastTransitionTime: toTime(now) };
      if (ready) delete next.reason;
      else next.reason = 'ContainersNotReady';
      return next;
    }
    return c;
  });
  status.conditions = conditions;
  status.containerStatuses = ((status.containerStatuses ?? []) as Json[]).map((c) => (c.name === 'seid' ? { ...c, ready } : c));
  if (!isDeepStrictEqual(status, pod.status)) ctx.store.updateStatus('pods', { ...pod, status });
}

/**
 * Restarts the seid container in place: same pod and uid, restartCount + 1, NotReady until the
 * readiness delay has passed again. Returns the new restart count.
 */
export function restartSeidInPlace(ctx: ReconcileContext, pod: KubeObject): number {
  const now = ctx.now();
  const updated = ctx.store.update('pods', {
    ...pod,
    metadata: { ...pod.metadata, annotations: { ...pod.metadata.annotations, [POD_STARTED_AT]: new Date(now).toISOString() } },
  });
  const status = structuredClone(asObject(updated.status));
  let count = 0;
  status.containerStatuses = ((status.containerStatuses ?? []) as Json[]).map((c) => {
    if (c.name !== 'seid') return c;
    count = Number(c.restartCount ?? 0) + 1;
    return {
      ...c,
      ready: false,
      restartCount: count,
      lastState: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: toTime(now) } },
      state: { running: { startedAt: toTime(now) } },
    };
  });
  status.conditions = ((status.conditions ?? []) as Json[]).map((c) =>
    c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'ContainersNotReady', lastTransitionTime: toTime(now) } : c,
  );
  ctx.store.updateStatus('pods', { ...updated, status });
  return count;
}

export function seidRestartCount(pod: KubeObject): number {
  const statuses = (asObject(pod.status).containerStatuses ?? []) as Json[];
  return Number(statuses.find((c) => c.name === 'seid')?.restartCount ?? 0);
}

