// The fault test of the task pipeline: with the sim cutting watch streams every few events,
// answering watches with 410 Gone and failing 10% of requests with 429/503, waiting on 200
// tasks (Complete and Failed mixed) still gives every task its right verdict and exit code,
// never writes twice, keeps exactly one watch open at a time and a bounded number overall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import type { KubeObject } from '../../src/cluster/types.js';
import { verdictsToError } from '../../src/services/follow-tasks.js';
import type { StoreEvent } from '../../src/sim/types.js';
import { waitForTasks } from '../../src/watch/wait-for-tasks.js';
import { discoverPeersTask, simNode as seiNode } from '../support/builders.js';
import { simFixture, type SimFixture } from '../support/cluster.js';

const TASKS = 200;
const CLOSE_AFTER = 5;
const FAULTS = { seed: 42, closeWatchAfterEvents: CLOSE_AFTER, watchGoneRate: 0.2, errorRate: 0.1, errorCodes: [429, 503], retryAfterSeconds: 0 };
const RETRY = { retry: { attempts: 20, baseMs: 2, capMs: 40 } };

let fixture: SimFixture;
beforeAll(async () => {
  // A short watch history makes resuming from an old resourceVersion really answer 410.
  fixture = await simFixture({ fleet: 4, historyLimit: 50, seedObjects: [seiNode('broken', 'sei', { 'sim.sei.io/fail-kinds': 'DiscoverPeers' })] });
});
afterAll(async () => {
  fixture?.sim.setFaults({});
  await fixture?.stop();
});

const shouldFail = (i: number) => i % 4 === 0;

describe.each([
  { scenario: 'names (namespace-wide watch filtered client-side)', useSelector: false },
  { scenario: 'label selector', useSelector: true },
])('200 tasks under faults: $scenario', ({ useSelector }) => {
  // Generous limits: this runs beside the whole suite on 2 cores; nothing here is timed.
  it('every task gets its verdict, no duplicate write, one watch at a time', { timeout: 240_000 }, async () => {
    const run = useSelector ? 'sel' : 'names';
    const names = Array.from({ length: TASKS }, (_, i) => `fault-${run}-${String(i).padStart(3, '0')}`);
    const adds = new Map<string, number>();
    let taskEvents = 0;
    const unsubscribe = fixture.sim.store.onChange((event: StoreEvent) => {
      if (event.resource !== 'seinodetasks' || !names.includes(event.object.metadata.name ?? '')) return;
      taskEvents++;
      if (event.type === 'ADDED') adds.set(event.object.metadata.name ?? '', (adds.get(event.object.metadata.name ?? '') ?? 0) + 1);
    });
    let maxOpen = 0;
    const objects: KubeObject[] = [];
    fixture.sim.setFaults(FAULTS);
    try {
      const writer = await connect({ kubeconfig: fixture.kubeconfig }, RETRY);
      const waiter = await connect({ kubeconfig: fixture.kubeconfig }, RETRY);
      // Tasks are created while the wait is already watching, so their whole life crosses the faults.
      const waiting = waitForTasks(waiter, {
        namespace: 'sei',
        ...(useSelector ? { labelSelector: `run=${run}`, names } : { names }),
        for: 'ready',
        timeoutMs: 200_000,
        awaitCreation: true,
        onObject: (object) => {
          objects.push(object);
          maxOpen = Math.max(maxOpen, fixture.sim.stats().openWatches);
        },
      });
      for (const [i, name] of names.entries()) {
        await writer.apply(discoverPeersTask(name, shouldFail(i) ? 'broken' : `node-${i % 4}`, 'sei', { run }));
      }
      const verdicts = await waiting;

      expect(verdicts.map((verdict) => verdict.name)).toEqual(names);
      for (const [i, verdict] of verdicts.entries()) {
        expect(verdict, verdict.name).toMatchObject(shouldFail(i) ? { outcome: 'Failed', reason: 'TaskFailed' } : { outcome: 'Complete', reason: 'TaskComplete' });
      }
      // The exit code a command derives from these verdicts: 1, a task Failed.
      expect(verdictsToError(verdicts, 'sei', 'ready')?.exitCode).toBe(1);
      expect(verdictsToError(verdicts.filter((_, i) => !shouldFail(i)), 'sei', 'ready')).toBeUndefined();

      // No duplicate write: each task was created exactly once despite 429/503 on the applies.
      expect([...adds.values()].every((count) => count === 1)).toBe(true);
      expect(adds.size).toBe(TASKS);

      // One stream at a time; overall connections bounded by the cuts the sim made.
      expect(maxOpen).toBeLessThanOrEqual(1 + 0); // the waiter's stream only (the writer never watches)
      const cuts = Math.ceil(taskEvents / CLOSE_AFTER);
      expect(waiter.stats.watchConnections).toBeGreaterThan(1);
      expect(waiter.stats.watchConnections).toBeLessThanOrEqual(2 * cuts + 20);
      // The faults really happened: throttles and 503s answered, and 410s forced re-lists
      // (every request of the waiter that is not a watch is a list: the first one, then one per 410).
      const byCode = fixture.sim.stats().byCode;
      expect((byCode['429'] ?? 0) + (byCode['503'] ?? 0)).toBeGreaterThan(0);
      expect(waiter.stats.requests - waiter.stats.watchConnections).toBeGreaterThan(1);
      // Events were really delivered through resumed streams, not only re-lists.
      expect(objects.length).toBeGreaterThan(TASKS);
    } finally {
      fixture.sim.setFaults({});
      unsubscribe();
    }
  });
});
