/**
 * What a reconciler of the simulated controller declares: the resource whose objects it owns and
 * which store events wake which of its keys. The work queue (index.ts) owns timers, the queue and
 * subscriptions and routes events through these declarations; a new reconciler (a plan, a
 * workflow) is one more entry in RECONCILERS, not another branch in the queue.
 */
import type { SimStore, StoreEvent } from '../types.js';
import type { ReconcileContext } from './context.js';

/** What a reconciler may ask of the work queue while handling an event. */
export interface QueueView {
  store: SimStore;
  /** The key being reconciled now, so the events of its own writes are told from outside ones. */
  reconciling(): string | undefined;
  /** Drops the timers and in-memory timestamps of a key whose object is gone. */
  forget(key: string): void;
}

export interface Reconciler {
  /** Plural of the resource this reconciler owns: its keys are `<resource>/<namespace>/<name>`. */
  resource: string;
  /** Brings one object toward its desired state; throws to be retried with backoff. */
  reconcile(ctx: ReconcileContext, namespace: string, name: string): void;
  /** What wakes it: per watched resource, the keys a store event enqueues. */
  wakes: Partial<Record<string, (event: StoreEvent, queue: QueueView) => Iterable<string>>>;
  /** Objects it follows in memory (for stats: must not grow with objects already gone). */
  tracked?(): number;
}

export type ReconcilerFactory = () => Reconciler;

export const objectKey = (resource: string, object: { metadata: { namespace?: string; name?: string } }): string =>
  `${resource}/${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
