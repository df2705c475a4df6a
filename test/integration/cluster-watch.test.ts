// ClusterClient.watch against the sim: resume from the last resourceVersion after cut streams
// (no replays, no gaps), re-list on 410 Gone with synthetic events for what changed meanwhile,
// one stream at a time, stop and abort.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient, KubeObject, WatchEvent } from '../../src/cluster/types.js';
import { awaitHeightTask } from '../support/builders.js';
import { simFixture, type SimFixture } from '../support/cluster.js';
import { until } from '../support/time.js';

const TASK = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask' } as const;
const RETRY = { retry: { attempts: 50, baseMs: 2, capMs: 20 } };
let fixture: SimFixture;
let setup: ClusterClient;

// No controller: the only writes are the test's, so every event is accounted for.
beforeAll(async () => {
  fixture = await simFixture({ controller: false, fleet: 1 });
  setup = await connect({ kubeconfig: fixture.kubeconfig });
});
afterAll(async () => {
  fixture?.sim.setFaults({});
  await fixture?.stop();
});

/** A store write that bumps resourceVersion without our client (label change). */
function touch(name: string, value: string): void {
  const live = fixture.sim.store.get('seinodetasks', 'sei', name) as KubeObject;
  fixture.sim.store.update('seinodetasks', { ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, touched: value } } });
}

function record(client: ClusterClient, labelSelector: string) {
  const events: Array<WatchEvent<KubeObject>> = [];
  const controller = new AbortController();
  let synced = 0;
  let maxOpen = 0;
  const checks = new Set<() => void>();
  const changed = () => {
    for (const check of [...checks]) check();
  };
  const done = client.watch({
    ...TASK,
    namespace: 'sei',
    labelSelector,
    signal: controller.signal,
    onEvent: (event) => {
      events.push(event);
      maxOpen = Math.max(maxOpen, fixture.sim.stats().openWatches);
      changed();
    },
    onSynced: () => {
      synced++;
      changed();
    },
  });
  /** Resolves once `condition` holds, checked at each event and sync of this watch (no clock); rejects if the watch ends first. */
  const reached = (condition: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        checks.delete(check);
        resolve();
      };
      checks.add(check);
      check();
      const ended = (error?: unknown) => {
        if (checks.delete(check)) reject(error ?? new Error('the watch ended before the condition held'));
      };
      done.then(() => ended(), ended);
    });
  return { events, controller, done, synced: () => synced, maxOpen: () => maxOpen, reached };
}

/** The sim tells no one when a stream opens or closes: re-read its count (bounded only as a failure). */
const openWatches = (count: number) => until(() => fixture.sim.stats().openWatches === count, 30_000, `${count} open watch streams`);

describe('resume after a cut stream', () => {
  it('sees every write exactly once, in order, reconnecting from the last resourceVersion', async () => {
    await setup.apply(awaitHeightTask('resume-a', 'node-0', 10, 'sei', { grp: 'resume' }));
    const client = await connect({ kubeconfig: fixture.kubeconfig }, RETRY);
    const watch = record(client, 'grp=resume');
    await watch.reached(() => watch.synced() === 1);
    fixture.sim.setFaults({ closeWatchAfterEvents: 2 });
    try {
      const writes = 12;
      for (let i = 0; i < writes; i++) {
        touch('resume-a', String(i));
        // The next write only once this one arrived: the cut streams fall between writes.
        await watch.reached(() => watch.events.length >= 2 + i);
      }
      await watch.reached(() => watch.events.length >= 1 + writes);
      expect(watch.events).toHaveLength(1 + writes);
      const versions = watch.events.map((event) => Number(event.object.metadata.resourceVersion));
      expect([...versions].sort((a, b) => a - b)).toEqual(versions);
      expect(new Set(versions).size).toBe(versions.length);
      expect(watch.events.slice(1).map((event) => event.object.metadata.labels?.touched)).toEqual(Array.from({ length: writes }, (_, i) => String(i)));
      // Each resumed stream may call a known object ADDED; the consumer sees what it is: MODIFIED.
      expect(watch.events.map((event) => event.type)).toEqual(['ADDED', ...Array.from({ length: writes }, () => 'MODIFIED')]);
      // A re-list would have been a request that is not a watch: only the first list happened.
      expect(client.stats.requests - client.stats.watchConnections).toBe(1);
      expect(client.stats.watchConnections).toBeGreaterThanOrEqual(writes / 2);
      expect(client.stats.watchConnections).toBeLessThanOrEqual(writes / 2 + 2);
      expect(watch.maxOpen()).toBeLessThanOrEqual(1);
    } finally {
      fixture.sim.setFaults({});
      watch.controller.abort();
      await watch.done;
    }
  });
});

describe('410 Gone', () => {
  it('re-lists and emits ADDED/MODIFIED/DELETED for what changed while the stream was gone', async () => {
    for (const name of ['gone-a', 'gone-b', 'gone-c']) await setup.apply(awaitHeightTask(name, 'node-0', 10, 'sei', { grp: 'gone' }));
    const client = await connect({ kubeconfig: fixture.kubeconfig }, RETRY);
    fixture.sim.setFaults({ watchGoneRate: 1 });
    const watch = record(client, 'grp=gone');
    try {
      await watch.reached(() => watch.synced() >= 2);
      expect(watch.events.map((event) => `${event.type} ${event.object.metadata.name}`).sort()).toEqual(['ADDED gone-a', 'ADDED gone-b', 'ADDED gone-c']);
      // Changes while every watch answers 410: only a re-list can reveal them.
      const recreatedUid = watch.events.find((event) => event.object.metadata.name === 'gone-a')?.object.metadata.uid;
      fixture.sim.store.delete('seinodetasks', 'sei', 'gone-b');
      touch('gone-c', 'while-gone');
      await setup.apply(awaitHeightTask('gone-d', 'node-0', 10, 'sei', { grp: 'gone' }));
      // Deleted and recreated under the same name: the consumer hears both.
      await setup.delete({ ...TASK, name: 'gone-a' });
      await setup.apply(awaitHeightTask('gone-a', 'node-0', 10, 'sei', { grp: 'gone' }));
      await watch.reached(() => watch.events.length >= 8);
      expect(watch.events).toHaveLength(8);
      expect(watch.events.slice(3).map((event) => `${event.type} ${event.object.metadata.name}`).sort()).toEqual(['ADDED gone-a', 'ADDED gone-d', 'DELETED gone-a', 'DELETED gone-b', 'MODIFIED gone-c']);
      const deletedA = watch.events.slice(3).find((event) => event.type === 'DELETED' && event.object.metadata.name === 'gone-a');
      const addedA = watch.events.slice(3).find((event) => event.type === 'ADDED' && event.object.metadata.name === 'gone-a');
      expect(deletedA?.object.metadata.uid).toBe(recreatedUid);
      expect(addedA?.object.metadata.uid).not.toBe(recreatedUid);
      // The stream comes back once the server can serve it again, and events flow live.
      fixture.sim.setFaults({});
      const connections = client.stats.watchConnections;
      await openWatches(1);
      touch('gone-a', 'live');
      await watch.reached(() => watch.events.at(-1)?.object.metadata.labels?.touched === 'live');
      expect(watch.events.at(-1)?.type).toBe('MODIFIED');
      expect(client.stats.watchConnections).toBeGreaterThanOrEqual(connections);
      expect(watch.maxOpen()).toBeLessThanOrEqual(1);
    } finally {
      fixture.sim.setFaults({});
      watch.controller.abort();
      await watch.done;
    }
  });
});

describe('ending', () => {
  it('onEvent returning "stop" closes the stream and resolves', async () => {
    await setup.apply(awaitHeightTask('stop-a', 'node-0', 10, 'sei', { grp: 'stop' }));
    const client = await connect({ kubeconfig: fixture.kubeconfig });
    let seen = 0;
    await client.watch({
      ...TASK,
      namespace: 'sei',
      labelSelector: 'grp=stop',
      onEvent: () => {
        seen++;
        if (seen === 1) setTimeout(() => touch('stop-a', 'x'), 20);
        return seen === 2 ? 'stop' : undefined;
      },
    });
    expect(seen).toBe(2);
    await openWatches(0);
  });

  it('an abort resolves the watch and closes the stream', async () => {
    const client = await connect({ kubeconfig: fixture.kubeconfig });
    const watch = record(client, 'grp=none');
    await openWatches(1);
    watch.controller.abort();
    await watch.done;
    await openWatches(0);
  });

  it('an error thrown by the consumer rejects the watch', async () => {
    await setup.apply(awaitHeightTask('throw-a', 'node-0', 10, 'sei', { grp: 'throw' }));
    const client = await connect({ kubeconfig: fixture.kubeconfig });
    const watching = client.watch({
      ...TASK,
      namespace: 'sei',
      labelSelector: 'grp=throw',
      onEvent: (event) => {
        if (event.type === 'MODIFIED') throw new Error('consumer bug');
      },
      onSynced: () => void setTimeout(() => touch('throw-a', 'x'), 20),
    });
    await expect(watching).rejects.toThrow('consumer bug');
  });
});
