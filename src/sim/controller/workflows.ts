/**
 * SeiNodeTaskWorkflow adoption and execution, the workflow half of the SeiNode reconcile, as
 * upstream's internal/controller/node/workflow.go (2d670ad) does it: a Running full node adopts
 * the oldest pending workflow aimed at it (creationTimestamp, then name), queues the others,
 * gates on requirePhase, compiles the recipe (failing PlanBuildFailed before holding the node),
 * commits its pointer node-first, runs the plan with the generic executor, releases the node on
 * Complete and holds it on Failed; deletion of an adopted workflow is parked behind its finalizer
 * until the force annotation is set. Workflows have no controller of their own: everything here
 * runs inside the target node's reconcile and writes the workflow through the store.
 */
import type { KubeObject } from '../types.js';
import { parseGoDuration, parseTime, toTime } from './time.js';
import { formatGoDuration } from '../../domain/go-duration.js';
import { findCondition, setCondition, type ConditionInput } from './conditions.js';
import { asObject, nodeKey, type Json, type ReconcileContext } from './context.js';
import { recordEvent } from './events.js';
import { buildWorkflowPlan, executePlan, forgetPlan, nodeMode, planFailureMessage, type PlanEnvironment, type TaskPlan } from './plans.js';

export const WORKFLOW_RESOURCE = 'seinodetaskworkflows';
/** seinodetaskworkflow_types.go:100 SeiNodeTaskWorkflowFinalizer. */
export const WORKFLOW_FINALIZER = 'sei.io/seinodetaskworkflow-finalizer';
/** seinodetaskworkflow_types.go:95 WorkflowForceDeleteAnnotation. */
export const FORCE_DELETE_ANNOTATION = 'sei.io/force-delete-workflow';
/** workflow.go:37 defaultWorkflowRequirePhaseTimeout. */
const DEFAULT_REQUIRE_PHASE_TIMEOUT_MS = 5 * 60_000;

export interface WorkflowOutcome {
  /** A workflow occupies the node (driving or parked held): no drift plan this reconcile. */
  suppress: boolean;
  /** The adopting reconcile wrote the node itself; the caller returns at once. */
  handled: boolean;
}

/** What the node reconcile lends the workflow half. */
export interface WorkflowHost {
  ctx: ReconcileContext;
  node: KubeObject;
  /** The node's status draft; the caller flushes it (except on adoption, see flushNode). */
  status: Json;
  /** Writes the draft now (the node-first commit of an adoption). */
  flushNode(): void;
  /** The executor's environment for this node, keyed by the plan owner's memo prefix. */
  planEnvironment(memoPrefix: string): PlanEnvironment;
}

function targetName(workflow: KubeObject): string {
  const name = asObject(asObject(asObject(workflow.spec).target).nodeRef).name;
  return typeof name === 'string' ? name : '';
}

/** The workflows aimed at a node (upstream's field index spec.target.nodeRef.name). */
export function workflowsTargeting(ctx: ReconcileContext, namespace: string, nodeName: string): KubeObject[] {
  return ctx.store.list(WORKFLOW_RESOURCE, namespace).filter((wf) => targetName(wf) === nodeName);
}

/** The node a workflow event must wake (workflow.go:765 enqueueWorkflowTarget). */
export function workflowTargetKey(workflow: KubeObject): string {
  return nodeKey(workflow.metadata.namespace ?? '', targetName(workflow));
}

function setWorkflowInProgress(host: WorkflowHost, status: 'True' | 'False', reason: string, message: string): void {
  host.status.conditions = setCondition(
    host.status.conditions,
    { type: 'WorkflowInProgress', status, reason, message, observedGeneration: host.node.metadata.generation ?? 0 },
    host.ctx.now(),
  );
}

/** workflow.go:56 reconcileWorkflow. */
export function reconcileWorkflow(host: WorkflowHost): WorkflowOutcome {
  if (host.status.adoptedWorkflow) return driveAdoptedWorkflow(host);
  if (host.status.phase !== 'Running') return { suppress: false, handled: false };
  // workflow.go:713 seedWorkflowInProgress: always present once Running.
  if (!findCondition(host.status.conditions, 'WorkflowInProgress')) setWorkflowInProgress(host, 'False', 'NoWorkflow', 'no workflow adopted');
  return maybeAdoptWorkflow(host);
}

/** workflow.go:89 driveAdoptedWorkflow. */
function driveAdoptedWorkflow(host: WorkflowHost): WorkflowOutcome {
  const pointer = asObject(host.status.adoptedWorkflow);
  const workflow = host.ctx.store.get(WORKFLOW_RESOURCE, host.node.metadata.namespace, String(pointer.name ?? ''));
  if (!workflow || workflow.metadata.uid !== pointer.uid) {
    delete host.status.adoptedWorkflow;
    setWorkflowInProgress(host, 'False', 'NoWorkflow', 'adopted workflow no longer present');
    return { suppress: false, handled: false };
  }
  if (workflow.metadata.deletionTimestamp !== undefined) return finalizeWorkflow(host, workflow);

  const plan = asObject(workflow.status).plan as TaskPlan | undefined;
  if (plan?.phase === 'Complete') {
    releaseCompletedWorkflow(host, workflow);
    return { suppress: false, handled: false };
  }
  if (plan?.phase === 'Failed') {
    setWorkflowInProgress(host, 'True', 'WorkflowFailedHeld', 'workflow failed; node held pending re-run or deletion');
    return { suppress: true, handled: false };
  }

  setWorkflowInProgress(host, 'True', 'WorkflowRunning', `driving workflow ${workflow.metadata.name ?? ''}`);
  // workflow.go:136: the deletion gate is ensured on every drive step, not only at adoption.
  const gated = patchWorkflowFinalizer(host.ctx, workflow, true);
  if (!plan) {
    // An adoption interrupted before its plan was persisted: rebuild, persist, no execution.
    const built = buildWorkflowPlan(host.node, gated, host.ctx.crd);
    if ('error' in built) failWorkflow(host.ctx, gated, 'PlanBuildFailed', built.error);
    else persistWorkflowPlan(host.ctx, gated, built);
    host.ctx.requeueAt(nodeKey(host.node.metadata.namespace ?? '', host.node.metadata.name ?? ''), host.ctx.now());
    return { suppress: true, handled: false };
  }
  return executeWorkflow(host, gated);
}

/** workflow.go:156 executeWorkflow. */
function executeWorkflow(host: WorkflowHost, workflow: KubeObject): WorkflowOutcome {
  const { ctx, node } = host;
  const status = structuredClone(asObject(workflow.status));
  const generation = workflow.metadata.generation ?? 1;
  status.observedGeneration = generation;
  if (status.phase === undefined || status.phase === 'Pending') status.phase = 'Running';
  const plan = status.plan as TaskPlan;
  executePlan(plan, host.planEnvironment(workflowMemoPrefix(node, workflow)));
  const name = workflow.metadata.name ?? '';
  const nodeName = node.metadata.name ?? '';
  if (plan.phase === 'Complete') {
    status.phase = 'Complete';
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'True', reason: 'WorkflowComplete', message: 'recipe completed', observedGeneration: generation }, ctx.now());
  } else if (plan.phase === 'Failed') {
    status.phase = 'Failed';
    status.conditions = setCondition(
      status.conditions,
      { type: 'Failed', status: 'True', reason: 'WorkflowFailed', message: planFailureMessage(plan, 'workflow plan failed'), observedGeneration: generation },
      ctx.now(),
    );
  }
  const written = ctx.store.updateStatus(WORKFLOW_RESOURCE, { ...workflow, status });
  if (plan.phase === 'Complete') {
    recordEvent(ctx, written, 'Normal', 'WorkflowComplete', `workflow ${name} completed on node ${nodeName}`);
    releaseCompletedWorkflow(host, written);
    return { suppress: false, handled: false };
  }
  if (plan.phase === 'Failed') {
    recordEvent(ctx, written, 'Warning', 'WorkflowFailed', `workflow ${name} failed on node ${nodeName}; node held`);
    setWorkflowInProgress(host, 'True', 'WorkflowFailedHeld', 'workflow failed; node held pending re-run or deletion');
    return { suppress: true, handled: false };
  }
  return { suppress: true, handled: false };
}

/** workflow.go:229 maybeAdoptWorkflow. */
function maybeAdoptWorkflow(host: WorkflowHost): WorkflowOutcome {
  const { ctx, node } = host;
  const namespace = node.metadata.namespace ?? '';
  const nodeName = node.metadata.name ?? '';
  const aimed = workflowsTargeting(ctx, namespace, nodeName);
  // workflow.go:485 reapCompletedWorkflowFinalizers: a pruned Complete workflow is never wedged.
  for (const wf of aimed) if (asObject(wf.status).phase === 'Complete') patchWorkflowFinalizer(ctx, wf, false);

  // workflow.go:527 pendingWorkflowsForNode: first wins by creationTimestamp, then name.
  const candidates = aimed
    .filter((wf) => wf.metadata.deletionTimestamp === undefined && !['Complete', 'Failed'].includes(String(asObject(wf.status).phase ?? '')))
    .sort((a, b) => {
      const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
      const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
      return ta !== tb ? ta - tb : (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
    });
  if (candidates.length === 0) return { suppress: false, handled: false };

  const role = ineligibleWorkflowRole(node);
  if (role !== '') {
    for (const wf of candidates) failWorkflow(ctx, wf, 'TargetRejected', `${role} target is ineligible; workflows target full/RPC nodes only`);
    return { suppress: false, handled: false };
  }

  const [winner, ...losers] = candidates as [KubeObject, ...KubeObject[]];
  for (const wf of losers) seedWorkflowAdoption(ctx, wf, { type: 'Adopted', status: 'False', reason: 'QueuedBehindActive', message: 'another workflow is queued ahead on this node' });

  if (asObject(node.spec).paused === true) {
    seedWorkflowAdoption(ctx, winner, { type: 'Adopted', status: 'False', reason: 'TargetNotReady', message: 'target is paused' });
    return { suppress: false, handled: false };
  }
  if (host.status.plan) {
    seedWorkflowAdoption(ctx, winner, { type: 'Adopted', status: 'False', reason: 'TargetNotReady', message: 'target has an active plan' });
    return { suppress: false, handled: false };
  }
  if (gateOnRequirePhase(host, winner)) return { suppress: false, handled: false };

  // Compiled before committing adoption, so an uncompilable recipe never holds the node.
  const plan = buildWorkflowPlan(node, winner, ctx.crd);
  if ('error' in plan) {
    failWorkflow(ctx, winner, 'PlanBuildFailed', plan.error);
    return { suppress: false, handled: false };
  }

  // Node-first commit: the pointer is durable before the plan (workflow.go:303).
  host.status.adoptedWorkflow = { name: winner.metadata.name, uid: winner.metadata.uid, adoptedAt: toTime(ctx.now()) };
  setWorkflowInProgress(host, 'True', 'WorkflowRunning', `adopted workflow ${winner.metadata.name ?? ''}`);
  host.flushNode();
  const gated = patchWorkflowFinalizer(ctx, winner, true);
  const persisted = persistWorkflowPlan(ctx, gated, plan);
  recordEvent(ctx, persisted, 'Normal', 'WorkflowAdopted', `adopted by node ${nodeName}`);
  // Atomic creation: nothing runs on the adopting reconcile.
  ctx.requeueAt(nodeKey(namespace, nodeName), ctx.now());
  return { suppress: true, handled: true };
}

/** workflow.go:334 gateOnRequirePhase: true while the workflow must not be adopted. */
function gateOnRequirePhase(host: WorkflowHost, workflow: KubeObject): boolean {
  const { ctx, node } = host;
  const target = asObject(asObject(workflow.spec).target);
  const requirePhase = typeof target.requirePhase === 'string' && target.requirePhase !== '' ? target.requirePhase : 'Running';
  const phase = String(host.status.phase ?? '');
  const memoKey = `${workflowMemoPrefix(node, workflow)}#targetFirstObservedAt`;
  if (phase === requirePhase) {
    ctx.memo.delete(memoKey);
    if (asObject(workflow.status).targetFirstObservedAt !== undefined) {
      patchWorkflowStatus(ctx, workflow, (status) => {
        delete status.targetFirstObservedAt;
      });
    }
    return false;
  }
  const now = ctx.now();
  const timeoutMs = typeof target.requirePhaseTimeout === 'string' ? (parseGoDuration(target.requirePhaseTimeout) ?? DEFAULT_REQUIRE_PHASE_TIMEOUT_MS) : DEFAULT_REQUIRE_PHASE_TIMEOUT_MS;
  const stored = parseTime(asObject(workflow.status).targetFirstObservedAt);
  const first = stored === undefined ? undefined : (ctx.memo.get(memoKey) ?? stored);
  if (first !== undefined && now - first > timeoutMs) {
    ctx.memo.delete(memoKey);
    failWorkflow(ctx, workflow, 'TargetPhaseTimeout', `target ${node.metadata.name ?? ''} did not reach phase ${requirePhase} within ${formatGoDuration(timeoutMs)} (current: ${phase})`);
    return true;
  }
  if (first === undefined) ctx.memo.set(memoKey, now);
  patchWorkflowStatus(ctx, workflow, (status, generation) => {
    status.targetFirstObservedAt ??= toTime(now);
    if (status.phase === undefined) status.phase = 'Pending';
    status.conditions = setCondition(
      status.conditions,
      { type: 'Adopted', status: 'False', reason: 'TargetNotReady', message: `waiting for target ${node.metadata.name ?? ''} to reach ${requirePhase} (current: ${phase})`, observedGeneration: generation },
      now,
    );
    seedTerminalConditions(status, generation, now);
  });
  ctx.requeueAt(nodeKey(node.metadata.namespace ?? '', node.metadata.name ?? ''), (first ?? now) + timeoutMs + 1);
  return true;
}

/** workflow.go:387 finalizeWorkflow: data safety cannot be verified, so only the force annotation releases. */
function finalizeWorkflow(host: WorkflowHost, workflow: KubeObject): WorkflowOutcome {
  const { ctx, node } = host;
  const nodeName = node.metadata.name ?? '';
  if (!(workflow.metadata.finalizers ?? []).includes(WORKFLOW_FINALIZER)) {
    delete host.status.adoptedWorkflow;
    setWorkflowInProgress(host, 'False', 'NoWorkflow', 'adopted workflow deleted');
    return { suppress: false, handled: false };
  }
  const forced = (workflow.metadata.annotations?.[FORCE_DELETE_ANNOTATION] ?? '') !== '';
  // workflow.go:451 verifyWorkflowDataSafe fails closed: the sidecar has no data-state query yet.
  const reason = 'data-state verification unavailable';
  if (!forced) {
    setWorkflowInProgress(host, 'True', 'WorkflowFailedHeld', `deletion held: ${reason}`);
    recordEvent(ctx, workflow, 'Warning', 'WorkflowDeleteHeld', `refusing to release node ${nodeName}: ${reason} (set ${FORCE_DELETE_ANNOTATION} to force)`);
    return { suppress: true, handled: false };
  }
  delete host.status.adoptedWorkflow;
  setWorkflowInProgress(host, 'False', 'NoWorkflow', 'workflow deleted; hold released');
  forgetPlan(ctx, workflowMemoPrefix(node, workflow), asObject(workflow.status).plan as TaskPlan | undefined);
  patchWorkflowFinalizer(ctx, workflow, false);
  recordEvent(ctx, workflow, 'Warning', 'WorkflowForceDeleted', `force-deleted; node ${nodeName} hold released without data verification`);
  return { suppress: false, handled: false };
}

/** workflow.go:430 releaseCompletedWorkflow: finalizer off, then the pointer cleared. */
function releaseCompletedWorkflow(host: WorkflowHost, workflow: KubeObject): void {
  patchWorkflowFinalizer(host.ctx, workflow, false);
  forgetPlan(host.ctx, workflowMemoPrefix(host.node, workflow), asObject(workflow.status).plan as TaskPlan | undefined);
  delete host.status.adoptedWorkflow;
  setWorkflowInProgress(host, 'False', 'NoWorkflow', 'workflow completed');
}

/** controller.go:508 releaseWorkflowFinalizersForNode: a deleted node holds nothing. */
export function releaseWorkflowFinalizersForNode(ctx: ReconcileContext, node: KubeObject): void {
  for (const wf of workflowsTargeting(ctx, node.metadata.namespace ?? '', node.metadata.name ?? '')) patchWorkflowFinalizer(ctx, wf, false);
}

/** workflow.go:614 ineligibleWorkflowRole: an allowlist of one, the full node. */
export function ineligibleWorkflowRole(node: KubeObject): string {
  const mode = nodeMode(node);
  if (mode === 'fullNode') return '';
  return mode === undefined ? 'non-full' : mode;
}

function workflowMemoPrefix(node: KubeObject, workflow: KubeObject): string {
  return `${nodeKey(node.metadata.namespace ?? '', node.metadata.name ?? '')}#workflow#${workflow.metadata.uid ?? ''}`;
}

/** workflow.go:589 persistWorkflowPlan. */
function persistWorkflowPlan(ctx: ReconcileContext, workflow: KubeObject, plan: TaskPlan): KubeObject {
  return patchWorkflowStatus(ctx, workflow, (status, generation, now) => {
    status.plan = plan;
    status.phase = 'Running';
    delete status.targetFirstObservedAt;
    status.conditions = setCondition(status.conditions, { type: 'Adopted', status: 'True', reason: 'Adopted', message: 'plan compiled and persisted', observedGeneration: generation }, now);
    seedTerminalConditions(status, generation, now);
  });
}

/** workflow.go:633 failWorkflow: terminal, with a Warning Event; never touches the node. */
function failWorkflow(ctx: ReconcileContext, workflow: KubeObject, reason: string, message: string): void {
  if (asObject(workflow.status).phase === 'Failed') return;
  const written = patchWorkflowStatus(ctx, workflow, (status, generation, now) => {
    status.phase = 'Failed';
    status.conditions = setCondition(status.conditions, { type: 'Failed', status: 'True', reason, message, observedGeneration: generation }, now);
    seedTerminalConditions(status, generation, now);
  });
  recordEvent(ctx, written, 'Warning', reason, message);
}

/** workflow.go:650 seedWorkflowAdoption. */
function seedWorkflowAdoption(ctx: ReconcileContext, workflow: KubeObject, condition: Omit<ConditionInput, 'observedGeneration'>): void {
  patchWorkflowStatus(ctx, workflow, (status, generation, now) => {
    if (status.phase === undefined) status.phase = 'Pending';
    status.conditions = setCondition(status.conditions, { ...condition, observedGeneration: generation }, now);
    seedTerminalConditions(status, generation, now);
  });
}

/** workflow.go:688 seedWorkflowTerminalConditions: the Ready/Failed latch pair, False until terminal. */
function seedTerminalConditions(status: Json, generation: number, now: number): void {
  if (!findCondition(status.conditions, 'Ready')) {
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'NotComplete', message: 'workflow has not completed', observedGeneration: generation }, now);
  }
  if (!findCondition(status.conditions, 'Failed')) {
    status.conditions = setCondition(status.conditions, { type: 'Failed', status: 'False', reason: 'NotFailed', message: 'workflow has not failed', observedGeneration: generation }, now);
  }
}

/** workflow.go:669 patchWorkflowStatus: observedGeneration always stamped; written only if changed. */
function patchWorkflowStatus(ctx: ReconcileContext, workflow: KubeObject, mutate: (status: Json, generation: number, now: number) => void): KubeObject {
  const fresh = ctx.store.get(WORKFLOW_RESOURCE, workflow.metadata.namespace, workflow.metadata.name ?? '') ?? workflow;
  const generation = fresh.metadata.generation ?? 1;
  const status = structuredClone(asObject(fresh.status));
  status.observedGeneration = generation;
  mutate(status, generation, ctx.now());
  return ctx.store.updateStatus(WORKFLOW_RESOURCE, { ...fresh, metadata: { ...fresh.metadata, resourceVersion: undefined }, status });
}

/** workflow.go:465 patchWorkflowFinalizer: a metadata-only change, so the spec's CEL rules see no edit. */
function patchWorkflowFinalizer(ctx: ReconcileContext, workflow: KubeObject, add: boolean): KubeObject {
  const fresh = ctx.store.get(WORKFLOW_RESOURCE, workflow.metadata.namespace, workflow.metadata.name ?? '');
  if (!fresh || fresh.metadata.uid !== workflow.metadata.uid) return workflow;
  const finalizers = fresh.metadata.finalizers ?? [];
  const has = finalizers.includes(WORKFLOW_FINALIZER);
  if (has === add) return fresh;
  const next = add ? [...finalizers, WORKFLOW_FINALIZER] : finalizers.filter((f) => f !== WORKFLOW_FINALIZER);
  // A workflow being deleted cannot gain a finalizer (the apiserver forbids it); it keeps its hold as it is.
  if (add && fresh.metadata.deletionTimestamp !== undefined) return fresh;
  return ctx.store.update(WORKFLOW_RESOURCE, { ...fresh, metadata: { ...fresh.metadata, finalizers: next } });
}
