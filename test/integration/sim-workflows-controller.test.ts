// SeiNodeTaskWorkflow adoption and execution by the simulated SeiNode controller, against upstream
// sei-k8s-controller at 2d670ad: internal/controller/node/workflow.go (cited by line per case),
// internal/planner/workflow.go and executor.go. Event-driven waits only.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, StoreEvent } from '../../src/sim/types.js';
import { NS, runningNode, startHarness, type Harness } from '../support/sim-controller-harness.js';

type Obj = Record<string, unknown>;
const harnesses: Harness[] = [];
function harness(): Harness {
  const h = startHarness({ crd: 'latest' });
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});

const WITNESSES = ['rpc-a.sei.io:26657', 'rpc-b.sei.io:26657'];
function workflow(h: Harness, name: string, options: { node?: string; stateSync?: Obj; target?: Obj } = {}): KubeObject {
  return h.store.create('seinodetaskworkflows', {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTaskWorkflow',
    metadata: { name, namespace: NS },
    spec: {
      kind: 'StateSync',
      target: { nodeRef: { name: options.node ?? 'node-0' }, requirePhase: 'Running', requirePhaseTimeout: '5m', ...options.target },
      stateSync: options.stateSync ?? { rpcServers: WITNESSES },
    },
  });
}
const wf = (h: Harness, name: string) => h.get('seinodetaskworkflows', name);
const wfStatus = (h: Harness, name: string) => (wf(h, name)?.status ?? {}) as Obj;
const wfCondition = (h: Harness, name: string, type: string) => ((wfStatus(h, name).conditions ?? []) as Obj[]).find((c) => c.type === type);
const nodeStatus = (h: Harness, name = 'node-0') => (h.get('seinodes', name)?.status ?? {}) as Obj;
const nodeCondition = (h: Harness, type: string, name = 'node-0') => ((nodeStatus(h, name).conditions ?? []) as Obj[]).find((c) => c.type === type);
const terminal = (h: Harness, name: string) => h.until(`${name} terminal`, () => (['Complete', 'Failed'].includes(String(wfStatus(h, name).phase)) ? String(wfStatus(h, name).phase) : undefined));
const eventsFor = (h: Harness, name: string) => h.store.list('events', NS).filter((e) => (e.involvedObject as Obj).name === name);
function annotate(h: Harness, name: string, annotations: Record<string, string>, resource = 'seinodes'): void {
  const object = h.get(resource, name)!;
  h.store.update(resource, { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, ...annotations } } });
}

describe('adoption', () => {
  // workflow.go:303 (pointer), :589 persistWorkflowPlan, :324 WorkflowAdopted, :156 executeWorkflow, :205 release.
  it('a Running full node adopts, runs the six-step recipe with the GigaStore keys, completes and releases', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    const events: StoreEvent[] = [];
    h.store.onChange((e) => events.push({ type: e.type, resource: e.resource, object: e.object }));
    workflow(h, 'migrate', { stateSync: { rpcServers: WITNESSES, migration: { kind: 'GigaStore', gigaStore: { backend: 'pebbledb' } } } });
    expect(await terminal(h, 'migrate')).toBe('Complete');
    const status = wfStatus(h, 'migrate');
    const plan = status.plan as Obj;
    expect((plan.tasks as Obj[]).map((t) => t.type)).toEqual(['mark-not-ready', 'stop-seid', 'reset-data', 'config-patch', 'configure-state-sync', 'mark-ready']);
    // planner/workflow.go:189 gigaStoreConfigPatch.
    expect((plan.tasks as Obj[])[3]!.params).toEqual({
      files: { 'app.toml': { 'state-store': { 'ss-enable': true, 'evm-ss-split': true, 'ss-backend': 'pebbledb' }, 'state-commit': { 'sc-enable': true } } },
    });
    expect(((plan.tasks as Obj[])[4]!.params as Obj).RpcServers).toEqual(WITNESSES);
    // planner/workflow.go:79: a workflow's plan never drives the node's phase.
    expect(plan.targetPhase).toBeUndefined();
    expect(plan.failedPhase).toBeUndefined();
    expect(wfCondition(h, 'migrate', 'Ready')).toMatchObject({ status: 'True', reason: 'WorkflowComplete', message: 'recipe completed' });
    expect(wfCondition(h, 'migrate', 'Adopted')).toMatchObject({ status: 'True', reason: 'Adopted', message: 'plan compiled and persisted' });
    expect(wfCondition(h, 'migrate', 'Failed')).toMatchObject({ status: 'False', reason: 'NotFailed' });
    // The pointer was stamped (node-first) while it ran, and cleared on release with the finalizer off.
    const pointers = events.filter((e) => e.resource === 'seinodes').map((e) => (e.object.status as Obj).adoptedWorkflow as Obj | undefined);
    expect(pointers.find((p) => p !== undefined)).toMatchObject({ name: 'migrate', uid: wf(h, 'migrate')!.metadata.uid, adoptedAt: expect.any(String) });
    const holds = events.filter((e) => e.resource === 'seinodes').map((e) => ((e.object.status as Obj).conditions as Obj[]).find((c) => c.type === 'WorkflowInProgress'));
    expect(holds.map((c) => c?.message)).toEqual(expect.arrayContaining(['adopted workflow migrate', 'driving workflow migrate']));
    await h.until('released', () => nodeStatus(h).adoptedWorkflow === undefined && nodeCondition(h, 'WorkflowInProgress')?.message === 'workflow completed');
    expect(nodeCondition(h, 'WorkflowInProgress')).toMatchObject({ status: 'False', reason: 'NoWorkflow' });
    expect(wf(h, 'migrate')!.metadata.finalizers ?? []).toEqual([]);
    expect(events.some((e) => e.resource === 'seinodetaskworkflows' && (e.object.metadata.finalizers ?? []).includes('sei.io/seinodetaskworkflow-finalizer'))).toBe(true);
    const reasons = eventsFor(h, 'migrate').map((e) => [e.type, e.reason, e.message]);
    expect(reasons).toEqual(expect.arrayContaining([['Normal', 'WorkflowAdopted', 'adopted by node node-0'], ['Normal', 'WorkflowComplete', 'workflow migrate completed on node node-0']]));
  });

  // workflow.go:253 ineligibleWorkflowRole -> TargetRejected.
  it('a validator target fails TargetRejected with its Warning Event', async () => {
    const h = harness();
    await runningNode(h, 'val-0', { spec: { fullNode: undefined, validator: {} } });
    workflow(h, 'wf', { node: 'val-0' });
    expect(await terminal(h, 'wf')).toBe('Failed');
    expect(wfCondition(h, 'wf', 'Failed')).toMatchObject({ status: 'True', reason: 'TargetRejected', message: 'validator target is ineligible; workflows target full/RPC nodes only' });
    expect(wfStatus(h, 'wf').plan).toBeUndefined();
    expect(eventsFor(h, 'wf').map((e) => [e.type, e.reason])).toEqual([['Warning', 'TargetRejected']]);
  });

  // planner/workflow.go:88 the two-witness floor -> workflow.go:297 PlanBuildFailed, the node never held.
  it('fewer than two witnesses fails PlanBuildFailed without holding the node', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    workflow(h, 'wf', { stateSync: {} });
    expect(await terminal(h, 'wf')).toBe('Failed');
    expect(wfCondition(h, 'wf', 'Failed')).toMatchObject({
      reason: 'PlanBuildFailed',
      message: 'stateSync workflow fail-closed: need >=2 resolved witnesses (recipe rpcServers or node.status.resolvedStateSyncers), have 0',
    });
    expect(nodeStatus(h).adoptedWorkflow).toBeUndefined();
  });

  // workflow.go:527 first wins by creationTimestamp then name; :264 losers QueuedBehindActive.
  it('queues the later candidate (same second: by name) Pending with Adopted False/QueuedBehindActive, then runs it after the first', async () => {
    const h = harness();
    const node = await runningNode(h, 'node-0');
    // Hold the recipe at stop-seid so the queue is observable, then let it go.
    annotate(h, 'node-0', { 'sim.sei.io/stall-plan-task': 'stop-seid' });
    void node;
    workflow(h, 'b-second');
    workflow(h, 'a-first');
    await h.until('a-first adopted', () => (nodeStatus(h).adoptedWorkflow as Obj | undefined)?.name === 'a-first' || undefined);
    await h.until('b queued', () => wfCondition(h, 'b-second', 'Adopted')?.reason === 'QueuedBehindActive');
    expect(wfStatus(h, 'b-second').phase).toBe('Pending');
    expect(wfCondition(h, 'b-second', 'Adopted')).toMatchObject({ status: 'False', message: 'another workflow is queued ahead on this node' });
    // workflow.go:62: while a workflow is adopted, a new one gets no status at all until release.
    workflow(h, 'c-later');
    await h.controller.idle();
    expect(wf(h, 'c-later')!.status).toBeUndefined();
    const current = h.get('seinodes', 'node-0')!;
    const annotations = { ...current.metadata.annotations };
    delete annotations['sim.sei.io/stall-plan-task'];
    h.store.update('seinodes', { ...current, metadata: { ...current.metadata, annotations } });
    expect(await terminal(h, 'a-first')).toBe('Complete');
    expect(await terminal(h, 'b-second')).toBe('Complete');
    expect(await terminal(h, 'c-later')).toBe('Complete');
  });

  // workflow.go:334 gateOnRequirePhase: Adopted False/TargetNotReady, then TargetPhaseTimeout.
  it('a requirePhase the node is not in waits TargetNotReady, then fails TargetPhaseTimeout with the Go duration', async () => {
    const h = harness();
    await runningNode(h, 'node-0');
    workflow(h, 'wf', { target: { requirePhase: 'Initializing', requirePhaseTimeout: '300ms' } });
    await h.until('waiting', () => wfCondition(h, 'wf', 'Adopted')?.reason === 'TargetNotReady');
    expect(wfStatus(h, 'wf')).toMatchObject({ phase: 'Pending', targetFirstObservedAt: expect.any(String) });
    expect(wfCondition(h, 'wf', 'Adopted')!.message).toBe('waiting for target node-0 to reach Initializing (current: Running)');
    expect(await terminal(h, 'wf')).toBe('Failed');
    expect(wfCondition(h, 'wf', 'Failed')).toMatchObject({ reason: 'TargetPhaseTimeout', message: 'target node-0 did not reach phase Initializing within 300ms (current: Running)' });
  });
});

describe('failure and deletion', () => {
  // executor.go:209 failTask, workflow.go:190 WorkflowFailed, :216 Event, :122 held, :280 later workflows blocked.
  it('fail-plan-task reset-data fails the workflow naming the step; the node stays held and blocks later workflows', async () => {
    const h = harness();
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/fail-plan-task': 'reset-data' } });
    workflow(h, 'wf');
    expect(await terminal(h, 'wf')).toBe('Failed');
    const plan = wfStatus(h, 'wf').plan as Obj;
    expect(plan).toMatchObject({ phase: 'Failed', failedTaskIndex: 2, failedTaskDetail: { type: 'reset-data', retryCount: 0, maxRetries: 0 } });
    const error = String((plan.failedTaskDetail as Obj).error);
    expect(wfCondition(h, 'wf', 'Failed')).toMatchObject({ status: 'True', reason: 'WorkflowFailed', message: `task reset-data: ${error}` });
    await h.until('held', () => nodeCondition(h, 'WorkflowInProgress')?.reason === 'WorkflowFailedHeld');
    expect(nodeCondition(h, 'WorkflowInProgress')).toMatchObject({ status: 'True', message: 'workflow failed; node held pending re-run or deletion' });
    expect(nodeStatus(h).adoptedWorkflow).toMatchObject({ name: 'wf' });
    expect(eventsFor(h, 'wf').find((e) => e.reason === 'WorkflowFailed')).toMatchObject({ type: 'Warning', message: 'workflow wf failed on node node-0; node held' });
    workflow(h, 'next');
    await h.controller.idle();
    expect(wf(h, 'next')!.status).toBeUndefined();
  });

  // workflow.go:387 finalizeWorkflow: parked Terminating with WorkflowDeleteHeld; the force annotation releases.
  it('deleting the held workflow parks it Terminating (WorkflowDeleteHeld) until sei.io/force-delete-workflow is set', async () => {
    const h = harness();
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/fail-plan-task': 'reset-data' } });
    workflow(h, 'wf');
    expect(await terminal(h, 'wf')).toBe('Failed');
    h.store.delete('seinodetaskworkflows', NS, 'wf');
    await h.until('delete held', () => eventsFor(h, 'wf').find((e) => e.reason === 'WorkflowDeleteHeld'));
    expect(wf(h, 'wf')!.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect(eventsFor(h, 'wf').find((e) => e.reason === 'WorkflowDeleteHeld')).toMatchObject({
      type: 'Warning',
      message: 'refusing to release node node-0: data-state verification unavailable (set sei.io/force-delete-workflow to force)',
    });
    await h.until('deletion held condition', () => nodeCondition(h, 'WorkflowInProgress')?.message === 'deletion held: data-state verification unavailable');
    annotate(h, 'wf', { 'sei.io/force-delete-workflow': 'operator verified the data dir' }, 'seinodetaskworkflows');
    await h.until('workflow gone', () => wf(h, 'wf') === undefined);
    await h.until('released', () => nodeStatus(h).adoptedWorkflow === undefined);
    expect(nodeCondition(h, 'WorkflowInProgress')).toMatchObject({ status: 'False', reason: 'NoWorkflow', message: 'workflow deleted; hold released' });
    const forced = h.store.list('events', NS).find((e) => e.reason === 'WorkflowForceDeleted');
    expect(forced).toMatchObject({ type: 'Warning', message: 'force-deleted; node node-0 hold released without data verification' });
  });

  // controller.go:202 drift suppressed while adopted; resumes after release.
  it('an image change while a workflow is adopted starts no update plan until the node is released', async () => {
    const h = harness();
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/stall-plan-task': 'stop-seid' } });
    workflow(h, 'wf');
    await h.until('adopted', () => nodeStatus(h).adoptedWorkflow !== undefined);
    const node = h.get('seinodes', 'node-0')!;
    h.store.update('seinodes', { ...node, spec: { ...(node.spec as Obj), image: 'ghcr.io/sei-protocol/seid:v2' } });
    await h.controller.idle();
    expect(nodeStatus(h).plan).toBeUndefined();
    expect(nodeCondition(h, 'NodeUpdateInProgress')?.reason).not.toBe('UpdateStarted');
    annotate(h, 'node-0', { 'sim.sei.io/stall-plan-task': '' });
    await h.until('rolled after release', () => nodeStatus(h).currentImage === 'ghcr.io/sei-protocol/seid:v2');
    expect(wfStatus(h, 'wf').phase).toBe('Complete');
  });

  // workflow.go:280: a node with an active plan (an image roll) seeds the winner TargetNotReady and adopts after.
  it('a workflow created mid-roll waits Adopted False/TargetNotReady "target has an active plan", then runs', async () => {
    const h = harness();
    // Stalled only after settling: the first roll after init has an observe-image step too.
    await runningNode(h, 'node-0');
    const node = h.get('seinodes', 'node-0')!;
    h.store.update('seinodes', {
      ...node,
      metadata: { ...node.metadata, annotations: { ...node.metadata.annotations, 'sim.sei.io/stall-plan-task': 'observe-image' } },
      spec: { ...(node.spec as Obj), image: 'ghcr.io/sei-protocol/seid:v2' },
    });
    await h.until('roll stalled', () => ((nodeStatus(h).plan as Obj | undefined)?.tasks as Obj[] | undefined)?.find((t) => t.type === 'observe-image' && t.submittedAt !== undefined));
    workflow(h, 'wf');
    await h.until('waiting on the roll', () => wfCondition(h, 'wf', 'Adopted')?.reason === 'TargetNotReady');
    expect(wfCondition(h, 'wf', 'Adopted')!.message).toBe('target has an active plan');
    expect(wfStatus(h, 'wf').phase).toBe('Pending');
    annotate(h, 'node-0', { 'sim.sei.io/stall-plan-task': '' });
    expect(await terminal(h, 'wf')).toBe('Complete');
    expect(nodeStatus(h).currentImage).toBe('ghcr.io/sei-protocol/seid:v2');
  });

  // seinodetaskworkflow_types.go:89 and controller.go:175: a paused node freezes before the workflow
  // finalizer runs, so a force delete takes effect only once the node is unpaused.
  it('on a paused node the force delete waits for the unpause', async () => {
    const h = harness();
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/fail-plan-task': 'reset-data' } });
    workflow(h, 'wf');
    expect(await terminal(h, 'wf')).toBe('Failed');
    const node = h.get('seinodes', 'node-0')!;
    h.store.update('seinodes', { ...node, spec: { ...(node.spec as Obj), paused: true } });
    await h.until('paused', () => nodeCondition(h, 'Paused')?.status === 'True');
    expect(nodeCondition(h, 'Paused')).toMatchObject({ reason: 'Paused', message: 'spec.paused is true; reconciliation is frozen' });
    h.store.delete('seinodetaskworkflows', NS, 'wf');
    annotate(h, 'wf', { 'sei.io/force-delete-workflow': 'forced' }, 'seinodetaskworkflows');
    await h.controller.idle();
    expect(wf(h, 'wf')?.metadata.deletionTimestamp).toEqual(expect.any(String));
    const paused = h.get('seinodes', 'node-0')!;
    h.store.update('seinodes', { ...paused, spec: { ...(paused.spec as Obj), paused: false } });
    await h.until('workflow gone', () => wf(h, 'wf') === undefined);
  });

  // controller.go:376 releaseWorkflowFinalizersForNode.
  it('deleting the node releases the finalizers of the workflows aimed at it', async () => {
    const h = harness();
    await runningNode(h, 'node-0', { annotations: { 'sim.sei.io/fail-plan-task': 'reset-data' } });
    workflow(h, 'wf');
    expect(await terminal(h, 'wf')).toBe('Failed');
    h.store.delete('seinodetaskworkflows', NS, 'wf');
    await h.until('parked', () => wf(h, 'wf')?.metadata.deletionTimestamp !== undefined);
    h.store.delete('seinodes', NS, 'node-0');
    await h.until('both gone', () => wf(h, 'wf') === undefined && h.get('seinodes', 'node-0') === undefined);
  });
});
