/**
 * The contract between the simulated API server (src/sim/server, store, watch, admission) and
 * the simulated controller (src/sim/controller). The controller never speaks HTTP: it reads and
 * writes the store directly, and its writes produce the same watch events as API writes.
 */
import type { KubeObject } from '../cluster/types.js';
import type { SimClock } from './clock.js';

export type { KubeObject };

export type CrdFlavor = 'seed' | 'latest';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  /** Plural resource name, e.g. "seinodetasks", "pods". */
  resource: string;
  object: KubeObject;
}

export interface SimStore {
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
  /** System write: assigns uid, resourceVersion, generation 1, creationTimestamp. No admission. */
  create(resource: string, object: KubeObject): KubeObject;
  /** Replaces metadata/spec, keeps status; bumps generation only when spec changed. */
  update(resource: string, object: KubeObject): KubeObject;
  /** Replaces status only (the status subresource). */
  updateStatus(resource: string, object: KubeObject): KubeObject;
  delete(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Synchronous notification after every committed write. Returns an unsubscribe function. */
  onChange(listener: (event: StoreEvent) => void): () => void;
  /** The current global resourceVersion (one counter for every resource, as in etcd). */
  currentResourceVersion(): string;
  /**
   * Events of `resource` committed after `resourceVersion`, oldest first, for resuming a watch;
   * undefined when that version has been compacted out of the history (the API answers 410).
   */
  eventsSince(resource: string, resourceVersion: string): StoreEvent[] | undefined;
}

export interface SimController {
  stop(): void;
}

export interface ControllerOptions {
  crd: CrdFlavor;
  /** The SeiNodeTask kinds it runs: the served CRD's spec.kind enum (servedTaskKinds). */
  taskKinds: readonly string[];
  /** The controller's time and timers (default: the system clock). */
  clock?: SimClock;
  /** Milliseconds since epoch, with system timers; `clock` is the way to also control timers. */
  now?: () => number;
}
