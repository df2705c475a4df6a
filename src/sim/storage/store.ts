/**
 * The simulated cluster's storage: every object keyed by resource/namespace/name, one global
 * resourceVersion counter (as etcd has), a bounded event history for resuming watches, and
 * optional persistence to a state directory so a restarted sim keeps its objects and continues
 * its resourceVersions. It enforces object semantics only (uid, generation, optimistic
 * concurrency, status vs. spec); it knows nothing of HTTP, admission or controllers.
 */
import { randomUUID, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, SimStore, StoreEvent, StoreEventType } from '../types.js';
import { AlreadyExistsError, ConflictError, InvalidObjectError, NotFoundError } from './errors.js';
import { openPersistence, type Persistence, type SnapshotEntry } from './persistence.js';

export * from './errors.js';

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
  type: StoreEventType;
  resource: string;
  json: string;
}

interface StoredEntry {
  /** The object serialised once at write time: every read is one JSON.parse, a private copy. */
  json: string;
  namespace: string;
}

function name(object: KubeObject): string {
  return object.metadata.name ?? '';
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/**
 * A private deep copy. Stored objects are JSON (they arrive over HTTP as JSON), and a JSON round
 * trip is both cheaper than structuredClone for them and drops `undefined` as serialisation would.
 */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
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
  private readonly objects = new Map<string, Map<string, StoredEntry>>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly history: HistoryEntry[] = [];
  private historyStart = 0;
  private counter = 0;
  /** Events older than or at this resourceVersion are gone from the history. */
  private compactedRv = 0;
  private readonly pending: HistoryEntry[] = [];
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
        const namespace = object.metadata.namespace ?? '';
        this.bucket(resource).set(objectKey(namespace, object.metadata.name ?? ''), { json: JSON.stringify(object), namespace });
      }
    }
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(resource)?.get(objectKey(namespace, name));
    return found ? (JSON.parse(found.json) as KubeObject) : undefined;
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const bucket = this.objects.get(resource);
    if (!bucket) return [];
    const keys: string[] = [];
    for (const [key, entry] of bucket) {
      if (namespace === undefined || entry.namespace === namespace) keys.push(key);
    }
    // etcd returns keys in lexical order (namespace, then name); clients and kubectl rely on it.
    keys.sort();
    return keys.map((key) => JSON.parse(bucket.get(key)!.json) as KubeObject);
  }

  create(resource: string, object: KubeObject): KubeObject {
    this.assertOpen();
    const stored = copy(object);
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
    this.commit('ADDED', resource, this.put(resource, key, stored));
    // `stored` is ours alone: the store keeps its serialised form, so it can be handed out.
    return stored;
  }

  update(resource: string, object: KubeObject): KubeObject {
    this.assertOpen();
    const { current, key } = this.existing(resource, object);
    const next = copy(object);
    const meta = (next.metadata ??= {});
    // Identity and bookkeeping are the server's; a client cannot rewrite them.
    meta.uid = current.metadata.uid;
    meta.creationTimestamp = current.metadata.creationTimestamp;
    meta.generation = current.metadata.generation;
    meta.resourceVersion = current.metadata.resourceVersion;
    if ('status' in current) next.status = current.status;
    else delete next.status;
    // Deletion is the server's to start: a client can neither set nor clear deletionTimestamp.
    const terminating = current.metadata.deletionTimestamp;
    if (terminating === undefined) delete meta.deletionTimestamp;
    else {
      meta.deletionTimestamp = terminating;
      meta.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds ?? 0;
      const added = (meta.finalizers ?? []).filter((f) => !(current.metadata.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw new InvalidObjectError(resource, name(current), `metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`);
      }
    }
    if (!isDeepStrictEqual(next.spec, current.spec)) meta.generation = (current.metadata.generation ?? 0) + 1;
    // A write that changes nothing is not a write: no new resourceVersion, no event (as etcd).
    if (isDeepStrictEqual(next, current)) return current;
    meta.resourceVersion = this.nextRv();
    // Removing the last finalizer of a terminating object completes its deletion.
    if (terminating !== undefined && (meta.finalizers ?? []).length === 0) {
      delete meta.finalizers;
      return this.remove(resource, key, next);
    }
    this.commit('MODIFIED', resource, this.put(resource, key, next));
    return next;
  }

  updateStatus(resource: string, object: KubeObject): KubeObject {
    this.assertOpen();
    const { current, key } = this.existing(resource, object);
    const status = object.status === undefined ? undefined : copy(object.status);
    if (isDeepStrictEqual(status, current.status)) return current;
    if (status === undefined) delete current.status;
    else current.status = status;
    // The apiserver records the status writer (subresource "status") in the same write.
    if (object.metadata.managedFields) current.metadata.managedFields = copy(object.metadata.managedFields);
    current.metadata.resourceVersion = this.nextRv();
    this.commit('MODIFIED', resource, this.put(resource, key, current));
    return current;
  }

  delete(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    this.assertOpen();
    const bucket = this.objects.get(resource);
    const key = objectKey(namespace, name);
    const entry = bucket?.get(key);
    if (!bucket || !entry) return undefined;
    const current = JSON.parse(entry.json) as KubeObject;
    const held = (current.metadata.finalizers ?? []).length > 0;
    // Finalizers hold the object: deletion only starts (deletionTimestamp, Terminating) and
    // completes when the last finalizer is removed, as the apiserver does. Deleting a
    // terminating object again changes nothing.
    if (held && current.metadata.deletionTimestamp !== undefined) return current;
    current.metadata.resourceVersion = this.nextRv();
    if (held) {
      current.metadata.deletionTimestamp = rfc3339(this.now());
      current.metadata.deletionGracePeriodSeconds = 0;
      current.metadata.generation = (current.metadata.generation ?? 0) + 1;
      this.commit('MODIFIED', resource, this.put(resource, key, current));
      return current;
    }
    return this.remove(resource, key, current);
  }

  /** Drops the object; the DELETED event carries it at a fresh resourceVersion, as the apiserver does. */
  private remove(resource: string, key: string, object: KubeObject): KubeObject {
    this.objects.get(resource)?.delete(key);
    this.commit('DELETED', resource, JSON.stringify(object));
    return object;
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
      if (entry.rv > since && entry.resource === resource) events.push(toEvent(entry));
    }
    return events;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await this.persistence?.close(this.counter, this.snapshotObjects());
  }

  private snapshotObjects(): SnapshotEntry[] {
    const all: SnapshotEntry[] = [];
    for (const [resource, bucket] of this.objects) {
      for (const entry of bucket.values()) all.push({ resource, json: entry.json });
    }
    return all;
  }

  /** The stored object as a private copy, after the preconditions a write carries. */
  private existing(resource: string, object: KubeObject): { current: KubeObject; key: string } {
    const name = object.metadata?.name ?? '';
    const key = objectKey(object.metadata?.namespace, name);
    const entry = this.objects.get(resource)?.get(key);
    if (!entry) throw new NotFoundError(resource, name, this.groups[resource]);
    const current = JSON.parse(entry.json) as KubeObject;
    const expected = object.metadata?.resourceVersion;
    if (expected !== undefined && expected !== '' && expected !== current.metadata.resourceVersion) {
      throw new ConflictError(resource, name, this.groups[resource]);
    }
    const uid = object.metadata?.uid;
    if (uid !== undefined && uid !== '' && uid !== current.metadata.uid) {
      // A precondition on uid means "that incarnation"; a recreated object is a different one.
      throw new ConflictError(resource, name, this.groups[resource]);
    }
    return { current, key };
  }

  /** Stores the object's serialised form and returns it (the event and log reuse it). */
  private put(resource: string, key: string, object: KubeObject): string {
    const json = JSON.stringify(object);
    this.bucket(resource).set(key, { json, namespace: object.metadata.namespace ?? '' });
    return json;
  }

  private freeName(resource: string, namespace: string | undefined, prefix: string): string {
    for (;;) {
      const candidate = `${prefix}${nameSuffix()}`;
      if (!this.bucket(resource).has(objectKey(namespace, candidate))) return candidate;
    }
  }

  private bucket(resource: string): Map<string, StoredEntry> {
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

  private commit(type: StoreEventType, resource: string, json: string): void {
    const entry: HistoryEntry = { rv: this.counter, type, resource, json };
    this.persistence?.append(entry, () => this.snapshotObjects());
    this.history.push(entry);
    if (this.history.length - this.historyStart > this.historyLimit) {
      this.compactedRv = this.history[this.historyStart]!.rv;
      this.historyStart += 1;
      // Drop the consumed prefix in batches so compaction stays amortised O(1).
      if (this.historyStart >= this.historyLimit) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    this.pending.push(entry);
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
        const entry = this.pending.shift()!;
        for (const listener of [...this.listeners]) {
          try {
            // Each listener gets its own copy so one cannot corrupt what the next one sees,
            // parsed only if it reads the object: most listeners filter on `resource` first.
            listener(lazyEvent(entry));
          } catch (error) {
            // A faulty listener (a broken watch stream) must not fail the write or other watchers.
            process.emitWarning(`simulated store listener failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}

/**
 * An event whose object is parsed on first read, once per listener: a watch of tasks must not
 * pay a JSON.parse for every ConfigMap or Pod write in the cluster.
 */
function lazyEvent(entry: HistoryEntry): StoreEvent {
  let parsed: KubeObject | undefined;
  return {
    type: entry.type,
    resource: entry.resource,
    get object(): KubeObject {
      return (parsed ??= JSON.parse(entry.json) as KubeObject);
    },
    set object(value: KubeObject) {
      parsed = value;
    },
  };
}

function toEvent(entry: HistoryEntry): StoreEvent {
  return { type: entry.type, resource: entry.resource, object: JSON.parse(entry.json) as KubeObject };
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
