/**
 * The simulated sei-k8s-controller: an event-driven work queue over the store. Each reconciler
 * in RECONCILERS declares the resource it owns and which store events wake which keys (a pod
 * wakes its node and the node's tasks; a node wakes its tasks and the nodes whose label peer
 * sources may select it); reconcilers ask for timed requeues instead of polling. This file owns
 * every timer and subscription and releases them in stop(). It never speaks HTTP and never
 * bypasses the store.
 */
import { performance } from 'node:perf_hooks';
import type { ControllerOptions, SimController, SimStore, StoreEvent } from '../types.js';
import { systemClock } from '../clock.js';
import { splitKey, type ReconcileContext } from './context.js';
import { nodeReconciler } from './node-reconciler.js';
import { taskReconciler } from './tasks.js';
import { sidecarReconciler } from './sidecar.js';
import { SIDECAR_WORK } from './kinds.js';
import { objectKey, type QueueView, type Reconciler, type ReconcilerFactory } from './registry.js';

export { simulatedHeight } from './nodes.js';
export { KNOBS } from './knobs.js';
export { PLAN_KNOBS } from './plan-knobs.js';
export { FORCE_DELETE_ANNOTATION, WORKFLOW_FINALIZER } from './workflows.js';
export { NODE_FINALIZER } from './node-reconciler.js';
export { taskId } from './tasks.js';
export { KIND_HANDLERS, servedTaskKinds } from './kinds.js';

/** Every reconciler of the simulated controller, in the order their wakes are routed. */
export const RECONCILERS: readonly ReconcilerFactory[] = [nodeReconciler, taskReconciler, () => sidecarReconciler(SIDECAR_WORK)];

/** Longest run of reconciles per event-loop turn, and a cap on keys per turn. */
const DRAIN_SLICE_MS = 5;
const DRAIN_MAX_KEYS = 500;

export interface ControllerStats {
  queued: number;
  timers: number;
  /** Non-terminal tasks (and other objects) reconcilers follow in memory. */
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
  const clock = options.clock ?? (options.now ? { ...systemClock, now: options.now } : systemClock);
  const now = () => clock.now();
  const reconcilers = new Map<string, Reconciler>();
  for (const make of RECONCILERS) {
    const reconciler = make();
    reconcilers.set(reconciler.resource, reconciler);
  }
  const queue = new Set<string>();
  const timers = new Map<string, { at: number; cancel: () => void }>();
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
    taskKinds: options.taskKinds,
    now,
    memo: new Map(),
    requeueAt(key: string, atMs: number): void {
      if (stopped) return;
      // Due already (upstream's RequeueAfter 1ms, "requeue immediately"): no timer needed.
      if (atMs <= now()) {
        enqueue(key);
        return;
      }
      const existing = timers.get(key);
      if (existing && existing.at <= atMs) return;
      existing?.cancel();
      const cancel = clock.schedule(() => {
        timers.delete(key);
        // Node.js caps a timer's delay: a wait longer than that fires early and re-arms.
        if (now() < atMs) ctx.requeueAt(key, atMs);
        else enqueue(key);
      }, atMs - now());
      timers.set(key, { at: atMs, cancel });
    },
  };

  const view: QueueView = { store, reconciling: () => reconciling, forget };

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
    const reconciler = reconcilers.get(resource);
    if (!reconciler) return;
    reconciles++;
    reconciling = key;
    try {
      reconciler.reconcile(ctx, namespace, name);
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
    timers.get(key)?.cancel();
    timers.delete(key);
  }

  function onEvent(event: StoreEvent): void {
    for (const reconciler of reconcilers.values()) {
      const wake = reconciler.wakes[event.resource];
      if (wake) for (const key of wake(event, view)) enqueue(key);
    }
  }

  const unsubscribe = store.onChange(onEvent);
  // Resume: every object a reconciler owns is reconciled from what the store holds, re-arming
  // timers from stored timestamps; terminal tasks are left as they are.
  for (const reconciler of reconcilers.values()) {
    for (const object of store.list(reconciler.resource)) enqueue(objectKey(reconciler.resource, object));
  }

  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
      for (const { cancel } of timers.values()) cancel();
      timers.clear();
      queue.clear();
      for (const resolve of idleWaiters.splice(0)) resolve();
    },
    stats(): ControllerStats {
      let trackedTasks = 0;
      for (const reconciler of reconcilers.values()) trackedTasks += reconciler.tracked?.() ?? 0;
      return { queued: queue.size, timers: timers.size, trackedTasks, memo: ctx.memo.size, reconciles, turns };
    },
    idle(): Promise<void> {
      if (stopped || (queue.size === 0 && scheduled === undefined)) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
