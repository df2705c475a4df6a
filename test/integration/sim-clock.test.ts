/**
 * startSim({ clock }): the simulated cluster's time is injectable. On a manual clock nothing
 * time-driven happens until the test advances it, and then it happens at once: a timeout of ten
 * minutes is a clock step, not a wait. Read through client-node, as any client would.
 */
import { afterEach, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import type { KubeObject } from '../../src/cluster/types.js';
import { manualClock, type ManualClock } from '../../src/sim/index.js';
import { simFixture, type SimFixture } from '../support/cluster.js';

const phaseOf = (o: KubeObject | undefined): unknown => (o?.status as { phase?: unknown } | undefined)?.phase;

let fixture: SimFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

/** Advances in steps, letting the controller settle after each, until `done` or `maxMs`. */
async function advanceUntil(clock: ManualClock, f: SimFixture, done: () => Promise<boolean>, stepMs: number, maxMs: number): Promise<boolean> {
  for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
    await f.sim.settled();
    if (await done()) return true;
    clock.advance(stepMs);
  }
  return false;
}

it('a node becomes Running and a task times out only as the manual clock advances', async () => {
  const clock = manualClock();
  fixture = await simFixture({ fleet: 1, clock });
  const client = await connect({ kubeconfig: fixture.kubeconfig });
  const node = async () => client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', namespace: 'sei', name: 'node-0' });
  await fixture.sim.settled();
  // Without time passing, the node stays where its first reconcile put it.
  expect((await node())?.status).not.toMatchObject({ phase: 'Running' });
  expect(await advanceUntil(clock, fixture, async () => phaseOf(await node()) === 'Running', 50, 5_000)).toBe(true);

  await client.apply({
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name: 'wait-far', namespace: 'sei' },
    spec: { kind: 'AwaitNodesAtHeight', target: { nodeRef: { name: 'node-0' } }, timeoutSeconds: 600, awaitNodesAtHeight: { targetHeight: 1_000_000_000 } },
  });
  const task = async () => client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', namespace: 'sei', name: 'wait-far' });
  await fixture.sim.settled();
  expect(phaseOf(await task())).toBe('Running');
  // Ten simulated minutes pass in one step; the sim's clock, not the wall's, ends the task.
  clock.advance(600_000 + 1_000);
  await fixture.sim.settled();
  expect(phaseOf(await task())).toBe('Failed');
  expect(clock.now() - Date.UTC(2026, 0, 1)).toBeGreaterThanOrEqual(600_000);
});
