/**
 * Conformance of the simulated SeiNodeTask controller with the real sei-k8s-controller, at both
 * versions the sim serves: `--crd seed` = upstream 204c1c0, `--crd latest` = 2d670ad. One test
 * per behaviour of issue 9 ("What the sim must reproduce (SeiNodeTask)"), each naming the
 * upstream file and line it follows (controller.go = internal/controller/nodetask/controller.go;
 * lines are 2d670ad's unless marked 204c1c0). Everything is observed as a client observes it:
 * through client-node over HTTP (and the real kubectl where output matters). The sim runs on a
 * manual clock: time moves only when a test advances it, so a 10-minute timeout is one step and
 * no assertion depends on wall time.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { v5 as uuidv5 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { manualClock, type ManualClock } from '../../src/sim/index.js';
import { simulatedHeight } from '../../src/sim/controller/index.js';
import { simFixture, type SimFixture } from '../support/cluster.js';
import { servedTaskApi } from '../../src/catalog/served.js';
import { describeKinds } from '../../src/catalog/describe.js';
import { loadCatalog } from '../../src/catalog/index.js';

type Obj = Record<string, unknown>;
const NS = 'sei';
const API = 'sei.io/v1alpha1';
const KUBECTL = '/usr/bin/kubectl';

interface Env {
  f: SimFixture;
  clock: ManualClock;
  client: ClusterClient;
  settle(): Promise<void>;
  /** Advances the clock in steps until `done` (or fails after `maxMs` of simulated time). */
  until(what: string, done: () => Promise<boolean>, maxMs?: number, stepMs?: number): Promise<void>;
  task(name: string): Promise<KubeObject | undefined>;
  status(name: string): Promise<Obj>;
  condition(name: string, type: string): Promise<Obj | undefined>;
  create(name: string, kind: string, payload: Obj, extra?: { node?: string; target?: Obj; timeoutSeconds?: number }): Promise<void>;
  node(name: string, annotations?: Record<string, string>, spec?: Obj): void;
  annotate(node: string, annotations: Record<string, string | undefined>): void;
  pod(node?: string): KubeObject | undefined;
}

let env: Env | undefined;
afterEach(async () => {
  await env?.f.stop();
  env = undefined;
});

const FAST = { 'sim.sei.io/pod-ready-after-seconds': '1', 'sim.sei.io/block-time-ms': '1000' };

async function start(crd: 'seed' | 'latest', nodes: Array<{ name: string; annotations?: Record<string, string>; spec?: Obj }> = [{ name: 'node-0' }]): Promise<Env> {
  const clock = manualClock();
  const seedObjects = nodes.map((n) => seiNode(n.name, { ...FAST, ...n.annotations }, n.spec));
  const f = await simFixture({ crd, clock, fleet: 0, seedObjects });
  const client = await connect({ kubeconfig: f.kubeconfig });
  const settle = () => f.sim.settled();
  const e: Env = {
    f,
    clock,
    client,
    settle,
    async until(what, done, maxMs = 60_000, stepMs = 250) {
      for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
        await settle();
        if (await done()) return;
        clock.advance(stepMs);
      }
      throw new Error(`${what}: not reached within ${maxMs} ms of simulated time`);
    },
    task: (name) => client.get({ apiVersion: API, kind: 'SeiNodeTask', namespace: NS, name }),
    async status(name) {
      return ((await e.task(name))?.status ?? {}) as Obj;
    },
    async condition(name, type) {
      return ((await e.status(name)).conditions as Obj[] | undefined)?.find((c) => c.type === type);
    },
    async create(name, kind, payload, extra = {}) {
      const field = kind.charAt(0).toLowerCase() + kind.slice(1);
      await client.apply({
        apiVersion: API,
        kind: 'SeiNodeTask',
        metadata: { name, namespace: NS },
        spec: {
          kind,
          target: { nodeRef: { name: extra.node ?? 'node-0' }, ...extra.target },
          ...(extra.timeoutSeconds !== undefined ? { timeoutSeconds: extra.timeoutSeconds } : {}),
          [field]: payload,
        },
      });
      await settle();
    },
    node(name, annotations = {}, spec = {}) {
      f.sim.store.create('seinodes', seiNode(name, { ...FAST, ...annotations }, spec));
    },
    annotate(node, annotations) {
      const live = f.sim.store.get('seinodes', NS, node)!;
      const next = { ...live.metadata.annotations } as Record<string, string>;
      for (const [k, v] of Object.entries(annotations)) {
        if (v === undefined) delete next[k];
        else next[k] = v;
      }
      f.sim.store.update('seinodes', { ...live, metadata: { ...live.metadata, annotations: next } });
    },
    pod: (node = 'node-0') => f.sim.store.get('pods', NS, `${node}-0`),
  };
  env = e;
  await e.until('nodes Running', async () => {
    const list = await client.list(API, 'SeiNode', { namespace: NS });
    return list.items.every((n) => (n.status as Obj | undefined)?.phase === ((n.metadata.annotations as Record<string, string> | undefined)?.['sim.sei.io/phase'] ?? 'Running')) && podsReady(e, list.items);
  });
  return e;
}

function podsReady(e: Env, nodes: KubeObject[]): boolean {
  return nodes.every((n) => {
    const annotations = (n.metadata.annotations ?? {}) as Record<string, string>;
    if (annotations['sim.sei.io/pod-never-ready'] !== undefined || annotations['sim.sei.io/phase'] !== undefined) return true;
    return ready(e.pod(n.metadata.name));
  });
}

function ready(pod: KubeObject | undefined): boolean {
  return ((pod?.status as { conditions?: Obj[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function seiNode(name: string, annotations: Record<string, string>, spec: Obj = {}): KubeObject {
  return {
    apiVersion: API,
    kind: 'SeiNode',
    metadata: { name, namespace: NS, annotations },
    spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v1', fullNode: {}, ...spec },
  };
}

const heightNow = (e: Env, node = 'node-0') => simulatedHeight(e.f.sim.store.get('seinodes', NS, node)!, e.clock.now());
const seidRestarts = (e: Env) => Number(((e.pod()?.status as { containerStatuses?: Obj[] } | undefined)?.containerStatuses ?? [])[0]?.restartCount ?? 0);
const GOV_UPGRADE = { chainId: 'sim-1', upgradeName: 'v2', upgradeHeight: 1000, title: 't', description: 'd', initialDeposit: '1usei', fees: '1usei', gas: 1 };

function kubectl(e: Env, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, ['--kubeconfig', e.f.kubeconfig, ...args], { timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${stderr}${error.message}`)) : resolve(stdout)));
  });
}

describe.each(['seed', 'latest'] as const)('SeiNodeTask conformance, --crd %s', (crd) => {
  const latest = crd === 'latest';

  // 1. controller.go:157 (mint) and :423-430 setPhase: phase only at mint or failure, never Pending.
  it('1: status.phase is absent until the execution is minted; phaseTransitionTime only on a change', async () => {
    const e = await start(crd, [{ name: 'node-0', annotations: { 'sim.sei.io/phase': 'Initializing' } }]);
    await e.create('t', 'AwaitNodesAtHeight', { targetHeight: 1_000_000 });
    const waiting = await e.status('t');
    expect(waiting.phase).toBeUndefined();
    expect(waiting.phaseTransitionTime).toBeUndefined();
    expect(waiting.startedAt).toEqual(expect.any(String));
    e.annotate('node-0', { 'sim.sei.io/phase': undefined });
    await e.until('minted', async () => (await e.status('t')).phase === 'Running');
    const running = await e.status('t');
    const transition = running.phaseTransitionTime;
    e.clock.advance(5_000);
    await e.settle();
    // A later reconcile that keeps the phase keeps its transition time.
    await e.client.apply({ apiVersion: API, kind: 'SeiNodeTask', metadata: { name: 't', namespace: NS }, spec: { ...((await e.task('t'))!.spec as Obj), timeoutSeconds: 3600 } });
    await e.until('observed', async () => (await e.status('t')).observedGeneration === 2);
    expect((await e.status('t')).phaseTransitionTime).toBe(transition);
  });

  // 2. controller.go:125 stamps observedGeneration on every non-terminal reconcile; :115 "Terminal CRs are no-ops".
  it('2: observedGeneration follows spec while running; a Complete task is never written again', async () => {
    const e = await start(crd);
    await e.create('t', 'AwaitNodesAtHeight', { targetHeight: heightNow(e) + 5 });
    const spec = (await e.task('t'))!.spec as Obj;
    await e.client.apply({ apiVersion: API, kind: 'SeiNodeTask', metadata: { name: 't', namespace: NS }, spec: { ...spec, timeoutSeconds: 3600 } });
    await e.until('generation 2 observed', async () => (await e.status('t')).observedGeneration === 2);
    await e.until('Complete', async () => (await e.status('t')).phase === 'Complete', 60_000, 1_000);
    const done = await e.task('t');
    await e.client.apply({ apiVersion: API, kind: 'SeiNodeTask', metadata: { name: 't', namespace: NS }, spec: { ...spec, timeoutSeconds: 7200 } });
    e.clock.advance(60_000);
    await e.settle();
    const after = await e.task('t');
    expect(after!.metadata.generation).toBe(3);
    expect(after!.status).toEqual(done!.status);
    expect((after!.status as Obj).observedGeneration).toBe(2);
  });

  // 3. task.go:25 taskIDNamespace, task.go:135 DeterministicTaskID, controller.go:153 (uid, kind, 0).
  it('3: status.task.id is UUIDv5(b7e89c3a-…, "<uid>/<Kind>/0"), the id the sidecar knows', async () => {
    const e = await start(crd);
    await e.create('t', 'AwaitNodesAtHeight', { targetHeight: 1_000_000 });
    const task = (await e.task('t'))!;
    const id = (task.status as { task: { id: string } }).task.id;
    expect(id).toBe(uuidv5(`${task.metadata.uid}/AwaitNodesAtHeight/0`, 'b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6b'));
    const record = e.f.sim.store.get('configmaps', NS, `sim-task-${id}`);
    expect(record).toBeDefined();
  });

  // 4. controller.go:260-281 (latest advances to Running at :280; 204c1c0 keeps Pending, :264);
  //    :294-295 Timeout sets task Failed/"timeout"; 204c1c0 :149-159 restartedPodUID.
  it('4: status.task.status, submittedAt and err as upstream', async () => {
    const e = await start(crd);
    await e.create('t', 'AwaitNodesAtHeight', { targetHeight: 1_000_000 }, { timeoutSeconds: 60 });
    await e.until('submitted', async () => ((await e.status('t')).task as Obj).submittedAt !== undefined);
    expect((await e.status('t')).task).toMatchObject({ status: latest ? 'Running' : 'Pending', executionStartedAt: expect.any(String) });
    e.clock.advance(61_000);
    await e.settle();
    expect((await e.status('t')).task).toMatchObject({ status: 'Failed', err: 'timeout' });
    // A target failure leaves status.task as it was.
    await e.create('gone', 'AwaitNodesAtHeight', { targetHeight: 1_000_000 });
    await e.until('submitted', async () => ((await e.status('gone')).task as Obj | undefined)?.submittedAt !== undefined);
    const before = (await e.status('gone')).task;
    e.node('node-1');
    await e.f.sim.store.delete('seinodes', NS, 'node-0');
    await e.until('failed', async () => (await e.status('gone')).phase === 'Failed');
    expect((await e.status('gone')).task).toEqual(before);
    if (!latest) {
      e.node('node-2');
      await e.until('node-2 pod Ready', async () => ready(e.pod('node-2')), 60_000);
      const podUID = e.pod('node-2')!.metadata.uid;
      await e.create('restart', 'RestartPod', { podUID }, { node: 'node-2' });
      expect((await e.status('restart')).task).toMatchObject({ restartedPodUID: podUID });
    }
  });

  // 5. controller.go:203-208 PhaseMet, :224-229 PhaseNotMet, :313-316 Ready (Confirmed :309-311;
  //    204c1c0 :291-294 TaskComplete), :221 TargetResolveFailed, :296-297 Timeout.
  it('5: conditions word for word', async () => {
    const e = await start(crd, [{ name: 'node-0' }, { name: 'node-1', annotations: { 'sim.sei.io/phase': 'Initializing' } }]);
    await e.create('ok', 'GovVote', { chainId: 'sim-1', proposalId: 1, option: 'yes', fees: '1usei', gas: 1 });
    await e.until('ok Complete', async () => (await e.status('ok')).phase === 'Complete', 30_000);
    expect(await e.condition('ok', 'TargetReady')).toMatchObject({ status: 'True', reason: 'PhaseMet', message: 'target node-0 is Running', observedGeneration: 1 });
    expect(await e.condition('ok', 'Ready')).toMatchObject({ status: 'True', reason: latest ? 'Confirmed' : 'TaskComplete', message: '' });
    await e.create('wait', 'AwaitNodesAtHeight', { targetHeight: 5 }, { node: 'node-1', target: { requirePhaseTimeout: '90s' } });
    expect(await e.condition('wait', 'TargetReady')).toMatchObject({ status: 'False', reason: 'PhaseNotMet', message: 'waiting for target node-1 to reach Running (current: Initializing)' });
    e.clock.advance(91_000);
    await e.settle();
    expect(await e.condition('wait', 'Failed')).toMatchObject({
      status: 'True',
      reason: 'TargetResolveFailed',
      message: 'target "node-1" did not reach phase "Running" within 1m30s (current: "Initializing")',
    });
    await e.create('missing', 'AwaitNodesAtHeight', { targetHeight: 5 }, { node: 'nope' });
    expect(await e.condition('missing', 'Failed')).toMatchObject({ reason: 'TargetResolveFailed', message: 'target SeiNode "nope" not found in namespace "sei"' });
  });

  // 6. controller.go:65-66 (204c1c0 :62-63) per-kind defaults; :370-382 effectiveTimeout (0 = default);
  //    :358-364 execTimedOut, re-read from spec on every reconcile.
  it('6: timeouts: per-kind defaults per version, 0 means the default, a patched timeoutSeconds takes effect', async () => {
    const e = await start(crd, [{ name: 'node-0', annotations: { 'sim.sei.io/pod-never-ready': '' } }]);
    if (latest) await e.create('slow', 'RestartSeid', {}, { timeoutSeconds: 0 });
    else await e.create('slow', 'RestartPod', { podUID: e.pod()!.metadata.uid }, { timeoutSeconds: 0 });
    e.clock.advance(9 * 60_000);
    await e.settle();
    expect((await e.status('slow')).phase).toBe('Running');
    e.clock.advance(60_000 + 1_000);
    await e.settle();
    expect(await e.condition('slow', 'Failed')).toMatchObject({ reason: 'Timeout', message: 'task did not complete within 10m0s' });

    // Await kinds are unbounded by default; a timeout patched onto a running task applies.
    await e.create('far', 'AwaitNodesAtHeight', { targetHeight: 1_000_000_000 });
    e.clock.advance(60 * 60_000);
    await e.settle();
    expect((await e.status('far')).phase).toBe('Running');
    const spec = (await e.task('far'))!.spec as Obj;
    await e.client.apply({ apiVersion: API, kind: 'SeiNodeTask', metadata: { name: 'far', namespace: NS }, spec: { ...spec, timeoutSeconds: 30 } });
    await e.settle();
    // The budget runs from executionStartedAt: an hour has passed, so it fails at once.
    expect(await e.condition('far', 'Failed')).toMatchObject({ reason: 'Timeout', message: 'task did not complete within 30s' });
  });

  // 7. controller.go:133-139: resolveTarget on every reconcile, also after mint; :192 not found.
  it('7: a running task whose target leaves requirePhase is re-gated, then fails; a deleted target fails it', async () => {
    const e = await start(crd, [{ name: 'node-0' }, { name: 'node-1' }]);
    await e.create('t', 'AwaitNodesAtHeight', { targetHeight: 1_000_000 }, { target: { requirePhaseTimeout: '1m' } });
    expect((await e.status('t')).phase).toBe('Running');
    e.annotate('node-0', { 'sim.sei.io/phase': 'Failed' });
    await e.settle();
    expect(await e.condition('t', 'TargetReady')).toMatchObject({ status: 'False', reason: 'PhaseNotMet', message: 'waiting for target node-0 to reach Running (current: Failed)' });
    expect((await e.status('t')).phase).toBe('Running');
    e.clock.advance(61_000);
    await e.settle();
    expect(await e.condition('t', 'Failed')).toMatchObject({ reason: 'TargetResolveFailed', message: 'target "node-0" did not reach phase "Running" within 1m0s (current: "Failed")' });

    await e.create('u', 'AwaitNodesAtHeight', { targetHeight: 1_000_000 }, { node: 'node-1' });
    expect((await e.status('u')).phase).toBe('Running');
    e.f.sim.store.delete('seinodes', NS, 'node-1');
    await e.settle();
    expect(await e.condition('u', 'Failed')).toMatchObject({ reason: 'TargetResolveFailed', message: 'target SeiNode "node-1" not found in namespace "sei"' });
  });

  // 8. controller.go:432-443 markFailed: Recorder.Event(cr, Warning, reason, msg) (recorder "seinodetask-controller", cmd/main.go).
  it('8: every failure emits a Warning Event with the Failed reason and message, seen by kubectl describe', async () => {
    const e = await start(crd);
    await e.create('t', 'AwaitNodesAtHeight', { targetHeight: 1_000_000 }, { node: 'nope' });
    const uid = (await e.task('t'))!.metadata.uid;
    const events = await e.client.list('v1', 'Event', { namespace: NS, fieldSelector: `involvedObject.name=t,involvedObject.kind=SeiNodeTask` });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      type: 'Warning',
      reason: 'TargetResolveFailed',
      message: 'target SeiNode "nope" not found in namespace "sei"',
      involvedObject: { kind: 'SeiNodeTask', name: 't', namespace: NS, uid, apiVersion: API },
      source: { component: 'seinodetask-controller' },
    });
    if (!existsSync(KUBECTL)) return;
    const described = await kubectl(e, ['describe', 'seinodetask', 't', '-n', NS]);
    expect(described).toMatch(/Warning\s+TargetResolveFailed\s+.*seinodetask-controller\s+target SeiNode "nope" not found in namespace "sei"/);
    const listed = await kubectl(e, ['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=t']);
    expect(listed).toMatch(/Warning\s+TargetResolveFailed\s+seinodetask\/t/);
  });

  // 9. restart_pod.go:105-141 (204c1c0), seinodetask_params.go:193-232 (204c1c0), controller.go:404-421
  //    populateOutputs, govoutputs.go, :322-354 handleFailure (TxFailed, InclusionUndetermined).
  it('9: kinds: outputs per version, DiscoverPeers mint-then-fail, RestartPod stale uid, gov results', async () => {
    const e = await start(crd, [
      { name: 'node-0' },
      { name: 'bare' },
      { name: 'mixed', spec: { peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@x:26656'] } }, { label: { selector: { role: 'nobody' } } }] } },
    ]);
    await e.create('img', 'UpdateNodeImage', { image: 'ghcr.io/sei-protocol/seid:v2' });
    await e.create('await', 'AwaitNodesAtHeight', { targetHeight: heightNow(e) + 2 });
    await e.create('vote', 'GovVote', { chainId: 'sim-1', proposalId: 1, option: 'yes', fees: '1usei', gas: 1 });
    await e.create('up', 'GovSoftwareUpgrade', GOV_UPGRADE);
    for (const name of ['img', 'await', 'vote', 'up']) await e.until(`${name} Complete`, async () => (await e.status(name)).phase === 'Complete', 30_000);
    expect((await e.status('img')).outputs).toEqual({ updateNodeImage: { appliedImage: 'ghcr.io/sei-protocol/seid:v2' } });
    expect((await e.status('await')).outputs).toBeUndefined();
    if (latest) {
      expect((await e.status('vote')).outputs).toEqual({ govVote: { txHash: expect.stringMatching(/^[0-9A-F]{64}$/), height: expect.any(Number) } });
      expect((await e.status('up')).outputs).toEqual({ govSoftwareUpgrade: { txHash: expect.stringMatching(/^[0-9A-F]{64}$/), height: expect.any(Number), proposalId: 1 } });
    } else {
      expect((await e.status('vote')).outputs).toBeUndefined();
      expect((await e.status('up')).outputs).toBeUndefined();
    }

    if (!latest) {
      // DiscoverPeers mints first, then fails in driveTask when no usable source is left.
      await e.create('peers-bare', 'DiscoverPeers', {}, { node: 'bare' });
      await e.until('peers-bare Failed', async () => (await e.status('peers-bare')).phase === 'Failed');
      expect((await e.status('peers-bare')).task).toMatchObject({ status: 'Pending' });
      expect(await e.condition('peers-bare', 'Failed')).toMatchObject({
        reason: 'ParamsBuildFailed',
        message: 'target SeiNode "bare" has no usable peer sources to discover (empty spec.peers, or only label sources with unresolved status.resolvedPeers)',
      });
      await e.create('peers-mixed', 'DiscoverPeers', {}, { node: 'mixed' });
      await e.until('peers-mixed Complete', async () => (await e.status('peers-mixed')).phase === 'Complete');
      // A RestartPod with a stale uid deletes nothing and completes only once a Ready owned pod with another uid exists.
      e.annotate('node-0', { 'sim.sei.io/pod-never-ready': '' });
      await e.until('pod not Ready', async () => !ready(e.pod()));
      const uid = e.pod()!.metadata.uid;
      await e.create('stale', 'RestartPod', { podUID: 'not-the-live-pod' });
      e.clock.advance(5_000);
      await e.settle();
      expect((await e.status('stale')).phase).toBe('Running');
      e.annotate('node-0', { 'sim.sei.io/pod-never-ready': undefined });
      await e.until('stale Complete', async () => (await e.status('stale')).phase === 'Complete');
      expect(e.pod()!.metadata.uid).toBe(uid);
      return;
    }
    // latest gov results: committed_failed → TxFailed keeping the txHash; pending → re-submitted until the timeout.
    e.annotate('node-0', { 'sim.sei.io/gov-tx-result': 'committed_failed' });
    await e.create('bad', 'GovVote', { chainId: 'sim-1', proposalId: 1, option: 'yes', fees: '1usei', gas: 1 });
    await e.until('bad Failed', async () => (await e.status('bad')).phase === 'Failed', 30_000);
    const bad = await e.status('bad');
    expect(await e.condition('bad', 'Failed')).toMatchObject({ reason: 'TxFailed', message: expect.stringMatching(/^tx [0-9A-F]{64} committed but failed: code=5 codespace="sdk" log=/) });
    expect(bad.outputs).toEqual({ govVote: { txHash: expect.stringMatching(/^[0-9A-F]{64}$/), height: expect.any(Number) } });
    expect(bad.task).toMatchObject({ status: 'Failed', err: (await e.condition('bad', 'Failed'))!.message });
    e.annotate('node-0', { 'sim.sei.io/gov-tx-result': 'pending' });
    await e.create('limbo', 'GovSoftwareUpgrade', GOV_UPGRADE, { timeoutSeconds: 60 });
    e.clock.advance(30_000);
    await e.settle();
    expect((await e.status('limbo')).phase).toBe('Running');
    await e.until('limbo Failed', async () => (await e.status('limbo')).phase === 'Failed', 120_000, 1_000);
    expect(await e.condition('limbo', 'Failed')).toMatchObject({ reason: 'InclusionUndetermined', message: expect.stringMatching(/^tx [0-9A-F]{64} inclusion undetermined; re-check pending$/) });
    expect(((await e.status('limbo')).outputs as Obj).govSoftwareUpgrade).toMatchObject({ txHash: expect.stringMatching(/^[0-9A-F]{64}$/) });
  });

  // 10. controller.go:492-501 SetupWithManager: no finalizer, no delete handling; sidecar.go has no cancel.
  it('10: deleting a task does not cancel its sidecar work; recreating the name runs it again', async () => {
    const e = await start(crd);
    const restarts = seidRestarts(e);
    await e.create('halt', 'AwaitCondition', { height: { targetHeight: heightNow(e) + 3 }, action: 'SIGTERM_SEID' });
    await e.until('submitted', async () => ((await e.status('halt')).task as Obj | undefined)?.submittedAt !== undefined);
    expect(await e.client.delete({ apiVersion: API, kind: 'SeiNodeTask', namespace: NS, name: 'halt' })).toBe(true);
    await e.until('seid restarted at the height', async () => seidRestarts(e) === restarts + 1, 30_000, 500);
    await e.create('halt', 'AwaitCondition', { height: { targetHeight: heightNow(e) + 2 }, action: 'SIGTERM_SEID' });
    await e.until('seid restarted again', async () => seidRestarts(e) === restarts + 2, 30_000, 500);
    await e.until('halt Complete', async () => (await e.status('halt')).phase === 'Complete');
  });

  // The plugin side: the version a cluster runs is read from its served SeiNodeTask CRD (`kinds --from-cluster`).
  it('the plugin detects the controller version from the served CRD', async () => {
    const e = await start(crd);
    const api = await servedTaskApi({ kubeconfig: e.f.kubeconfig });
    expect(api.version).toBe(crd);
    const rows = describeKinds(loadCatalog(), api.kinds, api.version);
    expect(rows.find((r) => r.kind === 'GovSoftwareUpgrade')?.publishedOutputs).toEqual(latest ? ['txHash', 'height', 'proposalId'] : []);
    expect(rows.find((r) => r.kind === 'UpdateNodeImage')?.publishedOutputs).toEqual(['appliedImage']);
  });

  // The sidecar knob: unreachable keeps sidecar-backed tasks Running with no condition (sidecar.go
  // Execute/Status: transient errors are retried, controller.go:272-276).
  it('sim.sei.io/sidecar: unreachable keeps a sidecar-backed task Running with no verdict, then it proceeds', async () => {
    // Unreachable only once Running: an unreachable sidecar also holds the node's init plan, whose
    // sidecar tasks cannot be submitted either (planner/executor.go:157-165).
    const e = await start(crd);
    e.annotate('node-0', { 'sim.sei.io/sidecar': 'unreachable' });
    await e.settle();
    await e.create('t', 'AwaitNodesAtHeight', { targetHeight: heightNow(e) + 2 });
    e.clock.advance(30_000);
    await e.settle();
    const stuck = await e.status('t');
    expect(stuck.phase).toBe('Running');
    expect(stuck.task).toMatchObject({ status: 'Pending' });
    expect((stuck.task as Obj).submittedAt).toBeUndefined();
    expect(await e.condition('t', 'Ready')).toBeUndefined();
    expect(await e.condition('t', 'Failed')).toBeUndefined();
    e.annotate('node-0', { 'sim.sei.io/sidecar': 'ready' });
    await e.until('Complete', async () => (await e.status('t')).phase === 'Complete', 30_000);
  });
});
