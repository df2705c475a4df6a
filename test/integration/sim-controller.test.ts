import { afterEach, describe, expect, it } from 'vitest';
import { simulatedHeight } from '../../src/sim/controller/index.js';
import { createStore, type SimStoreHandle } from '../../src/sim/storage/store.js';
import type { KubeObject, StoreEvent } from '../../src/sim/types.js';
import { NS, phaseOf, runningNode, startHarness, type Harness } from '../support/sim-controller-harness.js';

type Obj = Record<string, unknown>;
const harnesses: Harness[] = [];
function harness(options?: Parameters<typeof startHarness>[0]): Harness {
  const h = startHarness(options);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});

function record(events: StoreEvent[], h: Harness): void {
  h.store.onChange((e) => events.push(e));
}
const podUid = (h: Harness, name = 'node-0-0') => h.get('pods', name)?.metadata.uid;
const nodeStatus = (h: Harness, name = 'node-0') => (h.get('seinodes', name)?.status ?? {}) as Obj;
const done = (h: Harness, name: string) => h.until(`${name} terminal`, () => phaseOf(h, name));
function sidecarRecordById(h: Harness, id: string): Obj | undefined {
  const raw = (h.get('configmaps', `sim-task-${id}`)?.data as Record<string, string> | undefined)?.record;
  return raw ? (JSON.parse(raw) as Obj) : undefined;
}
function sidecarRecord(h: Harness, name: string): Obj | undefined {
  const id = (h.status(name).task as Obj | undefined)?.id as string | undefined;
  const raw = id ? (h.get('configmaps', `sim-task-${id}`)?.data as Record<string, string> | undefined)?.record : undefined;
  return raw ? (JSON.parse(raw) as Obj) : undefined;
}

describe('SeiNode behaviour', () => {
  // upstream internal/planner/planner.go:176 (2d670ad): the init plan moves "" straight to Initializing; nothing writes Pending.
  it('goes "" -> Initializing -> Running (never Pending) and reports its image', async () => {
    const h = harness();
    const phases: string[] = [];
    h.store.onChange((e) => {
      const phase = (e.object.status as Obj | undefined)?.phase;
      if (e.resource === 'seinodes' && typeof phase === 'string' && phases.at(-1) !== phase) phases.push(phase);
    });
    const node = await runningNode(h, 'node-0');
    expect(phases).toEqual(['Initializing', 'Running']);
    expect(node.status).toMatchObject({ currentImage: 'ghcr.io/sei-protocol/seid:v1', statefulSet: { name: 'node-0' } });
    expect((node.status as Obj).phaseTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it.each(['Initializing', 'Failed', 'Pending'])('holds the phase named by sim.sei.io/phase: %s', async (phase) => {
    const h = harness();
    // A control node without the knob, created alongside, must have moved on to Running.
    h.node('free', { annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.3' } });
    h.node('node-0', { annotations: { 'sim.sei.io/phase': phase } });
    await h.until('control node Running', () => nodeStatus(h, 'free').phase === 'Running');
    await h.until('held pod Ready', () => (h.get('pods', 'node-0-0')?.status as { conditions?: Obj[] } | undefined)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    await h.controller.idle();
    expect(nodeStatus(h).phase).toBe(phase);
  });

  it('creates pod <node>-0 owned by the node, labelled, Ready after the knob delay', async () => {
    const h = harness();
    const node = await runningNode(h, 'node-0');
    const pod = h.get('pods', 'node-0-0')!;
    expect(pod.metadata.labels).toMatchObject({ 'sei.io/node': 'node-0' });
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'SeiNode', name: 'node-0', uid: node.metadata.uid, controller: true })]);
    const status = pod.status as { phase: string; containerStatuses: Obj[]; conditions: Obj[] };
    expect(status.phase).toBe('Running');
    expect(status.containerStatuses[0]).toMatchObject({ name: 'seid', ready: true, restartCount: 0 });
    expect(status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
  });

  it('a pod that never becomes Ready with sim.sei.io/pod-never-ready', async () => {
    const h = harness();
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/pod-never-ready': 'true' } });
    await h.controller.idle();
    const conditions = (h.get('pods', 'node-0-0')!.status as { conditions: Obj[] }).conditions;
    expect(conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'False' }));
  });

  it('recreates a deleted pod with a fresh uid, and garbage-collects pods with their node', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    const before = podUid(h)!;
    h.store.delete('pods', NS, 'node-0-0');
    const after = await h.until('pod recreated', () => podUid(h));
    expect(after).not.toBe(before);
    h.store.delete('seinodes', NS, 'node-0');
    await h.until('pod collected', () => h.get('pods', 'node-0-0') === undefined);
    await h.controller.idle();
    expect(h.store.list('pods', NS)).toEqual([]);
  });

  it('runs sim.sei.io/replicas pods', async () => {
    const h = harness();
    h.node('node-0', { annotations: { 'sim.sei.io/replicas': '3' } });
    await h.until('three pods', () => h.store.list('pods', NS).length === 3);
    expect(h.store.list('pods', NS).map((p) => p.metadata.name)).toEqual(['node-0-0', 'node-0-1', 'node-0-2']);
  });

  it('resolves label peer sources to matching SeiNodes (excluding itself), empty when none match, and follows changes', async () => {
    const h = harness();
    h.node('node-0', { labels: { role: 'validator' }, spec: { peers: [{ label: { selector: { role: 'validator' } } }] } });
    await h.until('resolvedPeers set', () => nodeStatus(h).resolvedPeers);
    expect(nodeStatus(h).resolvedPeers).toEqual([]);
    const peer = h.node('node-1', { labels: { role: 'validator' } });
    h.node('node-2', { labels: { role: 'archive' } });
    const resolved = await h.until('peer resolved', () => ((nodeStatus(h).resolvedPeers as string[]).length === 1 ? nodeStatus(h).resolvedPeers : undefined));
    expect(resolved).toEqual([expect.stringMatching(/^[0-9a-f]{40}@node-1-0\.node-1\.sei\.svc\.cluster\.local:26656$/)]);
    h.store.delete('seinodes', NS, peer.metadata.name!);
    await h.until('peer gone', () => (nodeStatus(h).resolvedPeers as string[]).length === 0);
  });

  it('computes the block height from time and the block-time knob, without writing status per block', () => {
    const node: KubeObject = {
      apiVersion: 'sei.io/v1alpha1',
      kind: 'SeiNode',
      metadata: { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z', annotations: { 'sim.sei.io/block-time-ms': '250' } },
    };
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    expect([0, 249, 250, 1000, 10_000].map((dt) => simulatedHeight(node, t0 + dt))).toEqual([1, 1, 2, 5, 41]);
    const defaults = { ...node, metadata: { ...node.metadata, annotations: {} } };
    expect(simulatedHeight(defaults, t0 + 1000)).toBe(11);
    const rehearsal = { ...node, metadata: { ...node.metadata, annotations: { 'sim.sei.io/initial-height': '150000000' } } };
    expect(simulatedHeight(rehearsal, t0 + 1000)).toBe(150_000_010);
  });
});

describe('scaling', () => {
  /** A store that counts how many objects, and bytes of them, the controller reads (each a copy). */
  function countingStore(): { store: SimStoreHandle; reads: () => number; bytes: () => number } {
    const inner = createStore();
    let reads = 0;
    let bytes = 0;
    const store: SimStoreHandle = Object.assign(Object.create(inner) as SimStoreHandle, {
      get: (resource: string, namespace: string | undefined, name: string) => {
        const found = inner.get(resource, namespace, name);
        reads += 1;
        bytes += found ? JSON.stringify(found).length : 0;
        return found;
      },
      list: (resource: string, namespace?: string) => {
        const items = inner.list(resource, namespace);
        reads += items.length;
        bytes += JSON.stringify(items).length;
        return items;
      },
    });
    return { store, reads: () => reads, bytes: () => bytes };
  }

  async function concurrentTaskBytes(size: number): Promise<number> {
    const { store, bytes } = countingStore();
    const h = harness({ store });
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/block-time-ms': '200' } });
    const before = bytes();
    let complete = 0;
    const all = new Promise<void>((resolve) => {
      store.onChange((e) => {
        if (e.resource === 'seinodetasks' && (e.object.status as Obj | undefined)?.phase === 'Complete' && ++complete === size) resolve();
      });
    });
    for (let i = 0; i < size; i++) h.task(`vote-${i}`, 'GovVote', { proposalId: 1, option: 'yes' });
    await all;
    await h.controller.idle();
    return bytes() - before;
  }

  it('many tasks in flight at once cost O(1) bytes read each, not O(tasks)', async () => {
    const small = await concurrentTaskBytes(20);
    const large = await concurrentTaskBytes(100);
    expect(large / 100 / (small / 20)).toBeLessThan(2);
  });

  async function fleetReads(size: number): Promise<number> {
    const { store, reads } = countingStore();
    const h = harness({ store });
    const ready = new Set<string>();
    // Measured to the same point for every node: pods Ready and the node settled (Running, the
    // post-init image roll done), so the work counted per node is the same whatever the fleet size.
    const settled = new Set<string>();
    const all = new Promise<void>((resolve) => {
      store.onChange((e) => {
        const status = (e.object.status ?? {}) as Obj;
        const conditions = (status.conditions ?? []) as Obj[];
        if (e.resource === 'pods' && conditions.some((c) => c.type === 'Ready' && c.status === 'True')) ready.add(e.object.metadata.name!);
        if (e.resource === 'seinodes' && status.phase === 'Running' && status.plan === undefined && status.currentImage !== undefined) settled.add(e.object.metadata.name!);
        if (ready.size === size && settled.size === size) resolve();
      });
    });
    for (let i = 0; i < size; i++) h.node(`n-${i}`);
    await all;
    await h.controller.idle();
    return reads();
  }

  it('bookkeeping returns to empty once nodes and tasks are gone', async () => {
    const h = harness();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) {
        h.node(`n-${i}`, { annotations: { 'sim.sei.io/phase': 'Initializing' } });
        h.task(`t-${i}`, 'GovVote', { proposalId: 1, option: 'yes' }, { node: `n-${i}` });
      }
      await h.until('tasks waiting', () => [...Array(10).keys()].every((i) => h.condition(`t-${i}`, 'TargetReady')?.reason === 'PhaseNotMet'));
      await h.controller.idle();
      expect(h.controller.stats()).toMatchObject({ trackedTasks: 10 });
      for (let i = 0; i < 10; i++) {
        h.store.delete('seinodetasks', NS, `t-${i}`);
        h.store.delete('seinodes', NS, `n-${i}`);
      }
      await h.until('pods collected', () => h.store.list('pods', NS).length === 0);
      await h.controller.idle();
    }
    expect(h.controller.stats()).toMatchObject({ queued: 0, timers: 0, trackedTasks: 0, memo: 0 });
  });

  it('bringing up a fleet reads O(1) objects per node, not O(fleet)', async () => {
    const small = await fleetReads(20);
    const large = await fleetReads(100);
    // Per-node work must not grow with the fleet: five times the nodes, well under 2x per node.
    expect(large / 100 / (small / 20)).toBeLessThan(2);
  });
});

describe('SeiNodeTask lifecycle', () => {
  it('RestartPod with the live uid deletes exactly that pod once and completes when the replacement is Ready', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    const events: StoreEvent[] = [];
    record(events, h);
    const old = podUid(h)!;
    h.task('restart', 'RestartPod', { podUID: old });
    expect(await done(h, 'restart')).toBe('Complete');
    const deletions = events.filter((e) => e.resource === 'pods' && e.type === 'DELETED');
    expect(deletions.map((e) => e.object.metadata.uid)).toEqual([old]);
    const replacement = h.get('pods', 'node-0-0')!;
    expect(replacement.metadata.uid).not.toBe(old);
    const status = h.status('restart');
    // Upstream: restartedPodUID is the uid the task deleted, copied from spec.restartPod.podUID.
    expect(status.task).toMatchObject({ status: 'Complete', restartedPodUID: old });
    expect(status.outputs).toBeUndefined();
    // Completion is only observed once the replacement pod is Ready.
    const completedAt = events.findIndex((e) => e.resource === 'seinodetasks' && (e.object.status as Obj | undefined)?.phase === 'Complete');
    const readyAt = events.findIndex(
      (e) => e.resource === 'pods' && e.object.metadata.uid === replacement.metadata.uid && (e.object.status as { conditions: Obj[] }).conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    expect(readyAt).toBeGreaterThanOrEqual(0);
    expect(completedAt).toBeGreaterThan(readyAt);
  });

  it('RestartPod with a stale uid completes as a no-op and deletes nothing', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    const events: StoreEvent[] = [];
    record(events, h);
    const live = podUid(h);
    h.task('restart', 'RestartPod', { podUID: '00000000-0000-0000-0000-000000000000' });
    expect(await done(h, 'restart')).toBe('Complete');
    expect(events.filter((e) => e.resource === 'pods' && e.type === 'DELETED')).toEqual([]);
    expect(podUid(h)).toBe(live);
  });

  it('RestartPod refuses a multi-replica target and deletes nothing', async () => {
    const h = harness();
    h.node('node-0', { annotations: { 'sim.sei.io/replicas': '2' } });
    await h.until('Running', () => nodeStatus(h).phase === 'Running' && h.store.list('pods', NS).length === 2);
    const events: StoreEvent[] = [];
    record(events, h);
    h.task('restart', 'RestartPod', { podUID: podUid(h) });
    expect(await done(h, 'restart')).toBe('Failed');
    expect(h.condition('restart', 'Failed')).toMatchObject({ status: 'True', reason: 'TaskTerminalError' });
    expect(events.filter((e) => e.resource === 'pods' && e.type === 'DELETED')).toEqual([]);
  });

  it('RestartPod on a pod that never becomes Ready stays Running until the execution timeout, then fails with Timeout', async () => {
    const h = harness();
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/pod-never-ready': '' } });
    const old = podUid(h);
    // The phases as written, not read after a wait: a slow machine can spend the 1 s budget before any later read.
    const phases: string[] = [];
    h.store.onChange((e) => {
      const phase = (e.object.status as Obj | undefined)?.phase;
      if (e.resource === 'seinodetasks' && typeof phase === 'string' && phases.at(-1) !== phase) phases.push(phase);
    });
    h.task('restart', 'RestartPod', { podUID: old }, { timeoutSeconds: 1 });
    await h.until('replacement pod', () => podUid(h) !== old && podUid(h) !== undefined);
    expect(await done(h, 'restart')).toBe('Failed');
    expect(phases).toEqual(['Running', 'Failed']);
    // upstream controller.go:310-313 (204c1c0): the Go duration in the message, "timeout" in task.err.
    expect(h.condition('restart', 'Failed')).toMatchObject({ status: 'True', reason: 'Timeout', message: 'task did not complete within 1s' });
    expect(h.status('restart').task).toMatchObject({ status: 'Failed', err: 'timeout' });
  });

  it.each([
    { scenario: 'no spec.peers', spec: {}, labels: undefined, phase: 'Failed', reason: 'ParamsBuildFailed', message: /has no usable peer sources to discover/ },
    { scenario: 'a static peer source', spec: { peers: [{ static: { addresses: ['abc@10.0.0.9:26656'] } }] }, labels: undefined, phase: 'Complete' },
    { scenario: 'a label source matching nothing', spec: { peers: [{ label: { selector: { role: 'nobody' } } }] }, labels: undefined, phase: 'Failed', reason: 'ParamsBuildFailed', message: /only label sources with unresolved status.resolvedPeers/ },
    { scenario: 'a static source next to an unresolved label source', spec: { peers: [{ static: { addresses: ['abc@10.0.0.9:26656'] } }, { label: { selector: { role: 'nobody' } } }] }, labels: undefined, phase: 'Complete' },
    { scenario: 'a label source matching a peer', spec: { peers: [{ label: { selector: { role: 'val' } } }] }, labels: { role: 'val' }, phase: 'Complete' },
  ])('DiscoverPeers with $scenario -> $phase', async ({ spec, labels, phase, reason, message }) => {
    const h = harness();
    if (labels) h.node('peer', { labels });
    await runningNode(h, 'node-0', { spec });
    if (labels) await h.until('peer resolved', () => ((nodeStatus(h).resolvedPeers as unknown[] | undefined)?.length ?? 0) > 0);
    h.task('discover', 'DiscoverPeers', {});
    expect(await done(h, 'discover')).toBe(phase);
    if (reason) {
      expect(h.condition('discover', 'Failed')).toMatchObject({ status: 'True', reason, message: expect.stringMatching(message!) });
      // upstream seinodetask_params.go:197 (204c1c0): sources are built in driveTask, after mint.
      expect(h.status('discover').task).toMatchObject({ status: 'Pending' });
    } else expect(h.condition('discover', 'Ready')).toMatchObject({ status: 'True', reason: 'TaskComplete' });
  });

  it('UpdateNodeImage applies spec.image as seinode-task-controller and completes once currentImage matches', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    h.task('image', 'UpdateNodeImage', { image: 'ghcr.io/sei-protocol/seid:v2' });
    expect(await done(h, 'image')).toBe('Complete');
    const node = h.get('seinodes', 'node-0')!;
    expect(node.spec).toMatchObject({ image: 'ghcr.io/sei-protocol/seid:v2' });
    expect(node.metadata.generation).toBe(2);
    expect(node.status).toMatchObject({ currentImage: 'ghcr.io/sei-protocol/seid:v2' });
    expect(node.metadata.managedFields).toContainEqual(
      expect.objectContaining({ manager: 'seinode-task-controller', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:image': {} } } }),
    );
    expect(h.status('image').outputs).toEqual({ updateNodeImage: { appliedImage: 'ghcr.io/sei-protocol/seid:v2' } });
    const pod = h.get('pods', 'node-0-0')!;
    expect((pod.spec as { containers: Obj[] }).containers[0]).toMatchObject({ image: 'ghcr.io/sei-protocol/seid:v2' });
  });

  it.each([
    { kind: 'AwaitNodesAtHeight', payload: (t: number) => ({ targetHeight: t }) },
    { kind: 'AwaitCondition', payload: (t: number) => ({ height: { targetHeight: t } }) },
  ])('$kind completes when the simulated height reaches the target, publishing no output', async ({ kind, payload }) => {
    const h = harness();
    const node = await runningNode(h, 'node-0');
    const target = simulatedHeight(node, Date.now()) + 10;
    const writes: StoreEvent[] = [];
    record(writes, h);
    h.task('await', kind, payload(target));
    expect(await done(h, 'await')).toBe('Complete');
    expect(simulatedHeight(h.get('seinodes', 'node-0')!, Date.now())).toBeGreaterThanOrEqual(target);
    // upstream controller.go populateOutputs: await kinds publish nothing, in either version.
    expect(h.status('await').outputs).toBeUndefined();
    // Event-driven: a handful of writes (create, mint, complete), not one per block.
    const taskWrites = writes.filter((e) => e.resource === 'seinodetasks').length;
    const nodeWrites = writes.filter((e) => e.resource === 'seinodes').length;
    expect(taskWrites).toBeLessThanOrEqual(4);
    expect(nodeWrites).toBe(0);
  });

  it('AwaitCondition with action SIGTERM_SEID restarts seid in place once the height is reached', async () => {
    const h = harness();
    const node = await runningNode(h, 'node-0');
    const uid = podUid(h);
    h.task('halt', 'AwaitCondition', { height: { targetHeight: simulatedHeight(node, Date.now()) + 3 }, action: 'SIGTERM_SEID' });
    expect(await done(h, 'halt')).toBe('Complete');
    const pod = h.get('pods', 'node-0-0')!;
    expect(pod.metadata.uid).toBe(uid);
    expect((pod.status as { containerStatuses: Obj[] }).containerStatuses[0]).toMatchObject({ restartCount: 1 });
  });

  it('AwaitNodesAtHeight at a real chain height completes on a node started at sim.sei.io/initial-height', async () => {
    const h = harness();
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/initial-height': '150000000' } });
    h.task('await', 'AwaitNodesAtHeight', { targetHeight: 150_000_005 });
    expect(await done(h, 'await')).toBe('Complete');
    expect(simulatedHeight(h.get('seinodes', 'node-0')!, Date.now())).toBeGreaterThanOrEqual(150_000_005);
  });

  it('GovSoftwareUpgrade gets increasing proposal ids per namespace; GovVote a tx hash and height (latest; seed publishes none)', async () => {
    const seed = harness();
    await runningNode(seed, 'node-0');
    seed.task('vote', 'GovVote', { chainId: 'sim-1', proposalId: 1, option: 'yes', fees: '1usei', gas: 1 });
    expect(await done(seed, 'vote')).toBe('Complete');
    // upstream controller.go:359-379 (204c1c0): sidecar-backed kinds publish no outputs.
    expect(seed.status('vote').outputs).toBeUndefined();
    expect(seed.condition('vote', 'Ready')).toMatchObject({ reason: 'TaskComplete', message: '' });
    const h = harness({ crd: 'latest' });
    await runningNode(h, 'node-0');
    const upgrade = { chainId: 'sim-1', upgradeName: 'v2', upgradeHeight: 1000, title: 't', description: 'd', initialDeposit: '1usei', fees: '1usei', gas: 1 };
    h.task('up-1', 'GovSoftwareUpgrade', upgrade);
    h.task('up-2', 'GovSoftwareUpgrade', upgrade);
    h.task('vote', 'GovVote', { chainId: 'sim-1', proposalId: 1, option: 'yes', fees: '1usei', gas: 1 });
    for (const name of ['up-1', 'up-2', 'vote']) expect(await done(h, name)).toBe('Complete');
    const outputs = ['up-1', 'up-2'].map((n) => (h.status(n).outputs as Obj).govSoftwareUpgrade as Obj);
    expect(outputs.map((o) => o.proposalId).sort()).toEqual([1, 2]);
    for (const o of outputs) {
      expect(o.txHash).toMatch(/^[0-9A-F]{64}$/);
      expect(o.height).toEqual(expect.any(Number));
    }
    expect(outputs[0]!.txHash).not.toBe(outputs[1]!.txHash);
    const vote = (h.status('vote').outputs as Obj).govVote as Obj;
    expect(Object.keys(vote).sort()).toEqual(['height', 'txHash']);
    expect(h.get('configmaps', 'sim-chain-state')?.data).toEqual({ lastProposalId: '2' });
    // Terminal executions leave the sidecar's memory: it holds in-flight tasks only.
    expect(h.store.list('configmaps', NS).map((cm) => cm.metadata.name)).toEqual(['sim-chain-state']);
  });

  it.each(['RestartPod', 'DiscoverPeers', 'GovVote', 'AwaitNodesAtHeight'])('sim.sei.io/fail-kinds listing %s fails it with TaskFailed', async (kind) => {
    const h = harness();
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/fail-kinds': `MarkReady, ${kind}` }, spec: { peers: [{ static: { addresses: ['a@b:1'] } }] } });
    const payloads: Record<string, Obj> = { RestartPod: { podUID: podUid(h) }, DiscoverPeers: {}, GovVote: { proposalId: 1, option: 'yes' }, AwaitNodesAtHeight: { targetHeight: 1 } };
    h.task('t', kind, payloads[kind]!);
    expect(await done(h, 't')).toBe('Failed');
    expect(h.condition('t', 'Failed')).toMatchObject({ status: 'True', reason: 'TaskFailed', message: expect.stringContaining('sim.sei.io/fail-kinds') });
    // The controller never sets Ready False: a failed task has no Ready condition at all.
    expect(h.condition('t', 'Ready')).toBeUndefined();
    expect(h.status('t').outputs).toBeUndefined();
  });

  it('a task whose payload is missing (written past admission) fails with ParamsBuildFailed before mint', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    h.store.create('seinodetasks', {
      apiVersion: 'sei.io/v1alpha1',
      kind: 'SeiNodeTask',
      metadata: { name: 't', namespace: NS },
      spec: { kind: 'GovVote', target: { nodeRef: { name: 'node-0' } } },
    });
    expect(await done(h, 't')).toBe('Failed');
    // upstream seinodetask_params.go:117 (204c1c0).
    expect(h.condition('t', 'Failed')).toMatchObject({ reason: 'ParamsBuildFailed', message: 'spec.govVote is required for kind=GovVote' });
    expect(h.status('t').task).toBeUndefined();
  });

  it('a missing target fails with TargetResolveFailed and mints nothing', async () => {
    const h = harness();
    h.task('t', 'GovVote', { proposalId: 1, option: 'yes' }, { node: 'nope' });
    expect(await done(h, 't')).toBe('Failed');
    expect(h.condition('t', 'Failed')).toMatchObject({ reason: 'TargetResolveFailed', message: 'target SeiNode "nope" not found in namespace "sei"' });
    expect(h.status('t').task).toBeUndefined();
  });

  it('waits with TargetReady=PhaseNotMet, then fails with TargetResolveFailed after requirePhaseTimeout', async () => {
    const h = harness();
    h.node('node-0', { annotations: { 'sim.sei.io/phase': 'Initializing' } });
    h.task('t', 'GovVote', { proposalId: 1, option: 'yes' }, { target: { requirePhaseTimeout: '300ms' } });
    await h.until('PhaseNotMet', () => h.condition('t', 'TargetReady')?.reason === 'PhaseNotMet');
    // upstream controller.go: the controller never writes phase Pending.
    expect(h.status('t')).toMatchObject({ targetFirstObservedAt: expect.any(String) });
    expect(h.status('t').phase).toBeUndefined();
    expect(h.condition('t', 'TargetReady')).toMatchObject({ status: 'False', message: 'waiting for target node-0 to reach Running (current: Initializing)' });
    expect(await done(h, 't')).toBe('Failed');
    expect(h.condition('t', 'Failed')).toMatchObject({ reason: 'TargetResolveFailed', message: 'target "node-0" did not reach phase "Running" within 300ms (current: "Initializing")' });
  });

  it('starts once the target reaches requirePhase, clearing targetFirstObservedAt', async () => {
    const h = harness({ crd: 'latest' });
    const node = h.node('node-0', { annotations: { 'sim.sei.io/phase': 'Initializing' } });
    h.task('t', 'MarkReady', {});
    await h.until('PhaseNotMet', () => h.condition('t', 'TargetReady')?.reason === 'PhaseNotMet');
    const current = h.get('seinodes', 'node-0')!;
    h.store.update('seinodes', { ...current, metadata: { ...current.metadata, annotations: { 'sim.sei.io/phase': 'Running' } } });
    expect(await done(h, 't')).toBe('Complete');
    expect(h.status('t').targetFirstObservedAt).toBeUndefined();
    expect(h.condition('t', 'TargetReady')).toMatchObject({ status: 'True', reason: 'PhaseMet' });
    expect(node.metadata.uid).toBeDefined();
  });

  it.each([
    { scenario: 'a latest-only kind on the seed controller', crd: 'seed' as const, kind: 'MarkReady' },
    { scenario: 'a seed-only kind on the latest controller', crd: 'latest' as const, kind: 'RestartPod' },
  ])('$scenario fails with UnsupportedKind', async ({ crd, kind }) => {
    const h = harness({ crd });
    await runningNode(h, 'node-0');
    h.task('t', kind, kind === 'RestartPod' ? { podUID: 'x' } : {});
    expect(await done(h, 't')).toBe('Failed');
    expect(h.condition('t', 'Failed')).toMatchObject({ reason: 'UnsupportedKind' });
  });
  // Execution budgets per kind and version: test/integration/task-conformance.test.ts (behaviour 6).
});

describe('status semantics', () => {
  it('mints a deterministic UUID v5 id per task identity; delete-then-recreate gets a new one', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    h.task('t', 'GovVote', { proposalId: 1, option: 'yes' });
    await done(h, 't');
    const first = (h.status('t').task as Obj).id as string;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    h.store.delete('seinodetasks', NS, 't');
    h.task('t', 'GovVote', { proposalId: 1, option: 'yes' });
    await done(h, 't');
    expect((h.status('t').task as Obj).id).not.toBe(first);
  });

  it('sets startedAt, phaseTransitionTime, task timestamps and observedGeneration on status and every condition', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    h.task('t', 'GovVote', { proposalId: 1, option: 'yes' });
    await done(h, 't');
    const status = h.status('t');
    expect(status).toMatchObject({
      phase: 'Complete',
      observedGeneration: 1,
      startedAt: expect.any(String),
      phaseTransitionTime: expect.any(String),
      task: { status: 'Complete', submittedAt: expect.any(String), executionStartedAt: expect.any(String) },
    });
    for (const c of status.conditions as Obj[]) expect(c.observedGeneration).toBe(1);
    expect((status.conditions as Obj[]).map((c) => c.type).sort()).toEqual(['Ready', 'TargetReady']);
  });

  it('passes through Running before Complete (never Pending)', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    const phases: string[] = [];
    h.store.onChange((e) => {
      const phase = (e.object.status as Obj | undefined)?.phase;
      if (e.resource === 'seinodetasks' && typeof phase === 'string' && phases.at(-1) !== phase) phases.push(phase);
    });
    h.task('t', 'GovVote', { proposalId: 1, option: 'yes' });
    await done(h, 't');
    expect(phases).toEqual(['Running', 'Complete']);
  });

  it('never writes a terminal task again: a later spec change keeps the old observedGeneration; failure knobs do not flip it', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    h.task('t', 'UpdateNodeImage', { image: 'seid:v2' });
    await done(h, 't');
    const before = h.get('seinodetasks', 't')!;
    const writes: StoreEvent[] = [];
    record(writes, h);
    h.store.update('seinodetasks', { ...before, spec: { ...(before.spec as Obj), updateNodeImage: { image: 'seid:v3' } } });
    const node = h.get('seinodes', 'node-0')!;
    h.store.update('seinodes', { ...node, metadata: { ...node.metadata, annotations: { ...node.metadata.annotations, 'sim.sei.io/fail-kinds': 'UpdateNodeImage' } } });
    await h.controller.idle();
    // upstream controller.go:115 (both versions): terminal CRs are no-ops.
    expect(h.get('seinodetasks', 't')!.metadata.generation).toBe(2);
    expect(h.status('t')).toEqual(before.status);
    expect(writes.filter((e) => e.resource === 'seinodetasks')).toHaveLength(1);
    expect((h.get('seinodes', 'node-0')!.spec as Obj).image).toBe('seid:v2');
  });

  it('live spec: a payload changed while running is read again (the sidecar keeps what it was submitted)', async () => {
    const h = harness();
    const node = await runningNode(h, 'node-0');
    const target = simulatedHeight(node, Date.now()) + 15;
    h.task('t', 'AwaitNodesAtHeight', { targetHeight: target });
    await h.until('submitted', () => (h.status('t').task as Obj | undefined)?.submittedAt);
    const task = h.get('seinodetasks', 't')!;
    h.store.update('seinodetasks', { ...task, spec: { ...(task.spec as Obj), awaitNodesAtHeight: { targetHeight: 1 } } });
    await h.until('observedGeneration 2', () => h.status('t').observedGeneration === 2);
    expect(await done(h, 't')).toBe('Complete');
    expect(simulatedHeight(h.get('seinodes', 'node-0')!, Date.now())).toBeGreaterThanOrEqual(target);
  });

  it('a task deleted while running leaves its sidecar work running; nothing more is written for the task', async () => {
    const h = harness();
    const node = await runningNode(h, 'node-0');
    h.task('t', 'AwaitNodesAtHeight', { targetHeight: simulatedHeight(node, Date.now()) + 1_000_000 });
    const id = await h.until('submitted', () => ((h.status('t').task as Obj | undefined)?.submittedAt ? ((h.status('t').task as Obj).id as string) : undefined));
    const events: StoreEvent[] = [];
    record(events, h);
    h.store.delete('seinodetasks', NS, 't');
    await h.controller.idle();
    // upstream: no finalizer, no cancel path; the sidecar still holds the task.
    expect(sidecarRecordById(h, id)).toMatchObject({ state: 'running' });
    expect(events.filter((e) => e.resource === 'seinodetasks').map((e) => e.type)).toEqual(['DELETED']);
  });

  it('a task whose target SeiNode is deleted while running fails with TargetResolveFailed', async () => {
    const h = harness();
    const node = await runningNode(h, 'node-0');
    h.task('t', 'AwaitNodesAtHeight', { targetHeight: simulatedHeight(node, Date.now()) + 1_000_000 });
    await h.until('minted', () => h.status('t').task);
    h.store.delete('seinodes', NS, 'node-0');
    expect(await done(h, 't')).toBe('Failed');
    // upstream controller.go:192: the target is re-resolved on every reconcile.
    expect(h.condition('t', 'Failed')).toMatchObject({ reason: 'TargetResolveFailed', message: 'target SeiNode "node-0" not found in namespace "sei"' });
  });

  it('stop() releases every timer it armed', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const h = startHarness();
    const node = await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/pod-never-ready': 'true' } });
    h.task('t', 'AwaitNodesAtHeight', { targetHeight: simulatedHeight(node, Date.now()) + 1_000_000 });
    h.task('r', 'RestartPod', { podUID: podUid(h) });
    await h.until('both minted', () => h.status('t').task && h.status('r').task);
    await h.controller.idle();
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeGreaterThan(timersBefore);
    await h.stop();
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(timersBefore);
  });
});

describe('latest CRD flavor', () => {
  it('RestartSeid restarts seid in place (same pod uid, restartCount + 1) and completes when Ready again', async () => {
    const h = harness({ crd: 'latest' });
    await runningNode(h, 'node-0');
    const uid = podUid(h);
    const events: StoreEvent[] = [];
    record(events, h);
    h.task('t', 'RestartSeid', {});
    expect(await done(h, 't')).toBe('Complete');
    const pod = h.get('pods', 'node-0-0')!;
    expect(pod.metadata.uid).toBe(uid);
    expect((pod.status as { containerStatuses: Obj[] }).containerStatuses[0]).toMatchObject({ restartCount: 1, ready: true });
    expect(events.filter((e) => e.resource === 'pods' && e.type === 'DELETED')).toEqual([]);
    const notReady = events.some(
      (e) => e.resource === 'pods' && (e.object.status as { conditions: Obj[] }).conditions.some((c) => c.type === 'Ready' && c.status === 'False'),
    );
    expect(notReady).toBe(true);
  });

  it('MarkReady completes on acknowledgement; GovParamChange completes like a proposal with its outputs', async () => {
    const h = harness({ crd: 'latest' });
    await runningNode(h, 'node-0');
    h.task('ready', 'MarkReady', {});
    h.task('param', 'GovParamChange', { chainId: 'sim-1', title: 't', description: 'd', changes: [{ subspace: 'staking', key: 'MaxValidators', value: 100 }] });
    expect(await done(h, 'ready')).toBe('Complete');
    expect(await done(h, 'param')).toBe('Complete');
    expect(h.status('ready').outputs).toBeUndefined();
    expect(h.status('param').outputs).toEqual({ govParamChange: { txHash: expect.stringMatching(/^[0-9A-F]{64}$/), height: expect.any(Number), proposalId: 1 } });
  });
});
