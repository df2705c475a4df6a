import { mkdtempSync, readFileSync, rmSync, appendFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, NotFoundError, createStore, type SimStoreHandle } from '../../src/sim/storage/store.js';
import type { KubeObject, StoreEvent } from '../../src/sim/types.js';

function node(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name, namespace: 'sei' },
    spec: { image: 'sei:v1' },
    ...extra,
  };
}

const dirs: string[] = [];
const stores: SimStoreHandle[] = [];
function track(store: SimStoreHandle): SimStoreHandle {
  stores.push(store);
  return store;
}
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-store-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('resourceVersion counter', () => {
  it('is one global counter across resources and namespaces, strictly increasing', () => {
    const store = track(createStore());
    expect(store.currentResourceVersion()).toBe('0');
    const a = store.create('seinodes', node('a'));
    const b = store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a-0', namespace: 'other' } });
    const c = store.updateStatus('seinodes', { ...a, status: { phase: 'Running' } });
    const d = store.delete('pods', 'other', 'a-0');
    expect([a, b, c, d].map((o) => o?.metadata.resourceVersion)).toEqual(['1', '2', '3', '4']);
    expect(store.currentResourceVersion()).toBe('4');
  });

  it('a write that changes nothing keeps the resourceVersion and emits no event', () => {
    const store = track(createStore());
    const created = store.create('seinodes', node('a'));
    const events: StoreEvent[] = [];
    store.onChange((e) => events.push(e));
    const same = store.update('seinodes', created);
    const sameStatus = store.updateStatus('seinodes', created);
    expect(same.metadata.resourceVersion).toBe('1');
    expect(sameStatus.metadata.resourceVersion).toBe('1');
    expect(events).toEqual([]);
  });
});

describe('object semantics', () => {
  it('create assigns uid, generation 1, creationTimestamp and refuses a duplicate', () => {
    const store = track(createStore({ now: () => Date.parse('2026-01-02T03:04:05.678Z') }));
    const created = store.create('seinodes', node('a'));
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.creationTimestamp).toBe('2026-01-02T03:04:05Z');
    expect(() => store.create('seinodes', node('a'))).toThrow(AlreadyExistsError);
    expect(() => store.create('seinodes', node('a'))).toThrow('seinodes.sei.io "a" already exists');
    // Same name in another namespace is another object.
    expect(store.create('seinodes', { ...node('a'), metadata: { name: 'a', namespace: 'x' } }).metadata.uid).not.toBe(created.metadata.uid);
  });

  it('generateName yields a fresh name with the prefix', () => {
    const store = track(createStore());
    const created = store.create('seinodetasks', { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { generateName: 'restart-', namespace: 'sei' } });
    expect(created.metadata.name).toMatch(/^restart-[a-z0-9]{5}$/);
  });

  it.each([
    { scenario: 'spec changed', spec: { image: 'sei:v2' }, generation: 2 },
    { scenario: 'spec deep-equal (new object, same content)', spec: { image: 'sei:v1' }, generation: 1 },
  ])('update bumps generation only when spec changes: $scenario', ({ spec, generation }) => {
    const store = track(createStore());
    const created = store.create('seinodes', node('a'));
    const updated = store.update('seinodes', { ...created, metadata: { ...created.metadata, labels: { x: 'y' } }, spec });
    expect(updated.metadata.generation).toBe(generation);
    expect(updated.metadata.labels).toEqual({ x: 'y' });
  });

  it('update keeps status and identity; updateStatus changes only status and never generation', () => {
    const store = track(createStore());
    const created = store.create('seinodes', node('a', { status: { phase: 'Pending' } }));
    const withStatus = store.updateStatus('seinodes', { ...created, spec: { image: 'ignored' }, status: { phase: 'Running' } });
    expect(withStatus.spec).toEqual({ image: 'sei:v1' });
    expect(withStatus.metadata.generation).toBe(1);
    expect(withStatus.status).toEqual({ phase: 'Running' });
    const updated = store.update('seinodes', {
      ...withStatus,
      metadata: { ...withStatus.metadata, uid: undefined, generation: 99, creationTimestamp: 'x' },
      spec: { image: 'sei:v2' },
      status: { phase: 'Failed' },
    });
    expect(updated.status).toEqual({ phase: 'Running' });
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    expect(updated.metadata.generation).toBe(2);
    expect(updated.metadata.creationTimestamp).toBe(created.metadata.creationTimestamp);
  });

  it.each([
    { scenario: 'stale resourceVersion', rv: '1', error: ConflictError },
    { scenario: 'current resourceVersion', rv: '2', error: undefined },
    { scenario: 'no resourceVersion (unconditional)', rv: undefined, error: undefined },
  ])('optimistic concurrency on update: $scenario', ({ rv, error }) => {
    const store = track(createStore());
    const created = store.create('seinodes', node('a'));
    store.update('seinodes', { ...created, spec: { image: 'sei:v2' } });
    const attempt = () => store.update('seinodes', { ...created, metadata: { ...created.metadata, resourceVersion: rv }, spec: { image: 'sei:v3' } });
    if (error) {
      expect(attempt).toThrow(error);
      expect(attempt).toThrow(/the object has been modified/);
    } else expect(attempt().spec).toEqual({ image: 'sei:v3' });
  });

  it('update and updateStatus of a missing object throw NotFound; delete of one returns undefined', () => {
    const store = track(createStore());
    expect(() => store.update('seinodes', node('nope'))).toThrow(NotFoundError);
    expect(() => store.updateStatus('seinodes', node('nope'))).toThrow('seinodes.sei.io "nope" not found');
    expect(store.delete('seinodes', 'sei', 'nope')).toBeUndefined();
    expect(store.currentResourceVersion()).toBe('0');
  });

  it('returns deep copies: mutating results or inputs never changes stored objects', () => {
    const store = track(createStore());
    const input = node('a');
    const created = store.create('seinodes', input);
    (input.spec as { image: string }).image = 'mutated-input';
    (created.spec as { image: string }).image = 'mutated-result';
    const listed = store.list('seinodes');
    (listed[0]!.spec as { image: string }).image = 'mutated-list';
    store.onChange((e) => {
      (e.object.spec as { image: string }).image = 'mutated-by-listener';
    });
    store.update('seinodes', { ...store.get('seinodes', 'sei', 'a')!, metadata: { ...created.metadata, labels: { a: 'b' } } });
    expect(store.get('seinodes', 'sei', 'a')!.spec).toEqual({ image: 'sei:v1' });
    expect(store.eventsSince('seinodes', '0')!.map((e) => (e.object.spec as { image: string }).image)).toEqual(['sei:v1', 'sei:v1']);
  });

  it('list filters by namespace and sorts by namespace then name', () => {
    const store = track(createStore());
    for (const [ns, name] of [['b', 'z'], ['a', 'y'], ['b', 'a'], ['a', 'b']] as const) {
      store.create('seinodes', { ...node(name), metadata: { name, namespace: ns } });
    }
    expect(store.list('seinodes').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['a/b', 'a/y', 'b/a', 'b/z']);
    expect(store.list('seinodes', 'b').map((o) => o.metadata.name)).toEqual(['a', 'z']);
    expect(store.list('pods')).toEqual([]);
  });
});

describe('events', () => {
  it('delete emits DELETED carrying the object at a fresh resourceVersion', () => {
    const store = track(createStore());
    const events: StoreEvent[] = [];
    store.onChange((e) => events.push(e));
    const created = store.create('seinodes', node('a'));
    const deleted = store.delete('seinodes', 'sei', 'a');
    expect(deleted?.metadata.uid).toBe(created.metadata.uid);
    expect(deleted?.metadata.resourceVersion).toBe('2');
    expect(events.map((e) => [e.type, e.resource, e.object.metadata.resourceVersion])).toEqual([
      ['ADDED', 'seinodes', '1'],
      ['DELETED', 'seinodes', '2'],
    ]);
    expect(store.get('seinodes', 'sei', 'a')).toBeUndefined();
  });

  it('listeners are synchronous, and a write made inside a listener is delivered in rv order to everyone', () => {
    const store = track(createStore());
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    store.onChange((e) => {
      seenByA.push(e.object.metadata.resourceVersion!);
      if (e.resource === 'seinodes' && e.type === 'ADDED') {
        store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${e.object.metadata.name}-0`, namespace: 'sei' } });
      }
    });
    store.onChange((e) => seenByB.push(e.object.metadata.resourceVersion!));
    store.create('seinodes', node('a'));
    expect(seenByA).toEqual(['1', '2']);
    expect(seenByB).toEqual(['1', '2']);
  });

  it('unsubscribe stops delivery; a throwing listener does not fail the write', () => {
    const store = track(createStore());
    const seen: string[] = [];
    const off = store.onChange((e) => seen.push(e.type));
    store.onChange(() => {
      throw new Error('broken watcher');
    });
    store.create('seinodes', node('a'));
    off();
    expect(() => store.create('seinodes', node('b'))).not.toThrow();
    expect(seen).toEqual(['ADDED']);
  });

  it('eventsSince returns only that resource, after the version, oldest first', () => {
    const store = track(createStore());
    store.create('seinodes', node('a'));
    store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'sei' } });
    store.create('seinodes', node('b'));
    store.delete('seinodes', 'sei', 'a');
    expect(store.eventsSince('seinodes', '1')!.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'b'],
      ['DELETED', 'a'],
    ]);
    expect(store.eventsSince('seinodes', '4')).toEqual([]);
    expect(store.eventsSince('seinodes', 'not-a-number')).toBeUndefined();
  });

  it.each([
    { scenario: 'within the retained window', since: '15', expected: 5 },
    { scenario: 'exactly at the compaction point', since: '10', expected: 10 },
    { scenario: 'compacted out (410 Gone)', since: '9', expected: undefined },
    { scenario: 'from zero after compaction', since: '0', expected: undefined },
  ])('history is bounded: $scenario', ({ since, expected }) => {
    const store = track(createStore({ historyLimit: 10 }));
    for (let i = 0; i < 20; i++) store.create('seinodes', node(`n${i}`));
    expect(store.compactedResourceVersion()).toBe('10');
    expect(store.eventsSince('seinodes', since)?.length).toBe(expected);
  });

  it('history stays bounded in memory over many writes', () => {
    const store = track(createStore({ historyLimit: 100 }));
    const created = store.create('seinodes', node('a'));
    const unconditional = { ...created, metadata: { name: 'a', namespace: 'sei' } };
    for (let i = 0; i < 5_000; i++) store.updateStatus('seinodes', { ...unconditional, status: { n: i } });
    expect(store.eventsSince('seinodes', store.compactedResourceVersion())!.length).toBe(100);
    expect(store.eventsSince('seinodes', '4000')).toBeUndefined();
  });
});

describe('persistence', () => {
  it('a restarted store keeps every object (uid, status, generation) and continues resourceVersions', async () => {
    const dir = tempDir();
    const first = createStore({ stateDir: dir });
    const a = first.create('seinodes', node('a'));
    const v2 = first.update('seinodes', { ...a, spec: { image: 'sei:v2' } });
    first.updateStatus('seinodes', { ...v2, status: { phase: 'Running' } });
    first.create('seinodes', node('gone'));
    first.delete('seinodes', 'sei', 'gone');
    first.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'kube-system' }, data: { k: 'v' } });
    const before = { a: first.get('seinodes', 'sei', 'a'), rv: first.currentResourceVersion() };
    await first.close();

    const second = track(createStore({ stateDir: dir }));
    expect(second.currentResourceVersion()).toBe(before.rv);
    expect(second.get('seinodes', 'sei', 'a')).toEqual(before.a);
    expect(second.get('seinodes', 'sei', 'gone')).toBeUndefined();
    expect(second.get('configmaps', 'kube-system', 'cm')?.data).toEqual({ k: 'v' });
    const next = second.create('seinodes', node('b'));
    expect(Number(next.metadata.resourceVersion)).toBe(Number(before.rv) + 1);
    // History does not survive a restart: resuming a watch from before it answers 410.
    expect(second.eventsSince('seinodes', '1')).toBeUndefined();
    expect(second.eventsSince('seinodes', before.rv)!.map((e) => e.object.metadata.name)).toEqual(['b']);
  });

  it('survives a crash without close(): the log alone restores state, a torn last line is ignored', () => {
    const dir = tempDir();
    const crashed = createStore({ stateDir: dir });
    crashed.create('seinodes', node('a'));
    crashed.create('seinodes', node('b'));
    crashed.delete('seinodes', 'sei', 'a');
    // Simulate a kill mid-append: a partial JSON line at the end of the log.
    appendFileSync(join(dir, 'log.jsonl'), '{"rv":4,"resource":"seinodes","ty');
    const restarted = track(createStore({ stateDir: dir }));
    expect(restarted.list('seinodes').map((o) => o.metadata.name)).toEqual(['b']);
    expect(restarted.currentResourceVersion()).toBe('3');
  });

  it('the state files hold no more than objects (snapshot is valid JSON after close)', async () => {
    const dir = tempDir();
    const store = createStore({ stateDir: dir });
    store.create('seinodes', node('a'));
    await store.close();
    await store.close();
    const snapshot = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { resourceVersion: number; objects: unknown[] };
    expect(snapshot.resourceVersion).toBe(1);
    expect(snapshot.objects).toHaveLength(1);
    expect(readFileSync(join(dir, 'log.jsonl'), 'utf8')).toBe('');
    expect(() => store.create('seinodes', node('b'))).toThrow(/closed/);
  });

  it('folds the log into a new snapshot after logCompactAfter writes, and restarts from both', async () => {
    const dir = tempDir();
    const store = createStore({ stateDir: dir, logCompactAfter: 10 });
    for (let i = 0; i < 25; i++) store.create('seinodes', node(`n${i}`));
    // 25 writes with a fold every 10: the log holds only the last 5.
    expect(readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    expect((JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { resourceVersion: number }).resourceVersion).toBe(20);
    const restarted = createStore({ stateDir: dir });
    expect(restarted.list('seinodes')).toHaveLength(25);
    expect(restarted.currentResourceVersion()).toBe('25');
    await restarted.close();
    await store.close();
  });

  it.each([
    { scenario: 'a corrupt snapshot', file: 'snapshot.json', content: '{"format":1,', message: /snapshot.json: not a readable simulated-cluster snapshot/ },
    { scenario: 'a corrupt log line before the last', file: 'log.jsonl', content: 'garbage\n{"rv":1}\n{"rv":2}\n', message: /log.jsonl:1: unreadable state log line/ },
  ])('refuses $scenario with the file position and a way out, and leaves the directory unlocked', ({ file, content, message }) => {
    const dir = tempDir();
    writeFileSync(join(dir, file), content);
    expect(() => createStore({ stateDir: dir })).toThrow(message);
    expect(existsSync(join(dir, 'sim.lock'))).toBe(false);
  });

  it('refuses a state directory held by another live process, and takes over a dead one\'s lock', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'sim.lock'), String(child.pid));
      expect(() => createStore({ stateDir: dir })).toThrow(`in use by another simulated cluster (pid ${child.pid})`);
    } finally {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const store = createStore({ stateDir: dir });
    expect(readFileSync(join(dir, 'sim.lock'), 'utf8')).toBe(String(process.pid));
    await store.close();
    expect(existsSync(join(dir, 'sim.lock'))).toBe(false);
  });
});

// As the apiserver (k8s.io/apiserver registry/generic/registry/store.go Delete, rest.BeforeDelete):
// finalizers turn a delete into deletionTimestamp; removing the last finalizer completes it.
describe('finalizers and deletionTimestamp', () => {
  it('a delete of an object with finalizers marks it (deletionTimestamp, generation + 1) and keeps it', () => {
    const store = track(createStore());
    const created = store.create('seinodes', node('a', { metadata: { name: 'a', namespace: 'sei', finalizers: ['sei.io/x'] } }));
    const events: StoreEvent[] = [];
    store.onChange((e) => events.push(e));
    const marked = store.delete('seinodes', 'sei', 'a')!;
    expect(marked.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(marked.metadata.generation).toBe((created.metadata.generation ?? 0) + 1);
    expect(events.map((e) => e.type)).toEqual(['MODIFIED']);
    expect(store.get('seinodes', 'sei', 'a')?.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
    // Deleting again changes nothing.
    store.delete('seinodes', 'sei', 'a');
    expect(events).toHaveLength(1);
  });

  it('a client cannot clear deletionTimestamp or add a finalizer to a terminating object; removing the last finalizer deletes it', () => {
    const store = track(createStore());
    store.create('seinodes', node('a', { metadata: { name: 'a', namespace: 'sei', finalizers: ['sei.io/x', 'sei.io/y'] } }));
    const marked = store.delete('seinodes', 'sei', 'a')!;
    const kept = store.update('seinodes', { ...marked, metadata: { ...marked.metadata, deletionTimestamp: undefined, finalizers: ['sei.io/x'] } });
    expect(kept.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
    expect(() => store.update('seinodes', { ...kept, metadata: { ...kept.metadata, finalizers: ['sei.io/x', 'sei.io/z'] } })).toThrow(/no new finalizers can be added if the object is being deleted/);
    const events: StoreEvent[] = [];
    store.onChange((e) => events.push(e));
    store.update('seinodes', { ...kept, metadata: { ...kept.metadata, finalizers: [] } });
    expect(events.map((e) => e.type)).toEqual(['DELETED']);
    expect(store.get('seinodes', 'sei', 'a')).toBeUndefined();
  });
});
