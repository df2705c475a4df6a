/**
 * The SeiNodeTask reconciler, as upstream's (internal/controller/nodetask/controller.go at
 * 204c1c0 for `--crd seed`, 2d670ad for `--crd latest`; line numbers below are 2d670ad's unless
 * said): a terminal task is never written again; otherwise every reconcile stamps
 * observedGeneration, re-resolves the target against spec.target.requirePhase (also after the
 * execution is minted), mints the execution once (UUIDv5 of "<uid>/<Kind>/0"), then drives it:
 * submit/Execute, poll/Status, Complete/Failed or the execution timeout, re-read from spec every
 * time. Spec is live: timeoutSeconds, requirePhase, requirePhaseTimeout and the payload are read
 * on each reconcile. Per-kind work lives in kinds.ts, the node's sidecar in sidecar.ts, the
 * version differences in versions.ts.
 */
import { v5 as uuidv5 } from 'uuid';
import type { KubeObject } from '../types.js';
import { formatGoDuration } from '../../domain/go-duration.js';
import { parseGoDuration, parseTime, toTime } from './time.js';
import { asObject, nodeKey, taskKey, type Json, type ReconcileContext } from './context.js';
import { readKnobs } from './knobs.js';
import { NODE_LABEL } from './nodes.js';
import { EXECUTION_CONFIGMAP_PREFIX, forgetExecution, readExecution, RECORD_TASK_ANNOTATION, submitToSidecar, type GovTxResult } from './sidecar.js';
import { isTerminal, TaskStatusDraft } from './task-status.js';
import { recordEvent } from './events.js';
import { objectKey, type Reconciler } from './registry.js';
import { KIND_HANDLERS, payloadField, TASK_FIELD_MANAGER, type KindHandler } from './kinds.js';
import { CONTROLLER_VERSIONS } from './versions.js';
import { recordUpdate } from '../http/managed-fields.js';

/** upstream internal/task/task.go:25 taskIDNamespace. */
export const TASK_ID_NAMESPACE = 'b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6b';
/** controller.go:49 defaultRequirePhaseTimeout. */
const DEFAULT_REQUIRE_PHASE_TIMEOUT_MS = 5 * 60_000;
/** The recorder's component (cmd/main.go: GetEventRecorderFor("seinodetask-controller")). */
export const EVENT_COMPONENT = 'seinodetask-controller';
/** How soon a transient error (an unreachable sidecar) is retried; node events retry sooner. */
const TRANSIENT_RETRY_MS = 1_000;

export interface TaskTracking {
  /** The target node's key while the task is not terminal (so node/pod events wake it). */
  node?: string;
  /** The task's uid; absent when the task is gone. */
  uid?: string;
}

/** status.task.id: DeterministicTaskID(uid, kind, 0) = UUIDv5(ns, "<uid>/<Kind>/0") (task.go:135). */
export function taskId(task: KubeObject): string {
  return uuidv5(`${task.metadata.uid ?? ''}/${String(asObject(task.spec).kind ?? '')}/0`, TASK_ID_NAMESPACE);
}

export function reconcileTask(ctx: ReconcileContext, namespace: string, name: string): TaskTracking {
  const task = ctx.store.get('seinodetasks', namespace, name);
  if (!task) return {};
  const spec = asObject(task.spec);
  const nodeName = String(asObject(asObject(spec.target).nodeRef).name ?? '');
  const tracking: TaskTracking = { node: nodeKey(namespace, nodeName), uid: task.metadata.uid };
  // controller.go:115 Terminal CRs are no-ops: never written again, whatever the spec becomes.
  if (isTerminal(asObject(task.status).phase)) return { uid: task.metadata.uid };

  const now = ctx.now();
  const key = taskKey(namespace, name);
  const draft = new TaskStatusDraft(task.status, task.metadata.generation ?? 1, now);
  let retry: number | undefined;

  const resolved = resolveTarget(ctx, task, draft, nodeName, key);
  if ('fatal' in resolved) draft.fail('TargetResolveFailed', resolved.fatal);
  if ('target' in resolved || 'fatal' in resolved) {
    const kind = String(spec.kind ?? '');
    const handler = ctx.taskKinds.includes(kind) ? KIND_HANDLERS[kind] : undefined;
    if (!('fatal' in resolved) && !draft.task) {
      // controller.go:147 validate the kind/payload first, then mint and flush before any side effect.
      const problem = handler ? handler.params(task, undefined) : `unsupported kind "${kind}" is not wired in this build`;
      if (problem) draft.fail(handler ? 'ParamsBuildFailed' : 'UnsupportedKind', problem);
      else {
        draft.mint({
          id: taskId(task),
          status: 'Pending',
          executionStartedAt: toTime(now),
          ...(CONTROLLER_VERSIONS[ctx.crd].recordsRestartedPodUID && handler?.controller && kind === 'RestartPod' ? { restartedPodUID: String(asObject(spec.restartPod).podUID ?? '') } : {}),
        });
        ctx.memo.set(`${key}#${task.metadata.uid}#executionStartedAt`, now);
        ctx.requeueAt(key, now);
      }
    } else if ('target' in resolved && draft.phase !== 'Failed' && draft.task && handler) {
      retry = driveTask(ctx, task, draft, handler, resolved.target, key);
    }
  }

  if (draft.changed()) {
    // Recorded as the apiserver records a status write: Flux's health CEL reads it (src/gitops/health.ts).
    const written = { ...task, status: draft.status };
    const managedFields = recordUpdate(task, written, TASK_FIELD_MANAGER, 'sei.io/v1alpha1', 'status', toTime(now)) as unknown as Json[];
    ctx.store.updateStatus('seinodetasks', { ...written, metadata: { ...task.metadata, managedFields } });
  }
  for (const event of draft.events) recordEvent(ctx, task, 'Warning', event.reason, event.message, EVENT_COMPONENT);
  if (retry !== undefined) ctx.requeueAt(key, retry);
  if (isTerminal(draft.phase)) {
    // The sidecar's record of a finished task is no longer needed by anyone.
    if (draft.task) forgetExecution(ctx.store, namespace, String(draft.task.id));
    delete tracking.node;
  }
  return tracking;
}

type Resolution = { target: KubeObject } | { fatal: string } | { waiting: true };

/** controller.go:187 resolveTarget: the target and its requirePhase gate, on every reconcile. */
function resolveTarget(ctx: ReconcileContext, task: KubeObject, draft: TaskStatusDraft, nodeName: string, key: string): Resolution {
  const namespace = task.metadata.namespace ?? '';
  const node = ctx.store.get('seinodes', namespace, nodeName);
  if (!node) return { fatal: `target SeiNode "${nodeName}" not found in namespace "${namespace}"` };
  const targetSpec = asObject(asObject(task.spec).target);
  const requirePhase = typeof targetSpec.requirePhase === 'string' && targetSpec.requirePhase !== '' ? targetSpec.requirePhase : 'Running';
  const phase = String(asObject(node.status).phase ?? '');
  const memoKey = `${key}#${task.metadata.uid}#targetFirstObservedAt`;
  if (phase === requirePhase) {
    delete draft.status.targetFirstObservedAt;
    ctx.memo.delete(memoKey);
    draft.setCondition('TargetReady', 'True', 'PhaseMet', `target ${nodeName} is ${requirePhase}`);
    return { target: node };
  }
  const now = ctx.now();
  let first = ctx.memo.get(memoKey) ?? parseTime(draft.status.targetFirstObservedAt);
  if (first === undefined || draft.status.targetFirstObservedAt === undefined) {
    first = now;
    draft.status.targetFirstObservedAt = toTime(now);
  }
  ctx.memo.set(memoKey, first);
  const parsed = typeof targetSpec.requirePhaseTimeout === 'string' ? parseGoDuration(targetSpec.requirePhaseTimeout) : undefined;
  const timeoutMs = parsed ?? DEFAULT_REQUIRE_PHASE_TIMEOUT_MS;
  if (now - first > timeoutMs) {
    ctx.memo.delete(memoKey);
    return { fatal: `target "${nodeName}" did not reach phase "${requirePhase}" within ${formatGoDuration(timeoutMs)} (current: "${phase}")` };
  }
  draft.setCondition('TargetReady', 'False', 'PhaseNotMet', `waiting for target ${nodeName} to reach ${requirePhase} (current: ${phase})`);
  ctx.requeueAt(key, first + timeoutMs + 1);
  return { waiting: true };
}

/** effectiveTimeout (controller.go:370): spec.timeoutSeconds > 0 wins, else the kind's default, else unbounded. */
function effectiveTimeoutMs(task: KubeObject, handler: KindHandler): number {
  const seconds = Number(asObject(task.spec).timeoutSeconds ?? 0);
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  return handler.defaultTimeoutMs ?? 0;
}

/**
 * controller.go:236 driveTask. Returns when to retry after a transient error (upstream returns
 * the error and controller-runtime backs off), else undefined.
 */
function driveTask(ctx: ReconcileContext, task: KubeObject, draft: TaskStatusDraft, handler: KindHandler, target: KubeObject, key: string): number | undefined {
  const version = CONTROLLER_VERSIONS[ctx.crd];
  const namespace = task.metadata.namespace ?? '';
  const kind = String(asObject(task.spec).kind ?? '');
  const execution = draft.task!;
  const id = String(execution.id);
  const now = ctx.now();
  // Params are rebuilt from the live spec and target on every drive (DiscoverPeers fails here, after mint).
  const problem = handler.params(task, target);
  if (problem) {
    draft.fail('ParamsBuildFailed', problem);
    return undefined;
  }
  if (execution.executionStartedAt === undefined) execution.executionStartedAt = toTime(now);
  const startedKey = `${key}#${task.metadata.uid}#executionStartedAt`;
  const startedMs = ctx.memo.get(startedKey) ?? parseTime(execution.executionStartedAt) ?? now;
  ctx.memo.set(startedKey, startedMs);
  const timeoutMs = effectiveTimeoutMs(task, handler);
  const timedOut = () => timeoutMs > 0 && now > startedMs + timeoutMs;
  const sidecarDown = handler.sidecar !== undefined && readKnobs(target).sidecar === 'unreachable';

  if (execution.status === 'Pending') {
    if (sidecarDown) {
      // A transient submit error ("submitting <type>: dial tcp ..."): upstream logs it, flushes
      // what changed and backs off; no condition says so.
      return now + TRANSIENT_RETRY_MS;
    }
    if (handler.sidecar) {
      submitToSidecar(ctx, handler.sidecar, namespace, id, {
        taskUid: task.metadata.uid ?? '',
        task: task.metadata.name ?? '',
        node: target.metadata.name ?? '',
        kind,
        payload: structuredClone(asObject(asObject(task.spec)[payloadField(kind)])),
      }, target);
    } else if (handler.controller) {
      const outcome = handler.controller.execute(ctx, task, target);
      if ('terminal' in outcome) {
        draft.failTask('TaskTerminalError', outcome.terminal);
        return undefined;
      }
    }
    execution.submittedAt ??= toTime(now);
    // latest controller.go:280: advance off Pending so later reconciles poll instead of re-submitting.
    if (version.runningAfterSubmit) execution.status = 'Running';
  }

  const status = executionStatus(ctx, handler, task, target, namespace, id, sidecarDown);
  if (status === 'complete' || (typeof status === 'object' && 'complete' in status)) {
    const result = typeof status === 'object' ? status.complete : undefined;
    draft.complete(handler.gov && version.govResults ? 'Confirmed' : 'TaskComplete', handler.outputs?.(target, result, version));
    return undefined;
  }
  if (typeof status === 'object' && 'failed' in status) {
    const result = status.result;
    if (handler.gov && version.govResults && result) {
      const outputs = handler.outputs?.(target, result, version);
      if (result.inclusionStatus === 'pending') {
        // latest controller.go:330: undetermined is re-submitted until the execution timeout.
        if (timedOut()) {
          if (outputs) draft.status.outputs = outputs;
          draft.failTask('InclusionUndetermined', status.failed);
          return undefined;
        }
        execution.status = 'Pending';
        return now + readKnobs(target).blockTimeMs;
      }
      if (result.inclusionStatus === 'committed_failed') {
        if (outputs) draft.status.outputs = outputs;
        draft.failTask('TxFailed', status.failed);
        return undefined;
      }
    }
    draft.failTask('TaskFailed', status.failed);
    return undefined;
  }
  // Still running: the execution timeout, measured from executionStartedAt (controller.go:290).
  if (timedOut()) {
    draft.failTask('Timeout', `task did not complete within ${formatGoDuration(timeoutMs)}`, 'timeout');
    return undefined;
  }
  if (timeoutMs > 0) ctx.requeueAt(key, startedMs + timeoutMs + 1);
  return undefined;
}

type Status = 'running' | 'complete' | { complete: GovTxResult | undefined } | { failed: string; result?: GovTxResult };

function executionStatus(ctx: ReconcileContext, handler: KindHandler, task: KubeObject, target: KubeObject, namespace: string, id: string, sidecarDown: boolean): Status {
  if (handler.controller) {
    const status = handler.controller.status(ctx, task, target);
    if (status === 'complete' && readKnobs(target).failKinds.has(String(asObject(task.spec).kind))) {
      return { failed: `simulated failure: SeiNode "${target.metadata.name ?? ''}" lists ${String(asObject(task.spec).kind)} in annotation sim.sei.io/fail-kinds` };
    }
    return status;
  }
  // sidecar.go Status: a GetTask error or an unknown id reads as still running.
  if (sidecarDown) return 'running';
  const record = readExecution(ctx.store, namespace, id);
  if (!record || record.state === 'running') return 'running';
  if (record.state === 'completed') return { complete: record.result };
  return { failed: record.error ?? `task ${id} failed with unknown error`, ...(record.result ? { result: record.result } : {}) };
}

/**
 * The SeiNodeTask reconciler's registration. Like upstream's GenerationChangedPredicate, its own
 * status writes do not wake it; spec writes do. A non-terminal task is also woken by its target
 * node's events (seiNodeTargetHandler), the node's pods, and its sidecar record's changes.
 */
export function taskReconciler(): Reconciler {
  /** Non-terminal tasks by the node they target, so node and pod events wake only those. */
  const tasksByNode = new Map<string, Set<string>>();
  const taskInfo = new Map<string, TaskTracking>();

  function track(key: string, next: TaskTracking): void {
    const previous = taskInfo.get(key);
    if (previous?.node) {
      const set = tasksByNode.get(previous.node);
      set?.delete(key);
      if (set?.size === 0) tasksByNode.delete(previous.node);
    }
    if (next.uid === undefined || next.node === undefined) {
      taskInfo.delete(key);
      return;
    }
    taskInfo.set(key, next);
    let set = tasksByNode.get(next.node);
    if (!set) tasksByNode.set(next.node, (set = new Set()));
    set.add(key);
  }

  return {
    resource: 'seinodetasks',
    reconcile(ctx, namespace, name) {
      track(taskKey(namespace, name), reconcileTask(ctx, namespace, name));
    },
    wakes: {
      *seinodetasks(event, queue) {
        const key = objectKey('seinodetasks', event.object);
        if (event.type === 'DELETED') {
          // Upstream has no finalizer and no cancel: the sidecar's work goes on (sidecar.ts).
          track(key, {});
          queue.forget(key);
          return;
        }
        if (event.type === 'MODIFIED' && key === queue.reconciling()) return;
        yield key;
      },
      *seinodes(event) {
        yield* tasksByNode.get(objectKey('seinodes', event.object)) ?? [];
      },
      *pods(event) {
        const node = event.object.metadata.labels?.[NODE_LABEL];
        if (node !== undefined) yield* tasksByNode.get(nodeKey(event.object.metadata.namespace ?? '', node)) ?? [];
      },
      *configmaps(event) {
        // The task's own submit adds the record; the sidecar's progress modifies it.
        if (event.type !== 'MODIFIED' || !(event.object.metadata.name ?? '').startsWith(EXECUTION_CONFIGMAP_PREFIX)) return;
        const task = event.object.metadata.annotations?.[RECORD_TASK_ANNOTATION];
        if (typeof task === 'string') yield taskKey(event.object.metadata.namespace ?? '', task);
      },
    },
    tracked() {
      let count = 0;
      for (const set of tasksByNode.values()) count += set.size;
      return count;
    },
  };
}

export type { Json };
