/**
 * The SeiNodeTask reconciler of the simulated controller (seed-era semantics, with the later
 * kinds under `--crd latest`): wait for the target's requirePhase, mint the execution once
 * (deterministic UUID v5 id, a snapshot of the payload in the sidecar record), then drive the
 * kind to Complete or Failed. It never re-reads spec after minting and never touches a terminal
 * task beyond stamping observedGeneration. Node and pod mechanics live in nodes.ts.
 */
import { v5 as uuidv5 } from 'uuid';
import type { KubeObject } from '../types.js';
import { parseGoDuration, parseTime, toTime } from './time.js';
import { asObject, nodeKey, taskKey, type Json, type ReconcileContext } from './context.js';
import { readKnobs } from './knobs.js';
import { NODE_LABEL } from './nodes.js';
import { executionConfigMapName, forgetExecution, readExecution, writeExecution } from './sidecar.js';
import { isTerminal, TaskStatusDraft } from './task-status.js';
import { objectKey, type Reconciler } from './registry.js';
import { KIND_HANDLERS, payloadField } from './kinds.js';

/** Namespace of the v5 task ids: fixed, so the same task identity always gives the same id. */
const TASK_ID_NAMESPACE = '6f1c1e0a-5e1d-4c3b-9a57-5e1000000001';
const DEFAULT_REQUIRE_PHASE_TIMEOUT_MS = 5 * 60_000;

export interface TaskTracking {
  /** The target node's key while the task is not terminal (so node/pod events wake it). */
  node?: string;
  /** The execution id once minted (so a deleted task's record can be dropped). */
  id?: string;
  /** The task's uid; absent when the task is gone. */
  uid?: string;
}

export function taskId(task: KubeObject): string {
  return uuidv5(`${task.metadata.namespace ?? ''}/${task.metadata.name ?? ''}/${task.metadata.uid ?? ''}`, TASK_ID_NAMESPACE);
}


export function reconcileTask(ctx: ReconcileContext, namespace: string, name: string): TaskTracking {
  const task = ctx.store.get('seinodetasks', namespace, name);
  if (!task) return {};
  const now = ctx.now();
  const key = taskKey(namespace, name);
  const draft = new TaskStatusDraft(task.status, task.metadata.generation ?? 1, now);
  const spec = asObject(task.spec);
  const target = asObject(asObject(spec.target).nodeRef).name;
  const nodeName = typeof target === 'string' ? target : '';
  const tracking: TaskTracking = { node: nodeKey(namespace, nodeName), uid: task.metadata.uid };

  if (!isTerminal(draft.phase)) {
    if (!draft.task) mintWhenTargetReady(ctx, task, draft, nodeName, key);
    if (draft.task && draft.phase === 'Running') execute(ctx, task, draft, nodeName, key);
  }
  if (draft.task) tracking.id = String(draft.task.id);
  if (isTerminal(draft.phase)) delete tracking.node;
  ctx.store.updateStatus('seinodetasks', { ...task, status: draft.status });
  // A terminal task is never executed again, so its record is no longer needed: dropping it
  // (after the terminal status is stored) keeps the sidecar's memory to in-flight tasks only.
  if (isTerminal(draft.phase) && draft.task) forgetExecution(ctx.store, namespace, String(draft.task.id));
  return tracking;
}

function mintWhenTargetReady(ctx: ReconcileContext, task: KubeObject, draft: TaskStatusDraft, nodeName: string, key: string): void {
  const namespace = task.metadata.namespace ?? '';
  const spec = asObject(task.spec);
  const kind = String(spec.kind ?? '');
  const served = ctx.taskKinds;
  const handler = served.includes(kind) ? KIND_HANDLERS[kind] : undefined;
  if (!handler) {
    draft.fail('UnsupportedKind', `kind "${kind}" is not supported by this controller (supported: ${served.join(', ')})`);
    return;
  }
  const payload = spec[payloadField(kind)];
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    draft.fail('DeserializeFailed', `spec.${payloadField(kind)} is required for kind ${kind}`);
    return;
  }
  const node = ctx.store.get('seinodes', namespace, nodeName);
  if (!node) {
    draft.fail('TargetResolveFailed', `target SeiNode "${nodeName}" not found in namespace "${namespace}"`);
    return;
  }
  const targetSpec = asObject(spec.target);
  const requirePhase = typeof targetSpec.requirePhase === 'string' ? targetSpec.requirePhase : 'Running';
  const nodePhase = asObject(node.status).phase;
  const memoKey = `${key}#${task.metadata.uid}#targetFirstObservedAt`;
  if (nodePhase !== requirePhase) {
    const now = ctx.now();
    let first = ctx.memo.get(memoKey) ?? parseTime(draft.status.targetFirstObservedAt);
    if (first === undefined) {
      first = now;
      draft.status.targetFirstObservedAt = toTime(now);
    }
    ctx.memo.set(memoKey, first);
    const timeoutText = typeof targetSpec.requirePhaseTimeout === 'string' ? targetSpec.requirePhaseTimeout : '5m';
    const timeoutMs = parseGoDuration(timeoutText) ?? DEFAULT_REQUIRE_PHASE_TIMEOUT_MS;
    const seen = String(nodePhase ?? 'none');
    if (now - first >= timeoutMs) {
      draft.targetReady(false, `target SeiNode "${nodeName}" is in phase ${seen}, not ${requirePhase}`);
      draft.fail(
        'TargetResolveFailed',
        `target SeiNode "${nodeName}" did not reach phase ${requirePhase} within ${timeoutText} (last seen phase: ${seen})`,
      );
      ctx.memo.delete(memoKey);
      return;
    }
    draft.targetReady(false, `waiting for target SeiNode "${nodeName}" to reach phase ${requirePhase} (now ${seen})`);
    ctx.requeueAt(key, first + timeoutMs);
    return;
  }
  ctx.memo.delete(memoKey);
  delete draft.status.targetFirstObservedAt;
  draft.targetReady(true, `target SeiNode "${nodeName}" is in phase ${requirePhase}`);

  // Params are built at synthesis: a DiscoverPeers that would write no peers fails before any
  // execution is minted (the real controller's fail-fast).
  const problem = handler.paramsProblem?.(nodeName, node);
  if (problem) {
    draft.fail('ParamsBuildFailed', problem);
    return;
  }

  const id = taskId(task);
  // The record may exist already when a crash hit between writing it and writing status.
  let record = readExecution(ctx.store, namespace, id);
  if (!record) {
    const timeoutSeconds = spec.timeoutSeconds;
    record = {
      taskUid: task.metadata.uid ?? '',
      task: task.metadata.name ?? '',
      node: nodeName,
      kind,
      payload: structuredClone(payload as Json),
      timeoutMs: typeof timeoutSeconds === 'number' ? timeoutSeconds * 1000 : (handler.defaultTimeoutMs ?? 0),
      startedMs: ctx.now(),
    };
    handler.prepare?.(ctx, record, namespace);
    writeExecution(ctx.store, namespace, id, record);
  }
  const now = toTime(ctx.now());
  draft.mint({
    id,
    status: 'Pending',
    submittedAt: now,
    executionStartedAt: toTime(record.startedMs),
    ...(record.restart ? { restartedPodUID: record.restart.podUID } : {}),
  });
}

function execute(ctx: ReconcileContext, task: KubeObject, draft: TaskStatusDraft, nodeName: string, key: string): void {
  const namespace = task.metadata.namespace ?? '';
  const id = String(draft.task?.id ?? '');
  const record = readExecution(ctx.store, namespace, id);
  if (!record) {
    draft.fail('TaskTerminalError', `the simulated sidecar has no record of execution ${id} (was configmap ${executionConfigMapName(id)} deleted?)`);
    return;
  }
  const node = ctx.store.get('seinodes', namespace, record.node);
  if (!node) {
    draft.fail('TargetResolveFailed', `target SeiNode "${record.node}" was deleted while the task was running`);
    return;
  }
  if (readKnobs(node).failKinds.has(record.kind)) {
    draft.fail('TaskFailed', `simulated failure: SeiNode "${nodeName}" lists ${record.kind} in annotation sim.sei.io/fail-kinds`);
    return;
  }
  const step = KIND_HANDLERS[record.kind]?.run(ctx, record, node, id) ?? { fail: 'UnsupportedKind' as const, message: `kind "${record.kind}" has no simulated implementation` };
  if ('done' in step) {
    draft.complete(step.done);
    return;
  }
  if ('fail' in step) {
    draft.fail(step.fail, step.message);
    return;
  }
  const now = ctx.now();
  if (record.timeoutMs > 0) {
    const deadline = record.startedMs + record.timeoutMs;
    if (now >= deadline) {
      draft.fail('Timeout', `${record.kind} did not complete within ${record.timeoutMs / 1000}s of execution start`);
      return;
    }
    ctx.requeueAt(key, deadline);
  }
  if (step.wait !== undefined) ctx.requeueAt(key, step.wait);
}

/**
 * The SeiNodeTask reconciler's registration: a task's own spec and metadata writes wake it (not
 * the status it writes itself); a non-terminal task is also woken by its target node's events
 * and the node's pods' events, found through an index kept here.
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
    if (next.uid === undefined) {
      taskInfo.delete(key);
      return;
    }
    taskInfo.set(key, next);
    if (next.node) {
      let set = tasksByNode.get(next.node);
      if (!set) tasksByNode.set(next.node, (set = new Set()));
      set.add(key);
    }
  }

  return {
    resource: 'seinodetasks',
    reconcile(ctx, namespace, name) {
      track(taskKey(namespace, name), reconcileTask(ctx, namespace, name));
    },
    wakes: {
      *seinodetasks(event, queue) {
        const { object } = event;
        const namespace = object.metadata.namespace ?? '';
        const key = taskKey(namespace, object.metadata.name ?? '');
        if (event.type === 'DELETED') {
          // A task deleted mid-run stops here: its execution record is dropped and nothing
          // further happens for it (side effects already made, e.g. a deleted pod, stand).
          const info = taskInfo.get(key);
          if (info?.id && info.uid === object.metadata.uid) forgetExecution(queue.store, namespace, info.id);
          track(key, {});
          queue.forget(key);
          return;
        }
        // The status this reconcile of the task just wrote is its own result, not new input:
        // reconciling it again at once would recompute the same status (time-driven steps have
        // timers). Spec, label or external status writes still arrive from outside a reconcile.
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
    },
    tracked() {
      let count = 0;
      for (const set of tasksByNode.values()) count += set.size;
      return count;
    },
  };
}
