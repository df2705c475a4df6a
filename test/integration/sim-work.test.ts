/**
 * The sim's work per write, counted rather than timed: how many JSON parses a store event costs
 * its listeners, and how many reconciles and status writes the controller spends per task. A
 * watch of 1,000 tasks is only as prompt as the sim's event loop is free, so wasted work here is
 * latency there (bench/wait.mjs).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStore, type SimStoreHandle } from '../../src/sim/storage/store.js';
import type { KubeObject, StoreEvent } from '../../src/sim/types.js';
import { NS, phaseOf, runningNode, startHarness, type Harness } from '../support/sim-controller-harness.js';

const stores: SimStoreHandle[] = [];
const harnesses: Harness[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const h of harnesses.splice(0)) await h.stop();
  for (const s of stores.splice(0)) await s.close();
});

const configMap = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { a: '1' } });

describe('store events', () => {
  it.each([
    { scenario: 'no listener reads the object', readers: 0, skimmers: 3 },
    { scenario: 'one of three listeners reads it (twice)', readers: 1, skimmers: 2 },
    { scenario: 'every listener reads it', readers: 3, skimmers: 0 },
  ])('parse the object once per listener that reads it: $scenario', ({ readers, skimmers }) => {
    const store = createStore();
    stores.push(store);
    const seen: KubeObject[] = [];
    for (let i = 0; i < readers; i++) {
      store.onChange((event) => {
        seen.push(event.object);
        seen.push(event.object);
      });
    }
    // A watch of another resource filters on `resource` and never touches the object.
    for (let i = 0; i < skimmers; i++) store.onChange((event) => void event.resource);
    // The write's own parses (its private copy) are measured on a store nobody listens to.
    const quiet = createStore();
    stores.push(quiet);
    const parse = vi.spyOn(JSON, 'parse');
    quiet.create('configmaps', configMap('cm'));
    const ownParses = parse.mock.calls.length;
    parse.mockClear();
    store.create('configmaps', configMap('cm'));
    expect(parse).toHaveBeenCalledTimes(ownParses + readers);
    expect(seen).toHaveLength(2 * readers);
  });

  it('still hands each reading listener its own copy', () => {
    const store = createStore();
    stores.push(store);
    const copies: KubeObject[] = [];
    store.onChange((event) => {
      event.object.metadata.name = 'mutated';
      copies.push(event.object);
    });
    store.onChange((event) => copies.push(event.object));
    store.create('configmaps', configMap('cm'));
    expect(copies[0]).not.toBe(copies[1]);
    expect(copies[1]!.metadata.name).toBe('cm');
    expect(store.get('configmaps', NS, 'cm')!.metadata.name).toBe('cm');
  });
});

describe('controller work per task', () => {
  it('a fleet of tasks costs one status write per step, no re-reconcile of its own writes', async () => {
    const h = startHarness();
    harnesses.push(h);
    await runningNode(h, 'node-0', { spec: { peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@peer:26656'] } }] } });
    await h.controller.idle();

    let statusCalls = 0;
    const updateStatus = h.store.updateStatus.bind(h.store);
    h.store.updateStatus = (resource: string, object: KubeObject) => {
      if (resource === 'seinodetasks') statusCalls++;
      return updateStatus(resource, object);
    };
    let statusEvents = 0;
    h.store.onChange((event: StoreEvent) => {
      if (event.resource === 'seinodetasks' && event.type === 'MODIFIED') statusEvents++;
    });
    const before = h.controller.stats().reconciles;

    const tasks = 50;
    for (let i = 0; i < tasks; i++) h.task(`t-${i}`, 'DiscoverPeers', {});
    await h.until('every task Complete', () => Array.from({ length: tasks }, (_, i) => phaseOf(h, `t-${i}`)).every((p) => p === 'Complete'));
    await h.controller.idle();

    // Three writes per task, as upstream's (internal/controller/nodetask/controller.go, 204c1c0):
    // minted (Running, flushed before any side effect, :164), submitted (submittedAt, :278),
    // Complete (:290). A reconcile that changes nothing writes nothing (:418).
    expect(statusEvents).toBe(3 * tasks);
    expect(statusCalls).toBe(statusEvents);
    // Its own writes do not wake it again: per task, one task reconcile per write plus the one the
    // sidecar's completion wakes, and the sidecar's own two (submitted, step timer).
    expect(h.controller.stats().reconciles - before).toBeLessThanOrEqual(6 * tasks);
  });

  it('an outside status write to a terminal task is left as written (terminal tasks are never written again)', async () => {
    const h = startHarness();
    harnesses.push(h);
    await runningNode(h, 'node-0', { spec: { peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@peer:26656'] } }] } });
    h.task('t', 'DiscoverPeers', {});
    await h.until('t Complete', () => phaseOf(h, 't'));
    await h.controller.idle();
    const before = h.controller.stats().reconciles;
    const task = h.get('seinodetasks', 't')!;
    // A client rewrites status (the status subresource): the controller reconciles the event
    // and, as upstream's (controller.go:115 "Terminal CRs are no-ops"), writes nothing back.
    h.store.updateStatus('seinodetasks', { ...task, status: { ...(task.status as object), observedGeneration: 0 } });
    await new Promise((resolve) => setImmediate(resolve));
    await h.controller.idle();
    expect(h.controller.stats().reconciles).toBeGreaterThanOrEqual(before);
    expect(h.status('t').observedGeneration).toBe(0);
  });
});
