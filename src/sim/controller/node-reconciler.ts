/**
 * The SeiNode reconcile of the simulated controller, in upstream's order
 * (internal/controller/node/controller.go:83 Reconcile, 2d670ad; 204c1c0 has no workflow, state
 * sync gate or endpoint): deletion behind the `sei.io/seinode-finalizer` (Terminating), the
 * finalizer, the Paused and StateSyncReady conditions, Failed and paused early returns, label
 * peers, the workflow half (workflows.ts), then the drift plan: an init plan that moves the phase
 * "" -> Initializing -> Running (never Pending), an image roll through the update plan, a
 * mark-ready plan when the sidecar lost readiness; then one status write. The node's pods (the
 * StatefulSet controller and kubelet's part) are kept in nodes.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../types.js';
import { toTime } from './time.js';
import { findCondition, setCondition } from './conditions.js';
import { asObject, nodeKey, type Json, type ReconcileContext } from './context.js';
import { recordEvent } from './events.js';
import { readKnobs } from './knobs.js';
import { labelSources, NODE_LABEL, podsOfNode, reconcilePods, resolveLabelPeers, statefulSetRef } from './nodes.js';
import { readPlanKnobs } from './plan-knobs.js';
import {
  buildInitPlan,
  buildMarkReadyPlan,
  buildUpdatePlan,
  executePlan,
  forgetPlan,
  nodeMode,
  planFailureMessage,
  STATUS_POLL_MS,
  type PlanEnvironment,
  type TaskPlan,
} from './plans.js';
import { reconcileWorkflow, releaseWorkflowFinalizersForNode, WORKFLOW_RESOURCE, workflowTargetKey, type WorkflowHost } from './workflows.js';
import { objectKey, type Reconciler } from './registry.js';

/** controller.go:36 nodeFinalizerName. */
export const NODE_FINALIZER = 'sei.io/seinode-finalizer';
/** The controller-wide sidecar image (upstream: SEI_SIDECAR_IMAGE) the sim renders when spec.sidecar.image is unset. */
export const DEFAULT_SIDECAR_IMAGE = 'ghcr.io/sei-protocol/seictl:v0.0.68';
/** noderesource.go:113 RBACProxyPort: the sidecar's address (SidecarURLForNode). */
const SIDECAR_PORT = 8443;

export function reconcileNode(ctx: ReconcileContext, namespace: string, name: string): void {
  const key = nodeKey(namespace, name);
  let node = ctx.store.get('seinodes', namespace, name);
  if (!node) {
    // Garbage collection: the node's pods go with it (ownerReferences). A deleted node's
    // replica count is unknown, so this one pass lists the namespace.
    for (const pod of ctx.store.list('pods', namespace)) {
      if (pod.metadata.labels?.[NODE_LABEL] === name) ctx.store.delete('pods', namespace, pod.metadata.name ?? '');
    }
    return;
  }
  if (node.metadata.deletionTimestamp !== undefined) {
    handleNodeDeletion(ctx, node);
    return;
  }
  // controller.go:348 ensureNodeFinalizer: a metadata update before the status base is taken.
  const finalizers = node.metadata.finalizers ?? [];
  if (!finalizers.includes(NODE_FINALIZER)) node = ctx.store.update('seinodes', { ...node, metadata: { ...node.metadata, finalizers: [...finalizers, NODE_FINALIZER] } });

  const live = node;
  const status: Json = structuredClone(asObject(live.status));
  const observedPhase = typeof status.phase === 'string' ? status.phase : '';
  const prevSidecar = findCondition(status.conditions, 'SidecarReady');
  const prevStateSync = findCondition(status.conditions, 'StateSyncReady');
  const generation = live.metadata.generation ?? 1;
  const spec = asObject(live.spec);
  const setCond = (type: string, condStatus: 'True' | 'False' | 'Unknown', reason: string, message: string): void => {
    status.conditions = setCondition(status.conditions, { type, status: condStatus, reason, message, observedGeneration: generation }, ctx.now());
  };
  let flushed: KubeObject = live;
  const flush = (): void => {
    if (!isDeepStrictEqual(status, flushed.status ?? {})) flushed = ctx.store.updateStatus('seinodes', { ...flushed, metadata: { ...flushed.metadata, resourceVersion: undefined }, status: structuredClone(status) });
  };
  const setPhase = (phase: string): void => {
    status.phase = phase;
    status.phaseTransitionTime = toTime(ctx.now());
  };

  // controller.go:410 setNodePausedCondition.
  if (spec.paused === true) setCond('Paused', 'True', 'Paused', 'spec.paused is true; reconciliation is frozen');
  else setCond('Paused', 'False', 'NotPaused', 'spec.paused is unset or false');
  const stateSyncBlocked = ctx.crd === 'latest' && reconcileStateSyncGate(live, status, setCond);

  // The sim.sei.io/phase knob pins the phase and takes the planner out of the picture.
  const held = readKnobs(live).heldPhase;
  if (held !== undefined && status.phase !== held) setPhase(held);

  // controller.go:150 holdInitialSTS: no StatefulSet (so no pod) is created while the state-sync
  // gate holds back the init plan that would create the data volume it mounts.
  const holdInitialSts = stateSyncBlocked && status.phase !== 'Running' && status.statefulSet === undefined;
  if (!holdInitialSts) status.statefulSet = statefulSetRef(live);
  const syncPods = (): void => {
    if (!holdInitialSts) reconcilePods(ctx, flushed);
  };
  if (status.phase === 'Failed') {
    // controller.go:131: Failed is terminal — flush and stop, with the plan that failed kept.
    flush();
    recordEvent(ctx, flushed, 'Warning', 'NodeFailed', 'SeiNode is in Failed state. Delete and recreate the resource to retry.');
    syncPods();
    return;
  }
  if (spec.paused === true) {
    flush();
    syncPods();
    return;
  }

  const resolved = resolveLabelPeers(ctx, live);
  if (resolved === undefined) delete status.resolvedPeers;
  else status.resolvedPeers = resolved;

  const knobs = readPlanKnobs(live);
  const planEnvironment = (memoPrefix: string): PlanEnvironment => ({
    ctx,
    key,
    memoPrefix,
    failTask: knobs.failTask,
    stallTask: knobs.stallTask,
    sidecar: knobs.sidecar,
    effects: {
      replacePod: () => replaceOldRevisionPods(ctx, flushed),
      observeImage: () => {
        if (!imageRolledOut(ctx, flushed)) return false;
        // observe_image.go:77: both current images stamped when the rollout completed.
        status.currentImage = asObject(flushed.spec).image;
        status.currentSidecarImage = effectiveSidecarImage(flushed);
        return true;
      },
    },
    setPhase,
  });

  let suppress = false;
  if (ctx.crd === 'latest' && held === undefined) {
    const host: WorkflowHost = { ctx, node: live, status, flushNode: flush, planEnvironment };
    const outcome = reconcileWorkflow(host);
    if (outcome.handled) {
      syncPods();
      return;
    }
    suppress = outcome.suppress;
  }

  if (!suppress && held === undefined) resolveDriftPlan(ctx, live, status, { prevSidecar, prevStateSync, setCond, setPhase, planEnvironment });
  flush();
  if (status.phase !== observedPhase && held === undefined) {
    recordEvent(ctx, flushed, 'Normal', 'PhaseTransition', `Phase changed from ${observedPhase} to ${String(status.phase ?? '')}`);
  }
  syncPods();
}

interface DriftContext {
  prevSidecar: Json | undefined;
  prevStateSync: Json | undefined;
  setCond(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string): void;
  setPhase(phase: string): void;
  planEnvironment(memoPrefix: string): PlanEnvironment;
}

/** controller.go:254 resolveDriftPlan = planner.go:136 ResolvePlan, then the executor. */
function resolveDriftPlan(ctx: ReconcileContext, node: KubeObject, status: Json, drift: DriftContext): void {
  const key = nodeKey(node.metadata.namespace ?? '', node.metadata.name ?? '');
  const memoPrefix = `${key}#plan`;
  const planAlreadyActive = asObject(status.plan).phase === 'Active';
  const running = status.phase === 'Running';
  // sidecar_probe.go: only a Running node is probed; the init plan owns the sidecar before.
  if (running) probeSidecar(node, readPlanKnobs(node).sidecar, drift.setCond);

  if (!planAlreadyActive) {
    // A failed plan of a Running node is cleared and rebuilt on the next steady-state poll, not
    // at once (upstream reconciles on requeues, not on its own status writes).
    const failed = asObject(status.plan).phase === 'Failed' && running;
    const failedAt = ctx.memo.get(`${memoPrefix}#failedAt`) ?? ctx.now();
    if (failed && ctx.now() < failedAt + STATUS_POLL_MS) {
      ctx.memo.set(`${memoPrefix}#failedAt`, failedAt);
      ctx.requeueAt(key, failedAt + STATUS_POLL_MS);
      emitSidecarReadinessEvent(ctx, node, findCondition(status.conditions, 'SidecarReady'), drift.prevSidecar);
      return;
    }
    const finished = status.plan as TaskPlan | undefined;
    handleTerminalPlan(status, drift.setCond);
    if (finished && status.plan === undefined) forgetPlan(ctx, memoPrefix, finished);
    const plan = stateSyncBlocksPlan(node, status) ? undefined : buildPlan(ctx, node, status, drift);
    if (plan) {
      status.plan = plan;
      if (status.phase === undefined || status.phase === '' || status.phase === 'Pending') drift.setPhase('Initializing');
    }
  }
  emitSidecarReadinessEvent(ctx, node, findCondition(status.conditions, 'SidecarReady'), drift.prevSidecar);
  emitStateSyncBlockedEvent(ctx, node, findCondition(status.conditions, 'StateSyncReady'), drift.prevStateSync);

  const plan = status.plan as TaskPlan | undefined;
  // A new plan is persisted and visible before it runs (controller.go:270).
  if (!planAlreadyActive && plan) ctx.requeueAt(key, ctx.now());
  else if (plan?.phase === 'Active') executePlan(plan, drift.planEnvironment(memoPrefix));
  // A finished plan is cleared on the next reconcile; a failed one after a steady-state poll.
  if (plan?.phase === 'Complete') ctx.requeueAt(key, ctx.now());
  if (plan?.phase === 'Failed' && status.phase === 'Running') {
    ctx.memo.set(`${memoPrefix}#failedAt`, ctx.now());
    ctx.requeueAt(key, ctx.now() + STATUS_POLL_MS);
  }

  if (ctx.crd === 'latest' && status.phase === 'Running') {
    const endpoint = composeNodeEndpoints(node);
    if (endpoint) status.endpoint = endpoint;
    else delete status.endpoint;
  }
}

/** planner.go:211 handleTerminalPlan: clears a finished plan and closes NodeUpdateInProgress. */
function handleTerminalPlan(status: Json, setCond: DriftContext['setCond']): void {
  const plan = status.plan as TaskPlan | undefined;
  if (!plan) return;
  const updating = findCondition(status.conditions, 'NodeUpdateInProgress')?.status === 'True';
  if (plan.phase === 'Complete') {
    if (updating) setCond('NodeUpdateInProgress', 'False', 'UpdateComplete', `plan ${plan.id ?? ''} completed`);
    delete status.plan;
  } else if (plan.phase === 'Failed') {
    if (updating) setCond('NodeUpdateInProgress', 'False', 'UpdateFailed', `plan ${plan.id ?? ''} failed: ${planFailureMessage(plan, 'unknown')}`);
    delete status.plan;
  }
}

/** The mode planner's BuildPlan (full.go:35 and its siblings). */
function buildPlan(ctx: ReconcileContext, node: KubeObject, status: Json, drift: DriftContext): TaskPlan | undefined {
  if (!nodeMode(node)) return undefined;
  const view: KubeObject = { ...node, status };
  if (status.phase !== 'Running') return buildInitPlan(view, ctx.crd);
  const spec = asObject(node.spec);
  const seidDrift = spec.image !== status.currentImage;
  // planner.go:750: an unobserved sidecar image is no drift.
  const sidecarDrift = typeof status.currentSidecarImage === 'string' && status.currentSidecarImage !== '' && effectiveSidecarImage(node) !== status.currentSidecarImage;
  if (seidDrift || sidecarDrift) {
    drift.setCond('NodeUpdateInProgress', 'True', 'UpdateStarted', imageDriftMessage(node, status, seidDrift, sidecarDrift));
    return buildUpdatePlan(view, ctx.crd);
  }
  const sidecar = findCondition(status.conditions, 'SidecarReady');
  if (sidecar?.status === 'False' && sidecar.reason === 'NotReady') return buildMarkReadyPlan(view, ctx.crd);
  return undefined;
}

/** planner.go:760 imageDriftMessage. */
function imageDriftMessage(node: KubeObject, status: Json, seid: boolean, sidecar: boolean): string {
  const image = String(asObject(node.spec).image ?? '');
  const current = String(status.currentImage ?? '');
  if (seid && sidecar) return `image drift detected: seid spec=${image} current=${current}; sidecar spec=${effectiveSidecarImage(node)} current=${String(status.currentSidecarImage ?? '')}`;
  if (sidecar) return `sidecar image drift detected: spec=${effectiveSidecarImage(node)} current=${String(status.currentSidecarImage ?? '')}`;
  return `image drift detected: spec=${image} current=${current}`;
}

export function effectiveSidecarImage(node: KubeObject): string {
  const image = asObject(asObject(node.spec).sidecar).image;
  return typeof image === 'string' && image !== '' ? image : DEFAULT_SIDECAR_IMAGE;
}

/** sidecar_probe.go probeSidecarHealth, answered by the sim.sei.io/sidecar knob. */
function probeSidecar(node: KubeObject, health: 'ready' | 'not-ready' | 'unreachable', setCond: DriftContext['setCond']): void {
  if (health === 'ready') setCond('SidecarReady', 'True', 'Ready', 'sidecar returned 200');
  else if (health === 'not-ready') setCond('SidecarReady', 'False', 'NotReady', 'sidecar returned 503, re-issuing mark-ready');
  else {
    const name = node.metadata.name ?? '';
    const url = `http://${name}-0.${name}.${node.metadata.namespace ?? ''}.svc.cluster.local:${SIDECAR_PORT}/v0/healthz`;
    setCond('SidecarReady', 'Unknown', 'Unreachable', `sidecar Healthz error: Get "${url}": dial tcp: connect: connection refused`);
  }
}

/** controller.go:427 emitSidecarReadinessEvent: only on a transition. */
function emitSidecarReadinessEvent(ctx: ReconcileContext, node: KubeObject, current: Json | undefined, previous: Json | undefined): void {
  if (!current) return;
  if (current.status === 'False' && current.reason === 'NotReady' && previous?.status !== 'False') {
    recordEvent(ctx, node, 'Warning', 'SidecarReadinessLost', 'sidecar Healthz returned 503; controller will re-issue mark-ready');
  } else if (current.status === 'True' && previous?.status === 'False') {
    recordEvent(ctx, node, 'Normal', 'SidecarReadinessRestored', 'sidecar Healthz returned 200; mark-ready gate is open');
  }
}

/** controller.go:448 emitStateSyncBlockedEvent: once, on the transition into a fail-closed reason. */
function emitStateSyncBlockedEvent(ctx: ReconcileContext, node: KubeObject, current: Json | undefined, previous: Json | undefined): void {
  if (!current || current.status === 'True') return;
  if (current.reason !== 'NoSyncersConfigured' && current.reason !== 'SyncerSourceError') return;
  if (previous && previous.status === current.status && previous.reason === current.reason) return;
  const chain = JSON.stringify(String(asObject(node.spec).chainId ?? ''));
  recordEvent(ctx, node, 'Warning', 'StateSyncBlocked', `state sync enabled but not ready for chain ${chain} (${String(current.reason)}); not building plan`);
}

function snapshotSource(node: KubeObject): Json | undefined {
  const mode = nodeMode(node);
  const source = mode ? asObject(asObject(node.spec)[mode]).snapshot : undefined;
  return source !== undefined && source !== null && typeof source === 'object' ? (source as Json) : undefined;
}

/**
 * statesync.go reconcileStateSyncGate (2d670ad). Canonical syncers come from the controller's
 * config file upstream; the sim has none, so a node's seeded status.resolvedStateSyncers stand in
 * for it (spec rpcServers still win, as upstream). Returns whether the gate blocks.
 */
function reconcileStateSyncGate(node: KubeObject, status: Json, setCond: DriftContext['setCond']): boolean {
  const snap = snapshotSource(node);
  const chain = String(asObject(node.spec).chainId ?? '');
  if (!snap) {
    delete status.resolvedStateSyncers;
    setCond('StateSyncReady', 'False', 'NotApplicable', 'node does not bootstrap from a snapshot');
    return false;
  }
  const declared = [...new Set(((snap.rpcServers ?? []) as string[]).filter((s) => typeof s === 'string'))].sort();
  if (declared.length >= 2) {
    status.resolvedStateSyncers = declared;
    setCond('StateSyncReady', 'True', 'Ready', `${declared.length} rpc-servers declared on spec for chain ${JSON.stringify(chain)}`);
    return false;
  }
  const canonical = [...new Set(((status.resolvedStateSyncers ?? []) as string[]).filter((s) => typeof s === 'string'))].sort();
  if (canonical.length < 2) {
    delete status.resolvedStateSyncers;
    setCond(
      'StateSyncReady',
      'False',
      'NoSyncersConfigured',
      `state sync requires >=2 canonical syncers configured for chain ${JSON.stringify(chain)}; found ${canonical.length} — register syncers for the chain in the controller config, or declare >=2 spec.fullNode.snapshot.rpcServers on the SeiNode`,
    );
    return true;
  }
  status.resolvedStateSyncers = canonical;
  setCond('StateSyncReady', 'True', 'Ready', `${canonical.length} canonical syncers configured for chain ${JSON.stringify(chain)}`);
  return false;
}

/** planner.go:198 StateSyncBlocksPlan: pre-Running only, snapshot nodes only, condition not True. */
function stateSyncBlocksPlan(node: KubeObject, status: Json): boolean {
  if (status.phase === 'Running' || !snapshotSource(node)) return false;
  const condition = findCondition(status.conditions, 'StateSyncReady');
  return condition !== undefined && condition.status !== 'True';
}

/** endpoints.go composeNodeEndpoints: only modes that serve EVM (fullNode, archive). */
function composeNodeEndpoints(node: KubeObject): Json | undefined {
  const mode = nodeMode(node);
  if (mode !== 'fullNode' && mode !== 'archive') return undefined;
  const host = `${node.metadata.name ?? ''}.${node.metadata.namespace ?? ''}.svc`;
  return { evmJsonRpc: `http://${host}:8545`, evmWs: `ws://${host}:8546`, tendermintRpc: `http://${host}:26657`, tendermintRest: `http://${host}:1317` };
}

/** replace_pod.go: deletes the pods still at the old revision (not running spec.image); done once none is left. */
function replaceOldRevisionPods(ctx: ReconcileContext, node: KubeObject): boolean {
  const namespace = node.metadata.namespace ?? '';
  const image = asObject(node.spec).image;
  for (const pod of podsOfNode(ctx, namespace, node.metadata.name ?? '', readKnobs(node).replicas)) {
    if (podImage(pod) !== image) ctx.store.delete('pods', namespace, pod.metadata.name ?? '');
  }
  return true;
}

/** observe_image.go: the rollout is complete when every replica runs the template's image. */
function imageRolledOut(ctx: ReconcileContext, node: KubeObject): boolean {
  const replicas = readKnobs(node).replicas;
  const pods = podsOfNode(ctx, node.metadata.namespace ?? '', node.metadata.name ?? '', replicas);
  return pods.length >= replicas && pods.every((pod) => podImage(pod) === asObject(node.spec).image);
}

function podImage(pod: KubeObject): unknown {
  const containers = (asObject(pod.spec).containers ?? []) as Json[];
  return containers.find((c) => c.name === 'seid')?.image;
}

/** controller.go:356 handleNodeDeletion: Terminating, workflows released, finalizer off. */
function handleNodeDeletion(ctx: ReconcileContext, node: KubeObject): void {
  if (!(node.metadata.finalizers ?? []).includes(NODE_FINALIZER)) return;
  const written = ctx.store.updateStatus('seinodes', { ...node, metadata: { ...node.metadata, resourceVersion: undefined }, status: { ...asObject(node.status), phase: 'Terminating' } });
  releaseWorkflowFinalizersForNode(ctx, written);
  ctx.store.update('seinodes', { ...written, metadata: { ...written.metadata, resourceVersion: undefined, finalizers: (written.metadata.finalizers ?? []).filter((f) => f !== NODE_FINALIZER) } });
}

/**
 * The SeiNode reconciler's registration: a node's own events and its pods' events wake it; a
 * node with label peer sources is also woken when any node's labels change or a node comes or
 * goes (what its selector resolves may change), but not on status churn, so a fleet stays O(1)
 * per event.
 */
export function nodeReconciler(): Reconciler {
  /** Nodes with label peer sources: any node change may alter what they resolve. */
  const labelSelecting = new Set<string>();
  /** Last seen labels per node key, to tell a label change from a status change. */
  const nodeLabels = new Map<string, string>();
  return {
    resource: 'seinodes',
    reconcile(ctx, namespace, name) {
      reconcileNode(ctx, namespace, name);
      const key = nodeKey(namespace, name);
      const node = ctx.store.get('seinodes', namespace, name);
      if (node && labelSources(node).length > 0) labelSelecting.add(key);
      else labelSelecting.delete(key);
    },
    wakes: {
      *seinodes(event, queue) {
        const key = objectKey('seinodes', event.object);
        yield key;
        // The final reconcile (garbage-collecting pods) is queued above; pending timers for a
        // deleted node have nothing left to do.
        if (event.type === 'DELETED') queue.forget(key);
        const labels = event.type === 'DELETED' ? undefined : JSON.stringify(event.object.metadata.labels ?? {});
        if (labels === nodeLabels.get(key)) return;
        if (labels === undefined) nodeLabels.delete(key);
        else nodeLabels.set(key, labels);
        for (const selecting of labelSelecting) if (selecting !== key) yield selecting;
      },
      // A workflow has no controller of its own: its target node adopts, drives and finalizes it,
      // woken by every create, update and delete (upstream workflow.go:765 enqueueWorkflowTarget).
      *[WORKFLOW_RESOURCE](event) {
        yield workflowTargetKey(event.object);
      },
      *pods(event) {
        const node = event.object.metadata.labels?.[NODE_LABEL];
        if (node !== undefined) yield nodeKey(event.object.metadata.namespace ?? '', node);
      },
    },
  };
}
