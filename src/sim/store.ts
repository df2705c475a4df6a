/**
 * The simulated cluster's storage: every object keyed by resource/namespace/name, one global
 * resourceVersion counter (as etcd has), a bounded event history for resuming watches, and
 * optional persistence to a state directory so a restarted sim keeps its objects and continues
 * its resourceVersions. It enforces object semantics only (uid, generation, optimistic
 * concurrency, status vs. spec); it knows nothing of HTTP, admission or controllers.
 */
import { randomUUID, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, SimStore, StoreEvent, StoreEventType } from './types.js';
import { AlreadyExistsError, ConflictError, InvalidObjectError, NotFoundError } from './store-errors.js';
import { openPersistence, type Persistence } from './store-persistence.js';

export * from './store-errors.js';

/** The store plus its lifecycle: close() flushes persistence. */
export interface SimStoreHandle extends SimStore {
  /** Flushes and closes the state directory (a no-op for an in-memory store). Idempotent. */
  close(): Promise<void>;
  /** Oldest resourceVersion a watch can still resume from (exclusive lower bound). */
  compactedResourceVersion(): string;
}

export interface CreateStoreOptions {
  /** Persist every write here and load it at start; in-memory when absent. */
  stateDir?: string;
  /** How many events the watch history keeps; older resourceVersions answer 410 Gone. */
  historyLimit?: number;
  /** API group per plural resource, for apiserver-shaped error messages (`seinodes.sei.io`). */
  groups?: Record<string, string>;
  /** Clock for creationTimestamp; injectable for deterministic tests. */
  now?: () => number;
  /** Log lines after which the state log is folded into a new snapshot (default 20,000). */
  logCompactAfter?: number;
}

const DEFAULT_HISTORY_LIMIT = 10_000;

const DEFAULT_GROUPS: Record<string, string> = {
  seinodes: 'sei.io',
  seinodetasks: 'sei.io',
  seinodedeployments: 'sei.io',
  customresourcedefinitions: 'apiextensions.k8s.io',
};

interface HistoryEntry {
  rv: number;
  event: StoreEvent;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Timestamps in the apiserver's RFC 3339 form, second precision. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Five lowercase alphanumerics, as the apiserver appends to generateName. */
function nameSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(randomBytes(5), (byte) => alphabet[byte % alphabet.length]).join('');
}

class MemoryStore implements SimStoreHandle {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly history: HistoryEntry[] = [];
  private historyStart = 0;
  private counter = 0;
  /** Events older than or at this resourceVersion are gone from the history. */
  private compactedRv = 0;
  private readonly pending: StoreEvent[] = [];
  private dispatching = false;
  private closed = false;

  constructor(
    private readonly historyLimit: number,
    private readonly groups: Record<string, string>,
    private readonly now: () => number,
    private readonly persistence: Persistence | undefined,
  ) {
    if (persistence) {
      const loaded = persistence.load();
      this.counter = loaded.resourceVersion;
      this.compactedRv = loaded.resourceVersion;
      for (const { resource, object } of loaded.objects) {
        this.bucket(resource).set(objectKey(object.metadata.namespace, object.metadata.name ?? ''), object);
      }
    }
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(resource)?.get(objectKey(namespace, name));
    return found ? clone(found) : undefined;
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const bucket = this.objects.get(resource);
    if (!bucket) return [];
    const items: KubeObject[] = [];
    for (const object of bucket.values()) {
      if (namespace === undefined || (object.metadata.namespace ?? '') === namespace) items.push(object);
    }
    // etcd returns keys in lexical order (namespace, then name); clients and kubectl rely on it.
    items.sort((a, b) => {
      const ka = objectKey(a.metadata.namespace, a.metadata.name ?? '');
      const kb = objectKey(b.metadata.namespace, b.metadata.name ?? '');
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    return items.map(clone);
  }

  create(resource: string, object: KubeObject): KubeObject {
    this.assertOpen();
    const stored = clone(object);
    const meta = (stored.metadata ??= {});
    if (!meta.name) {
      if (!meta.generateName) {
        throw new InvalidObjectError(resource, '', 'metadata.name: Required value: name or generateName is required');
      }
      meta.name = this.freeName(resource, meta.namespace, meta.generateName);
    }
    const name = meta.name;
    const key = objectKey(meta.namespace, name);
    if (this.bucket(resource).has(key)) throw new AlreadyExistsError(resource, name, this.groups[resource]);
    meta.uid = randomUUID();
    meta.generation = 1;
    meta.creationTimestamp = rfc3339(this.now());
    delete meta.deletionTimestamp;
    meta.resourceVersion = this.nextRv();
    this.bucket(resource).set(key, stored);
    this.commit('ADDED', resource, stored);
    return clone(stored);
  }

  update(resource: string, object: KubeObject): KubeObject {
    this.assertOpen();
    const { current, key } = this.existing(resource, object);
    const next = clone(object);
    const meta = (next.metadata = { ...clone(next.metadata) });
    // Identity and bookkeeping are the server's; a client cannot rewrite them.
    meta.uid = current.metadata.uid;
    meta.creationTimestamp = current.metadata.creationTimestamp;
    meta.generation = current.metadata.generation;
    meta.resourceVersion = current.metadata.resourceVersion;
    if ('status' in current) next.status = clone(current.status);
    else delete next.status;
    if (!isDeepStrictEqual(next.spec, current.spec)) meta.generation = (current.metadata.generation ?? 0) + 1;
    // A write that changes nothing is not a write: no new resourceVersion, no event (as etcd).
    if (isDeepStrictEqual(next, current)) return clone(current);
    meta.resourceVersion = this.nextRv();
    this.bucket(resource).set(key, next);
    this.commit('MODIFIED', resource, next);
    return clone(next);
  }

  updateStatus(resource: string, object: KubeObject): KubeObject {
    this.assertOpen();
    const { current, key } = this.existing(resource, object);
    const next = clone(current);
    if (object.status === undefined) delete next.status;
    else next.status = clone(object.status);
    if (isDeepStrictEqual(next, current)) return clone(current);
    next.metadata.resourceVersion = this.nextRv();
    this.bucket(resource).set(key, next);
    this.commit('MODIFIED', resource, next);
    return clone(next);
  }

  delete(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    this.assertOpen();
    const bucket = this.objects.get(resource);
    const key = objectKey(namespace, name);
    const current = bucket?.get(key);
    if (!bucket || !current) return undefined;
    bucket.delete(key);
    // The DELETED event carries the object at a fresh resourceVersion, as the apiserver does.
    current.metadata.resourceVersion = this.nextRv();
    this.commit('DELETED', resource, current);
    return clone(current);
  }

  onChange(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  currentResourceVersion(): string {
    return String(this.counter);
  }

  compactedResourceVersion(): string {
    return String(this.compactedRv);
  }

  eventsSince(resource: string, resourceVersion: string): StoreEvent[] | undefined {
    if (!/^\d+$/.test(resourceVersion)) return undefined;
    const since = Number(resourceVersion);
    if (since < this.compactedRv) return undefined;
    const events: StoreEvent[] = [];
    for (let i = this.historyStart; i < this.history.length; i++) {
      const entry = this.history[i]!;
      if (entry.rv > since && entry.event.resource === resource) events.push(clone(entry.event));
    }
    return events;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await this.persistence?.close(this.counter, this.snapshotObjects());
  }

  private snapshotObjects(): Array<{ resource: string; object: KubeObject }> {
    const all: Array<{ resource: string; object: KubeObject }> = [];
    for (const [resource, bucket] of this.objects) {
      for (const object of bucket.values()) all.push({ resource, object });
    }
    return all;
  }

  private existing(resource: string, object: KubeObject): { current: KubeObject; key: string } {
    const name = object.metadata?.name ?? '';
    const key = objectKey(object.metadata?.namespace, name);
    const current = this.objects.get(resource)?.get(key);
    if (!current) throw new NotFoundError(resource, name, this.groups[resource]);
    const expected = object.metadata.resourceVersion;
    if (expected !== undefined && expected !== '' && expected !== current.metadata.resourceVersion) {
      throw new ConflictError(resource, name, this.groups[resource]);
    }
    const uid = object.metadata.uid;
    if (uid !== undefined && uid !== '' && uid !== current.metadata.uid) {
      // A precondition on uid means "that incarnation"; a recreated object is a different one.
      throw new ConflictError(resource, name, this.groups[resource]);
    }
    return { current, key };
  }

  private freeName(resource: string, namespace: string | undefined, prefix: string): string {
    for (;;) {
      const candidate = `${prefix}${nameSuffix()}`;
      if (!this.bucket(resource).has(objectKey(namespace, candidate))) return candidate;
    }
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let bucket = this.objects.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(resource, bucket);
    }
    return bucket;
  }

  private nextRv(): string {
    this.counter += 1;
    return String(this.counter);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the simulated store is closed');
  }

  private commit(type: StoreEventType, resource: string, stored: KubeObject): void {
    const rv = this.counter;
    this.persistence?.append({ rv, resource, type, object: stored }, () => this.snapshotObjects());
    this.history.push({ rv, event: { type, resource, object: clone(stored) } });
    if (this.history.length - this.historyStart > this.historyLimit) {
      this.compactedRv = this.history[this.historyStart]!.rv;
      this.historyStart += 1;
      // Drop the consumed prefix in batches so compaction stays amortised O(1).
      if (this.historyStart >= this.historyLimit) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    this.pending.push({ type, resource, object: clone(stored) });
    this.dispatch();
  }

  /**
   * Delivers events in resourceVersion order even when a listener writes to the store while
   * being notified: such nested writes are queued and delivered after the current event reaches
   * every listener, so no watcher ever sees versions out of order.
   */
  private dispatch(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      while (this.pending.length > 0) {
        const event = this.pending.shift()!;
        const listeners = [...this.listeners];
        listeners.forEach((listener, index) => {
          try {
            // Each listener gets its own copy so one cannot corrupt what the next one sees.
            listener(index === 0 ? event : clone(event));
          } catch (error) {
            // A faulty listener (a broken watch stream) must not fail the write or other watchers.
            process.emitWarning(`simulated store listener failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        });
      }
    } finally {
      this.dispatching = false;
    }
  }
}

export function createStore(options: CreateStoreOptions = {}): SimStoreHandle {
  const persistence = options.stateDir ? openPersistence(options.stateDir, options.logCompactAfter) : undefined;
  return new MemoryStore(
    options.historyLimit ?? DEFAULT_HISTORY_LIMIT,
    { ...DEFAULT_GROUPS, ...options.groups },
    options.now ?? Date.now,
    persistence,
  );
}
