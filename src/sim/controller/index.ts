/**
 * The simulated sei-k8s-controller: an event-driven work queue over the store. Store events
 * enqueue the keys they affect (a pod wakes its node and the node's tasks; a node wakes its
 * tasks and the nodes whose label peer sources may select it); reconcilers ask for timed
 * requeues instead of polling. It owns every timer and subscription and releases them in stop().
 * It never speaks HTTP and never bypasses the store.
 */
import { performance } from 'node:perf_hooks';
import type { ControllerOptions, KubeObject, SimController, SimStore, StoreEvent } from '../types.js';
import { nodeKey, splitKey, taskKey, type ReconcileContext } from './context.js';
import { labelSources, NODE_LABEL } from './nodes.js';
import { reconcileNode } from './node-reconciler.js';
import { WORKFLOW_RESOURCE, workflowTargetKey } from './workflows.js';
import { forgetExecution } from './sidecar.js';
import { reconcileTask, type TaskTracking } from './tasks.js';

export { simulatedHeight } from './nodes.js';
export { KNOBS } from './knobs.js';
export { KINDS_BY_FLAVOR, taskId } from './tasks.js';

/** Longest run of reconciles per event-loop turn, and a cap on keys per turn. */
const DRAIN_SLICE_MS = 5;
const DRAIN_MAX_KEYS = 500;

/** Node.js caps timers at 2^31-1 ms; longer waits are re-armed when they fire. */
const MAX_TIMER_MS = 2_147_483_647;

export interface ControllerStats {
  queued: number;
  timers: number;
  /** Non-terminal tasks being followed. */
  trackedTasks: number;
  /** Precise timestamps held in memory. */
  memo: number;
  /** Reconciles run since start (work done, for tests that count it). */
  reconciles: number;
  /** Work-queue turns run since start (each yields the event loop to I/O afterwards). */
  turns: number;
}

export interface SimControllerHandle extends SimController {
  /** Resolves once the work queue is empty and no reconcile is pending (timers may remain). */
  idle(): Promise<void>;
  /** Sizes of the controller's bookkeeping, which must not grow with objects already gone. */
  stats(): ControllerStats;
}

export function startController(store: SimStore, options: ControllerOptions): SimControllerHandle {
  const now = options.now ?? Date.now;
  const queue = new Set<string>();
  const timers = new Map<string, { at: number; handle: NodeJS.Timeout }>();
  /** Non-terminal tasks by the node they target, so node and pod events wake only those. */
  const tasksByNode = new Map<string, Set<string>>();
  const taskInfo = new Map<string, TaskTracking>();
  /** Nodes with label peer sources: any node change may alter what they resolve. */
  const labelSelecting = new Set<string>();
  /** Last seen labels per node key, to tell a label change from a status change. */
  const nodeLabels = new Map<string, string>();
  const idleWaiters: Array<() => void> = [];
  /** Consecutive failed reconciles per key, for retry backoff. */
  const failures = new Map<string, number>();
  let scheduled: NodeJS.Immediate | undefined;
  let stopped = false;
  /** The key being reconciled, so the events of its own writes are told from outside ones. */
  let reconciling: string | undefined;
  let reconciles = 0;
  let turns = 0;

  const ctx: ReconcileContext = {
    store,
    crd: options.crd,
    now,
    memo: new Map(),
    requeueAt(key: string, atMs: number): void {
      if (stopped) return;
      const existing = timers.get(key);
      if (existing && existing.at <= atMs) return;
      if (existing) clearTimeout(existing.handle);
      const delay = Math.min(MAX_TIMER_MS, Math.max(0, atMs - now()));
      const handle = setTimeout(() => {
        timers.delete(key);
        enqueue(key);
      }, delay);
      timers.set(key, { at: atMs, handle });
    },
  };

  function enqueue(key: string): void {
    if (stopped) return;
    queue.add(key);
    scheduled ??= setImmediate(drain);
  }

  function drain(): void {
    scheduled = undefined;
    // Bounded per turn so a storm of events cannot starve the HTTP server sharing the loop: a
    // watch socket only flushes its backlog between turns, so a long turn delays every watcher
    // by its length. A few milliseconds per turn keeps events flowing while a fleet reconciles.
    const deadline = performance.now() + DRAIN_SLICE_MS;
    let budget = DRAIN_MAX_KEYS;
    while (queue.size > 0 && budget-- > 0 && !stopped) {
      const key = queue.values().next().value as string;
      queue.delete(key);
      reconcile(key);
      if (performance.now() >= deadline) break;
    }
    turns++;
    if (queue.size > 0 && !stopped) scheduled = setImmediate(drain);
    else if (queue.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function reconcile(key: string): void {
    const { resource, namespace, name } = splitKey(key);
    reconciles++;
    reconciling = key;
    try {
      if (resource === 'seinodes') {
        reconcileNode(ctx, namespace, name);
        const node = store.get('seinodes', namespace, name);
        if (node && labelSources(node).length > 0) labelSelecting.add(key);
        else labelSelecting.delete(key);
      } else if (resource === 'seinodetasks') {
        track(key, reconcileTask(ctx, namespace, name));
      }
      failures.delete(key);
    } catch (error) {
      // A write raced with an API client (conflict) or an object vanished: retry with backoff,
      // and say so once per streak rather than on every attempt.
      const streak = (failures.get(key) ?? 0) + 1;
      failures.set(key, streak);
      if (streak === 1) process.emitWarning(`sim controller: reconcile of ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
      ctx.requeueAt(key, now() + Math.min(30_000, 100 * 2 ** Math.min(streak - 1, 9)));
    } finally {
      reconciling = undefined;
    }
  }

  /** Forgets the timer and precise timestamps kept for a deleted object. */
  function forget(key: string): void {
    for (const memoKey of ctx.memo.keys()) if (memoKey.startsWith(`${key}#`)) ctx.memo.delete(memoKey);
    const timer = timers.get(key);
    if (timer) clearTimeout(timer.handle);
    timers.delete(key);
  }

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

  function onEvent(event: StoreEvent): void {
    // ConfigMaps and other kinds never wake a reconcile: don't parse their objects.
    if (event.resource !== 'seinodetasks' && event.resource !== 'seinodes' && event.resource !== 'pods' && event.resource !== WORKFLOW_RESOURCE) return;
    const object: KubeObject = event.object;
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    switch (event.resource) {
      case 'seinodetasks': {
        const key = taskKey(namespace, name);
        if (event.type === 'DELETED') {
          // A task deleted mid-run stops here: its execution record is dropped and nothing
          // further happens for it (side effects already made, e.g. a deleted pod, stand).
          const info = taskInfo.get(key);
          if (info?.id && info.uid === object.metadata.uid) forgetExecution(store, namespace, info.id);
          track(key, {});
          forget(key);
          return;
        }
        // The status this reconcile of the task just wrote is its own result, not new input:
        // reconciling it again at once would recompute the same status (time-driven steps have
        // timers). Spec, label or external status writes still arrive from outside a reconcile.
        if (event.type === 'MODIFIED' && key === reconciling) return;
        enqueue(key);
        return;
      }
      case 'seinodes': {
        const key = nodeKey(namespace, name);
        enqueue(key);
        // The final reconcile (garbage-collecting pods) is queued above; pending timers for a
        // deleted node have nothing left to do.
        if (event.type === 'DELETED') forget(key);
        for (const task of tasksByNode.get(key) ?? []) enqueue(task);
        // Label peers depend on which nodes exist and their labels, not on their status:
        // re-resolve only on those changes so a fleet's status churn stays O(1) per event.
        const labels = event.type === 'DELETED' ? undefined : JSON.stringify(object.metadata.labels ?? {});
        if (labels !== nodeLabels.get(key)) {
          if (labels === undefined) nodeLabels.delete(key);
          else nodeLabels.set(key, labels);
          for (const selecting of labelSelecting) if (selecting !== key) enqueue(selecting);
        }
        return;
      }
      case WORKFLOW_RESOURCE:
        // A workflow has no controller of its own: its target node adopts, drives and finalizes it
        // (upstream workflow.go:765 enqueueWorkflowTarget), on every create, update and delete.
        enqueue(workflowTargetKey(object));
        return;
      case 'pods': {
        const node = object.metadata.labels?.[NODE_LABEL];
        if (node === undefined) return;
        const key = nodeKey(namespace, node);
        enqueue(key);
        for (const task of tasksByNode.get(key) ?? []) enqueue(task);
        return;
      }
      default:
        return;
    }
  }

  const unsubscribe = store.onChange(onEvent);
  // Resume: every node and task is reconciled from what the store holds, re-arming timers
  // from stored timestamps; terminal tasks are left as they are.
  for (const node of store.list('seinodes')) enqueue(nodeKey(node.metadata.namespace ?? '', node.metadata.name ?? ''));
  for (const task of store.list('seinodetasks')) enqueue(taskKey(task.metadata.namespace ?? '', task.metadata.name ?? ''));

  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
      for (const { handle } of timers.values()) clearTimeout(handle);
      timers.clear();
      queue.clear();
      for (const resolve of idleWaiters.splice(0)) resolve();
    },
    stats(): ControllerStats {
      let trackedTasks = 0;
      for (const set of tasksByNode.values()) trackedTasks += set.size;
      return { queued: queue.size, timers: timers.size, trackedTasks, memo: ctx.memo.size, reconciles, turns };
    },
    idle(): Promise<void> {
      if (stopped || (queue.size === 0 && scheduled === undefined)) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
