// waitForTasks against the real simulated cluster and controller: every verdict, ONE watch
// connection whatever the number of tasks, timeouts, deletion, interruption, generation gate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient } from '../../src/cluster/types.js';
import { followPod, type PodMilestone } from '../../src/watch/follow-pod.js';
import { waitForTasks } from '../../src/watch/wait-for-tasks.js';
import type { TaskVerdict } from '../../src/watch/types.js';
import { awaitHeightTask, discoverPeersTask, simNode as seiNode } from '../support/builders.js';
import { simFixture, type SimFixture } from '../support/cluster.js';
import { until } from '../support/time.js';

const TASK = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask' } as const;
let fixture: SimFixture;
let setup: ClusterClient;

beforeAll(async () => {
  fixture = await simFixture({ fleet: 2, seedObjects: [seiNode('broken', 'sei', { 'sim.sei.io/fail-kinds': 'DiscoverPeers' })] });
  setup = await connect({ kubeconfig: fixture.kubeconfig });
});
afterAll(async () => {
  await fixture?.stop();
});

const fresh = () => connect({ kubeconfig: fixture.kubeconfig });
const byName = (verdicts: TaskVerdict[]) => Object.fromEntries(verdicts.map((verdict) => [verdict.name, verdict]));

describe('verdicts', () => {
  it('gives Complete and Failed tasks their verdicts over one watch connection', async () => {
    const names = ['mix-ok-0', 'mix-ok-1', 'mix-ok-2', 'mix-bad-0', 'mix-bad-1'];
    for (const name of names) await setup.apply(discoverPeersTask(name, name.includes('bad') ? 'broken' : `node-${name.at(-1) === '2' ? 0 : 1}`));
    const client = await fresh();
    const seen: string[] = [];
    const verdicts = await waitForTasks(client, { namespace: 'sei', names, for: 'ready', timeoutMs: 60_000, onVerdict: (verdict) => seen.push(verdict.name) });
    expect(verdicts.map((verdict) => verdict.name)).toEqual(names);
    const result = byName(verdicts);
    for (const name of names.filter((n) => n.includes('ok'))) expect(result[name]).toMatchObject({ outcome: 'Complete', reason: 'TaskComplete', satisfied: true });
    for (const name of names.filter((n) => n.includes('bad'))) {
      expect(result[name]).toMatchObject({ outcome: 'Failed', reason: 'TaskFailed', satisfied: false });
      expect(result[name]?.message).toContain('simulated failure');
    }
    expect(seen.sort()).toEqual([...names].sort());
    expect(client.stats.watchConnections).toBeLessThanOrEqual(1);
    expect(client.stats.requests).toBeLessThanOrEqual(2); // one list + at most one watch
  });

  it.each([
    { scenario: 'for=ready on a failed task ends at once, unsatisfied', for: 'ready' as const, satisfied: false },
    { scenario: 'for=failed on a failed task is satisfied', for: 'failed' as const, satisfied: true },
    { scenario: 'for=terminal on a failed task is satisfied', for: 'terminal' as const, satisfied: true },
  ])('$scenario', async ({ for: waitFor, satisfied }) => {
    const name = `fail-for-${waitFor}`;
    await setup.apply(discoverPeersTask(name, 'broken'));
    // A 10-minute timeout the test could never wait out: the verdict must come from the condition.
    const [verdict] = await waitForTasks(await fresh(), { namespace: 'sei', names: [name], for: waitFor, timeoutMs: 600_000 });
    expect(verdict).toMatchObject({ outcome: 'Failed', reason: 'TaskFailed', satisfied });
  });

  it('a label selector follows every matching task with one connection', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `batch-${i}`);
    for (const [i, name] of names.entries()) await setup.apply(discoverPeersTask(name, i % 5 === 0 ? 'broken' : 'node-0', 'sei', { batch: 'b1' }));
    const client = await fresh();
    const verdicts = await waitForTasks(client, { namespace: 'sei', labelSelector: 'batch=b1', for: 'terminal', timeoutMs: 60_000 });
    expect(verdicts.map((verdict) => verdict.name)).toEqual([...names].sort());
    expect(verdicts.filter((verdict) => verdict.outcome === 'Failed').length).toBe(5);
    expect(verdicts.filter((verdict) => verdict.outcome === 'Complete').length).toBe(20);
    expect(client.stats.watchConnections).toBeLessThanOrEqual(1);
  });

  it('a selector that matches nothing is exit 2 NotFound', async () => {
    // The answer is the first list's; a short timeout would turn a slow list into a Timeout instead.
    await expect(waitForTasks(await fresh(), { namespace: 'sei', labelSelector: 'batch=none', for: 'ready', timeoutMs: 30_000 })).rejects.toMatchObject({ reason: 'NotFound', exitCode: 2 });
  });
});

describe('ending without a terminal verdict', () => {
  it('--timeout expires: Timeout with what it was waiting for, the task keeps running', async () => {
    await setup.apply(awaitHeightTask('slow-1', 'node-0'));
    const [verdict] = await waitForTasks(await fresh(), { namespace: 'sei', names: ['slow-1'], for: 'ready', timeoutMs: 300 });
    expect(verdict).toMatchObject({ outcome: 'Timeout', reason: 'Timeout', satisfied: false });
    expect(verdict?.message).toMatch(/timed out after 300ms waiting for slow-1/);
    const live = await setup.get({ ...TASK, name: 'slow-1' });
    expect((live?.status as { phase?: string }).phase).not.toMatch(/Complete|Failed/);
  });

  it('--timeout=0 checks once: a list, no watch connection', async () => {
    await setup.apply(awaitHeightTask('slow-2', 'node-0'));
    const client = await fresh();
    const [verdict] = await waitForTasks(client, { namespace: 'sei', names: ['slow-2'], for: 'ready', timeoutMs: 0 });
    expect(verdict).toMatchObject({ outcome: 'Timeout' });
    expect(verdict?.message).toContain('checked once');
    expect(client.stats).toEqual({ requests: 1, watchConnections: 0 });
  });

  it('--timeout=0 on a finished task returns its verdict', async () => {
    await setup.apply(discoverPeersTask('done-once', 'node-1'));
    await waitForTasks(await fresh(), { namespace: 'sei', names: ['done-once'], for: 'ready', timeoutMs: 30_000 });
    const [verdict] = await waitForTasks(await fresh(), { namespace: 'sei', names: ['done-once'], for: 'ready', timeoutMs: 0 });
    expect(verdict).toMatchObject({ outcome: 'Complete' });
  });

  it('a deleted task is Deleted', async () => {
    await setup.apply(awaitHeightTask('doomed', 'node-0'));
    let deleted = false;
    const [verdict] = await waitForTasks(await fresh(), {
      namespace: 'sei',
      names: ['doomed'],
      for: 'ready',
      timeoutMs: 30_000,
      onObject: () => {
        if (!deleted) {
          deleted = true;
          void setup.delete({ ...TASK, name: 'doomed' });
        }
      },
    });
    expect(verdict).toMatchObject({ outcome: 'Deleted', reason: 'Deleted' });
  });

  it('an unknown name is NotFound at once; with awaitCreation it is waited for', async () => {
    const [missing] = await waitForTasks(await fresh(), { namespace: 'sei', names: ['never-made'], for: 'ready', timeoutMs: 30_000 });
    expect(missing).toMatchObject({ outcome: 'Deleted', reason: 'NotFound' });
    const client = await fresh();
    const watching = fixture.sim.stats().watchesServed;
    const waiting = waitForTasks(client, { namespace: 'sei', names: ['made-later'], for: 'ready', timeoutMs: 30_000, awaitCreation: true });
    // Created only once the waiter watches, so absence is what it saw first.
    await until(() => fixture.sim.stats().watchesServed > watching, 30_000, 'the waiter to open its watch');
    await setup.apply(discoverPeersTask('made-later', 'node-0'));
    expect((await waiting)[0]).toMatchObject({ outcome: 'Complete' });
  });

  it('an aborted signal is Interrupted with the re-attach command', async () => {
    await setup.apply(awaitHeightTask('interrupted-1', 'node-0'));
    const controller = new AbortController();
    const [verdict] = await waitForTasks(await fresh(), { namespace: 'sei', names: ['interrupted-1'], for: 'ready', timeoutMs: 30_000, signal: controller.signal, onObject: () => controller.abort() });
    expect(verdict).toMatchObject({ outcome: 'Interrupted' });
    expect(verdict?.message).toContain('kubectl sei task wait interrupted-1 -n sei');
  });
});

describe('generation gate', () => {
  // upstream internal/controller/nodetask/controller.go:115: a finished task is never written
  // again, so its latched Complete stands even when a later generation was asked for.
  it('a latched Complete counts even for a later generation than the status observed', async () => {
    await setup.apply(discoverPeersTask('gated', 'node-1'));
    await waitForTasks(await fresh(), { namespace: 'sei', names: ['gated'], for: 'ready', timeoutMs: 30_000 });
    const [verdict] = await waitForTasks(await fresh(), { namespace: 'sei', names: ['gated'], for: 'ready', timeoutMs: 30_000, minGeneration: { gated: 2 } });
    expect(verdict).toMatchObject({ outcome: 'Complete' });
  });
});

describe('restart-pod: the task and its pod, each on one watch', () => {
  it('follows the old uid deleted, the replacement seen, the replacement Ready, and the task Complete', async () => {
    const pod = await setup.get({ apiVersion: 'v1', kind: 'Pod', name: 'node-1-0' });
    const previousUid = pod?.metadata.uid as string;
    expect(previousUid).toBeTruthy();
    const client = await fresh();
    const milestones: Array<{ milestone: PodMilestone; uid?: string }> = [];
    const podAbort = new AbortController();
    const following = followPod(client, { namespace: 'sei', name: 'node-1-0', previousUid, signal: podAbort.signal, onMilestone: (milestone, object) => milestones.push({ milestone, uid: object.metadata.uid }) });
    await setup.apply({
      apiVersion: 'sei.io/v1alpha1',
      kind: 'SeiNodeTask',
      metadata: { name: 'restart-node-1', namespace: 'sei' },
      spec: { kind: 'RestartPod', target: { nodeRef: { name: 'node-1' } }, restartPod: { podUID: previousUid } },
    });
    const [verdict] = await waitForTasks(client, { namespace: 'sei', names: ['restart-node-1'], for: 'ready', timeoutMs: 60_000 });
    expect(verdict).toMatchObject({ outcome: 'Complete' });
    const followed = await following;
    expect(followed.ready).toBe(true);
    expect(milestones.map((entry) => entry.milestone)).toEqual(['deleted', 'replaced', 'ready']);
    expect(milestones[1]?.uid).not.toBe(previousUid);
    expect(milestones[2]?.uid).toBe(milestones[1]?.uid);
    expect(client.stats.watchConnections).toBeLessThanOrEqual(2); // one per resource: tasks, pods
  });
});
