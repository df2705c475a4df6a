// The SeiNode side of the simulated controller against upstream sei-k8s-controller: finalizer and
// Terminating, the init plan in status.plan, image rolls through the update plan, the plan knobs
// and the SidecarReady condition. Each case names the upstream file and line it follows (2d670ad
// unless it says 204c1c0). Event-driven waits only: `until` re-checks on every store event.
import { afterEach, describe, expect, it } from 'vitest';
import { v5 as uuidv5 } from 'uuid';
import type { KubeObject, StoreEvent } from '../../src/sim/types.js';
import { NS, runningNode, startHarness, type Harness } from '../support/sim-controller-harness.js';

type Obj = Record<string, unknown>;
const harnesses: Harness[] = [];
function harness(crd: 'seed' | 'latest' = 'latest'): Harness {
  const h = startHarness({ crd });
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});

const nodeStatus = (h: Harness, name = 'node-0') => (h.get('seinodes', name)?.status ?? {}) as Obj;
const planOf = (h: Harness, name = 'node-0') => nodeStatus(h, name).plan as Obj | undefined;
const conditionOf = (h: Harness, type: string, name = 'node-0') => ((nodeStatus(h, name).conditions ?? []) as Obj[]).find((c) => c.type === type);
function record(h: Harness): StoreEvent[] {
  const events: StoreEvent[] = [];
  h.store.onChange((e) => events.push({ type: e.type, resource: e.resource, object: e.object }));
  return events;
}
const nodePlans = (events: StoreEvent[], name = 'node-0') =>
  events.filter((e) => e.resource === 'seinodes' && e.object.metadata.name === name).map((e) => (e.object.status as Obj | undefined)?.plan as Obj | undefined).filter((p): p is Obj => p !== undefined);
const eventsOf = (h: Harness, reason: string) => h.store.list('events', NS).filter((e) => e.reason === reason);

describe('SeiNode init plan', () => {
  // upstream internal/planner/planner.go:546 buildBasePlan, :342 buildSidecarProgression, :512 buildPlannedTask.
  it('shows the init plan in status.plan: Active, targetPhase Running, failedPhase Failed, a UUID, UUIDv5 task ids', async () => {
    const h = harness('latest');
    const events = record(h);
    await runningNode(h, 'node-0');
    const first = nodePlans(events)[0]!;
    expect(first).toMatchObject({ phase: 'Active', targetPhase: 'Running', failedPhase: 'Failed' });
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const tasks = first.tasks as Obj[];
    expect(tasks.map((t) => t.type)).toEqual(['ensure-data-pvc', 'apply-rbac-proxy-config', 'apply-statefulset', 'apply-service', 'configure-genesis', 'config-apply', 'config-validate', 'mark-ready']);
    // upstream internal/task/task.go:135 DeterministicTaskID, namespace at task.go:25.
    tasks.forEach((t, i) => expect(t.id).toBe(uuidv5(`${String(first.id)}/${String(t.type)}/${i}`, 'b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6b')));
    expect(tasks.every((t) => t.status === 'Pending')).toBe(true);
    // planner.go:531 taskMaxRetries: configure-genesis 180, everything else 0 (omitted).
    expect(tasks.find((t) => t.type === 'configure-genesis')).toMatchObject({ maxRetries: 180 });
    expect(tasks.find((t) => t.type === 'mark-ready')!.maxRetries).toBeUndefined();
    // Task statuses advance to Complete one by one (executor.go:180), submittedAt set on submission (executor.go:167).
    const seen = nodePlans(events).filter((p) => p.id === first.id);
    const last = seen.at(-1)!;
    expect(last.phase).toBe('Complete');
    expect((last.tasks as Obj[]).every((t) => t.status === 'Complete' && typeof t.submittedAt === 'string')).toBe(true);
    // The phase never reads Pending (planner.go:176) and Running follows the plan (executor.go:115).
    const phases = events.filter((e) => e.resource === 'seinodes').map((e) => (e.object.status as Obj | undefined)?.phase);
    expect(phases).not.toContain('Pending');
  });

  // 204c1c0 internal/planner/planner.go:315: the seed version adds discover-peers when spec.peers is set (20 retries).
  it('at the seed version adds discover-peers for a node with peers', async () => {
    const h = harness('seed');
    const events = record(h);
    await runningNode(h, 'node-0', { spec: { peers: [{ static: { addresses: ['aa@x:26656'] } }] } });
    const tasks = nodePlans(events)[0]!.tasks as Obj[];
    expect(tasks.map((t) => t.type)).toContain('discover-peers');
    expect(tasks.find((t) => t.type === 'discover-peers')).toMatchObject({ maxRetries: 20 });
  });

  // executor.go:209 failTask: failedTaskIndex, failedTaskDetail; failedPhase Failed; controller.go:131 keeps it.
  it('sim.sei.io/fail-plan-task fails the init plan at that task, keeping failedTaskIndex and failedTaskDetail; the node goes Failed', async () => {
    const h = harness('latest');
    h.node('node-0', { annotations: { 'sim.sei.io/fail-plan-task': 'config-apply' } });
    await h.until('node Failed', () => nodeStatus(h).phase === 'Failed');
    await h.controller.idle();
    const plan = planOf(h)!;
    expect(plan).toMatchObject({
      phase: 'Failed',
      failedTaskIndex: 5,
      failedTaskDetail: { type: 'config-apply', error: expect.stringContaining('sim.sei.io/fail-plan-task'), retryCount: 0, maxRetries: 0 },
    });
    expect((plan.tasks as Obj[])[5]).toMatchObject({ status: 'Failed', error: (plan.failedTaskDetail as Obj).error });
    expect(((plan.tasks as Obj[])[6] as Obj).status).toBe('Pending');
    // controller.go:135: the Failed node reports itself with a Warning Event.
    expect(eventsOf(h, 'NodeFailed')[0]).toMatchObject({ type: 'Warning', message: 'SeiNode is in Failed state. Delete and recreate the resource to retry.' });
  });

  // executor.go:52 needsSubmission / :167: a stalled sidecar task is submitted and stays Pending.
  it('sim.sei.io/stall-plan-task holds the plan at that task (submitted, still Pending)', async () => {
    const h = harness('latest');
    h.node('node-0', { annotations: { 'sim.sei.io/stall-plan-task': 'config-validate' } });
    await h.until('stalled task submitted', () => ((planOf(h)?.tasks ?? []) as Obj[]).find((t) => t.type === 'config-validate' && t.submittedAt !== undefined));
    await h.controller.idle();
    expect(nodeStatus(h).phase).toBe('Initializing');
    const tasks = planOf(h)!.tasks as Obj[];
    expect(tasks.find((t) => t.type === 'config-validate')!.status).toBe('Pending');
    expect(tasks.find((t) => t.type === 'config-apply')!.status).toBe('Complete');
  });
});

describe('SeiNode lifecycle', () => {
  // controller.go:348 ensureNodeFinalizer, :356 handleNodeDeletion.
  it('carries sei.io/seinode-finalizer and goes Terminating on delete before it is removed', async () => {
    const h = harness('latest');
    const node = await runningNode(h, 'node-0');
    expect(node.metadata.finalizers).toEqual(['sei.io/seinode-finalizer']);
    const events = record(h);
    h.store.delete('seinodes', NS, 'node-0');
    await h.until('node gone', () => h.get('seinodes', 'node-0') === undefined && h.get('pods', 'node-0-0') === undefined);
    const mine = events.filter((e) => e.resource === 'seinodes');
    expect(mine[0]!.object.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect(mine.some((e) => e.type === 'MODIFIED' && (e.object.status as Obj).phase === 'Terminating')).toBe(true);
    expect(mine.at(-1)!.type).toBe('DELETED');
  });

  // controller.go:410 setNodePausedCondition; sidecar_probe.go:17 probeSidecarHealth; endpoints.go composeNodeEndpoints;
  // workflow.go:713 seedWorkflowInProgress.
  it('latest: a Running full node has Paused False, SidecarReady True, WorkflowInProgress False/NoWorkflow and status.endpoint', async () => {
    const h = harness('latest');
    await runningNode(h, 'node-0');
    expect(conditionOf(h, 'Paused')).toMatchObject({ status: 'False', reason: 'NotPaused', message: 'spec.paused is unset or false' });
    expect(conditionOf(h, 'SidecarReady')).toMatchObject({ status: 'True', reason: 'Ready', message: 'sidecar returned 200' });
    expect(conditionOf(h, 'WorkflowInProgress')).toMatchObject({ status: 'False', reason: 'NoWorkflow', message: 'no workflow adopted' });
    expect(nodeStatus(h).endpoint).toEqual({
      evmJsonRpc: 'http://node-0.sei.svc:8545',
      evmWs: 'ws://node-0.sei.svc:8546',
      tendermintRpc: 'http://node-0.sei.svc:26657',
      tendermintRest: 'http://node-0.sei.svc:1317',
    });
  });

  it('seed: no WorkflowInProgress and no endpoint (neither exists at 204c1c0)', async () => {
    const h = harness('seed');
    await runningNode(h, 'node-0');
    expect(conditionOf(h, 'WorkflowInProgress')).toBeUndefined();
    expect(nodeStatus(h).endpoint).toBeUndefined();
    expect(conditionOf(h, 'SidecarReady')).toMatchObject({ status: 'True', reason: 'Ready' });
  });

  // sidecar_probe.go:24-41 and controller.go:427 emitSidecarReadinessEvent; planner.go:728 buildMarkReadyPlan.
  it('sim.sei.io/sidecar: not-ready -> SidecarReady False/NotReady, a Warning and a mark-ready plan; unreachable -> Unknown/Unreachable', async () => {
    const h = harness('latest');
    const node = await runningNode(h, 'node-0');
    const events = record(h);
    h.store.update('seinodes', { ...node, metadata: { ...node.metadata, annotations: { ...node.metadata.annotations, 'sim.sei.io/sidecar': 'not-ready' } } });
    await h.until('NotReady', () => conditionOf(h, 'SidecarReady')?.reason === 'NotReady');
    expect(conditionOf(h, 'SidecarReady')).toMatchObject({ status: 'False', message: 'sidecar returned 503, re-issuing mark-ready' });
    await h.until('mark-ready plan', () => nodePlans(events).find((p) => (p.tasks as Obj[]).length === 1 && (p.tasks as Obj[])[0]!.type === 'mark-ready'));
    expect(eventsOf(h, 'SidecarReadinessLost')[0]).toMatchObject({ type: 'Warning', message: 'sidecar Healthz returned 503; controller will re-issue mark-ready' });
    const current = h.get('seinodes', 'node-0')!;
    h.store.update('seinodes', { ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, 'sim.sei.io/sidecar': 'unreachable' } } });
    await h.until('Unreachable', () => conditionOf(h, 'SidecarReady')?.reason === 'Unreachable');
    expect(conditionOf(h, 'SidecarReady')).toMatchObject({ status: 'Unknown', message: expect.stringMatching(/^sidecar Healthz error: /) });
  });
});

describe('image roll through the update plan', () => {
  async function roll(h: Harness, image: string): Promise<KubeObject> {
    const node = h.get('seinodes', 'node-0')!;
    return h.store.update('seinodes', { ...node, spec: { ...(node.spec as Obj), image } });
  }

  // full.go:53 buildRunningPlan, planner.go:802 assembleUpdatePlan, :211 handleTerminalPlan;
  // replace_pod.go (new pod), observe_image.go:77 (currentImage stamped at observe-image).
  it('NodeUpdateInProgress True/UpdateStarted, the seven tasks, a new pod uid, currentImage at observe-image, then False/UpdateComplete', async () => {
    const h = harness('latest');
    await runningNode(h, 'node-0');
    const oldPod = h.get('pods', 'node-0-0')!.metadata.uid;
    const events = record(h);
    await roll(h, 'ghcr.io/sei-protocol/seid:v2');
    // The settled node already carries UpdateComplete from the roll that stamped its first image.
    await h.until('v2 rolled', () => nodeStatus(h).currentImage === 'ghcr.io/sei-protocol/seid:v2' && planOf(h) === undefined);
    expect(conditionOf(h, 'NodeUpdateInProgress')).toMatchObject({ status: 'False', reason: 'UpdateComplete' });
    const started = events.map((e) => (e.resource === 'seinodes' ? ((e.object.status as Obj).conditions as Obj[] | undefined)?.find((c) => c.type === 'NodeUpdateInProgress') : undefined)).find((c) => c?.reason === 'UpdateStarted');
    expect(started).toMatchObject({ status: 'True', message: 'image drift detected: spec=ghcr.io/sei-protocol/seid:v2 current=ghcr.io/sei-protocol/seid:v1' });
    const plan = nodePlans(events)[0]!;
    expect((plan.tasks as Obj[]).map((t) => t.type)).toEqual(['apply-statefulset', 'apply-service', 'config-patch', 'config-validate', 'replace-pod', 'observe-image', 'mark-ready']);
    expect(plan).toMatchObject({ phase: 'Active', targetPhase: 'Running' });
    expect(plan.failedPhase).toBeUndefined();
    expect((plan.tasks as Obj[]).find((t) => t.type === 'replace-pod')).toMatchObject({ maxRetries: 3 });
    expect(h.get('pods', 'node-0-0')!.metadata.uid).not.toBe(oldPod);
    expect(((h.get('pods', 'node-0-0')!.spec as { containers: Obj[] }).containers[0]!).image).toBe('ghcr.io/sei-protocol/seid:v2');
    // currentImage appears in the same write as observe-image's completion, before mark-ready completes.
    const stamped = events.find((e) => e.resource === 'seinodes' && (e.object.status as Obj).currentImage === 'ghcr.io/sei-protocol/seid:v2')!;
    const stampedTasks = ((e: StoreEvent) => (((e.object.status as Obj).plan as Obj).tasks as Obj[]))(stamped);
    expect(stampedTasks.find((t) => t.type === 'observe-image')!.status).toBe('Complete');
    expect(stampedTasks.find((t) => t.type === 'mark-ready')!.status).toBe('Pending');
    expect(conditionOf(h, 'NodeUpdateInProgress')).toMatchObject({ status: 'False', message: `plan ${String(plan.id)} completed` });
    expect(planOf(h)).toBeUndefined();
  });

  // executor.go:189 retries within maxRetries (replace-pod: 3), then failTask; no failedPhase, so the node
  // stays Running; planner.go:211 handleTerminalPlan + full.go:54 rebuild the roll on the next poll while
  // the drift persists (UpdateFailed is set and replaced by UpdateStarted in the same reconcile, as upstream).
  it('fail-plan-task replace-pod: three retries, then the plan fails with retryCount 3/3, the node stays Running, and the roll is retried with a new plan', async () => {
    const h = harness('latest');
    const node = await runningNode(h, 'node-0');
    h.store.update('seinodes', { ...node, metadata: { ...node.metadata, annotations: { ...node.metadata.annotations, 'sim.sei.io/fail-plan-task': 'replace-pod' } } });
    await h.controller.idle();
    const events = record(h);
    await roll(h, 'ghcr.io/sei-protocol/seid:v2');
    await h.until('plan failed', () => nodePlans(events).find((p) => p.phase === 'Failed'));
    const failed = nodePlans(events).find((p) => p.phase === 'Failed')!;
    expect(failed).toMatchObject({ failedTaskIndex: 4, failedTaskDetail: { type: 'replace-pod', retryCount: 3, maxRetries: 3, error: expect.stringContaining('replace-pod') } });
    const retries = nodePlans(events)
      .filter((p) => p.id === failed.id)
      .map((p) => (p.tasks as Obj[])[4]!.retryCount ?? 0);
    expect([...new Set(retries)]).toEqual([0, 1, 2, 3]);
    expect(nodeStatus(h).phase).toBe('Running');
    await h.until('a new roll plan', () => nodePlans(events).find((p) => p.id !== failed.id));
    expect(conditionOf(h, 'NodeUpdateInProgress')).toMatchObject({ status: 'True', reason: 'UpdateStarted' });
  });

  // planner.go:229: with the drift gone the failed plan is cleared with NodeUpdateInProgress False/UpdateFailed.
  it('a failed roll whose drift is reverted ends NodeUpdateInProgress False/UpdateFailed naming the task', async () => {
    const h = harness('latest');
    const node = await runningNode(h, 'node-0');
    h.store.update('seinodes', { ...node, metadata: { ...node.metadata, annotations: { ...node.metadata.annotations, 'sim.sei.io/fail-plan-task': 'config-patch' } } });
    await h.controller.idle();
    await roll(h, 'ghcr.io/sei-protocol/seid:v2');
    await h.until('plan failed', () => planOf(h)?.phase === 'Failed');
    const failed = planOf(h)!;
    await roll(h, 'ghcr.io/sei-protocol/seid:v1');
    await h.until('UpdateFailed', () => conditionOf(h, 'NodeUpdateInProgress')?.reason === 'UpdateFailed');
    expect(conditionOf(h, 'NodeUpdateInProgress')!.message).toBe(`plan ${String(failed.id)} failed: task config-patch: ${String((failed.failedTaskDetail as Obj).error)}`);
    expect(planOf(h)).toBeUndefined();
  });
});

describe('UpdateNodeImage goes through the node update plan', () => {
  // upstream internal/task/update_node_image.go:110 (completes when currentImage matches) with
  // full.go:53 (the roll): the pod is replaced (new uid) and currentImage stamped at observe-image.
  it('the task completes only after the roll replaced the pod and stamped currentImage', async () => {
    const h = harness('latest');
    await runningNode(h, 'node-0');
    const oldPod = h.get('pods', 'node-0-0')!.metadata.uid;
    const events = record(h);
    h.task('roll', 'UpdateNodeImage', { image: 'ghcr.io/sei-protocol/seid:v3' });
    await h.until('task Complete', () => h.status('roll').phase === 'Complete');
    const plan = nodePlans(events).find((p) => (p.tasks as Obj[]).some((t) => t.type === 'observe-image'))!;
    expect((plan.tasks as Obj[]).map((t) => t.type)).toEqual(['apply-statefulset', 'apply-service', 'config-patch', 'config-validate', 'replace-pod', 'observe-image', 'mark-ready']);
    expect(h.get('pods', 'node-0-0')!.metadata.uid).not.toBe(oldPod);
    const stampedAt = events.findIndex((e) => e.resource === 'seinodes' && (e.object.status as Obj).currentImage === 'ghcr.io/sei-protocol/seid:v3');
    const completeAt = events.findIndex((e) => e.resource === 'seinodetasks' && (e.object.status as Obj | undefined)?.phase === 'Complete');
    expect(stampedAt).toBeGreaterThan(-1);
    expect(completeAt).toBeGreaterThan(stampedAt);
  });
});

describe('the state-sync gate (latest)', () => {
  // statesync.go reconcileStateSyncGate, planner.go:198 StateSyncBlocksPlan, controller.go:150 holdInitialSTS, :448 StateSyncBlocked.
  it('a snapshot node without two syncers gets no plan, no pod and a StateSyncBlocked Warning', async () => {
    const h = harness('latest');
    h.node('node-0', { spec: { fullNode: { snapshot: { stateSync: {} } } } });
    await h.until('gate resolved', () => conditionOf(h, 'StateSyncReady'));
    await h.controller.idle();
    expect(conditionOf(h, 'StateSyncReady')).toMatchObject({ status: 'False', reason: 'NoSyncersConfigured' });
    expect(nodeStatus(h).phase).toBeUndefined();
    expect(nodeStatus(h).plan).toBeUndefined();
    expect(h.get('pods', 'node-0-0')).toBeUndefined();
    expect(eventsOf(h, 'StateSyncBlocked')[0]).toMatchObject({ type: 'Warning', message: 'state sync enabled but not ready for chain "sim-1" (NoSyncersConfigured); not building plan' });
  });

  it('with two spec rpcServers the init plan carries configure-state-sync with them', async () => {
    const h = harness('latest');
    const events = record(h);
    await runningNode(h, 'node-0', { spec: { fullNode: { snapshot: { stateSync: {}, rpcServers: ['b.sei.io:26657', 'a.sei.io:26657'] } } } });
    expect(conditionOf(h, 'StateSyncReady')).toMatchObject({ status: 'True', reason: 'Ready', message: '2 rpc-servers declared on spec for chain "sim-1"' });
    expect(nodeStatus(h).resolvedStateSyncers).toEqual(['a.sei.io:26657', 'b.sei.io:26657']);
    const tasks = nodePlans(events)[0]!.tasks as Obj[];
    expect(tasks.map((t) => t.type).slice(-4)).toEqual(['config-apply', 'configure-state-sync', 'config-validate', 'mark-ready']);
    expect((tasks.find((t) => t.type === 'configure-state-sync')!.params as Obj).RpcServers).toEqual(['a.sei.io:26657', 'b.sei.io:26657']);
  });
});
