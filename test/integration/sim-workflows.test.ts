// SeiNodeTaskWorkflows on a `--crd latest` sim with full nodes and validators, through
// @kubernetes/client-node over HTTPS as any client sees them: the CRD's CEL rules at admission,
// adoption and the recipe (upstream internal/controller/node/workflow.go, 2d670ad), TargetRejected
// on a validator, the held node, the parked Terminating delete and the force annotation, the
// SeiNode finalizer and status.plan. Waits are watches (event-driven), bounded only as a failure.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { kubeConfig, statusOf } from '../support/sim-http.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary status shapes
const ns = 'sei';
const group = { group: 'sei.io', version: 'v1alpha1', namespace: ns };
const WITNESSES = ['rpc-a.sei.io:26657', 'rpc-b.sei.io:26657'];
let sim: RunningSim;
let kc: k8s.KubeConfig;
let custom: k8s.CustomObjectsApi;

function workflow(name: string, node: string, stateSync: Obj = { rpcServers: WITNESSES, migration: { kind: 'GigaStore', gigaStore: { backend: 'pebbledb' } } }): Obj {
  return { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTaskWorkflow', metadata: { name, namespace: ns }, spec: { kind: 'StateSync', target: { nodeRef: { name: node } }, stateSync } };
}

/** Watches `plural` until `done(object)` holds for the named object; the timeout only bounds a failure. */
function watchFor(plural: string, name: string, done: (o: Obj | undefined, type: string) => boolean, fromResourceVersion?: string, timeoutMs = 20_000): Promise<Obj | undefined> {
  return new Promise((resolve, reject) => {
    let controller: { abort(): void } | undefined;
    const timer = setTimeout(() => {
      controller?.abort();
      reject(new Error(`timed out waiting on ${plural}/${name}`));
    }, timeoutMs);
    const finish = (o: Obj | undefined) => {
      clearTimeout(timer);
      controller?.abort();
      resolve(o);
    };
    void new k8s.Watch(kc)
      .watch(
        `/apis/sei.io/v1alpha1/namespaces/${ns}/${plural}`,
        { fieldSelector: `metadata.name=${name}`, ...(fromResourceVersion ? { resourceVersion: fromResourceVersion } : {}) },
        (type: string, object: Obj) => {
          if (done(type === 'DELETED' ? undefined : object, type)) finish(type === 'DELETED' ? undefined : object);
        },
        () => undefined,
      )
      .then((c) => (controller = c));
  });
}
const terminal = (name: string) => watchFor('seinodetaskworkflows', name, (o) => ['Complete', 'Failed'].includes(o?.status?.phase));
const condition = (o: Obj | undefined, type: string) => (o?.status?.conditions ?? []).find((c: Obj) => c.type === type);
const get = async (plural: string, name: string) => (await custom.getNamespacedCustomObject({ ...group, plural, name })) as Obj;

beforeAll(async () => {
  sim = await startSim({ crd: 'latest', fleet: 3, validators: 1, namespace: ns });
  kc = kubeConfig(sim);
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  for (const node of ['node-0', 'node-1', 'node-2', 'validator-0']) {
    await watchFor('seinodes', node, (o) => o?.status?.phase === 'Running' && o.status.plan === undefined);
  }
});
afterAll(async () => {
  await sim?.stop();
});

describe('the SeiNodeTaskWorkflow API (--crd latest)', () => {
  // upstream api/v1alpha1/seinodetaskworkflow_types.go:156 MinItems=2, :117 spec.target immutable.
  it('admission enforces the CRD: fewer than two rpcServers, and an immutable target', async () => {
    const bad = await statusOf(await custom.createNamespacedCustomObject({ ...group, plural: 'seinodetaskworkflows', body: workflow('one-witness', 'node-0', { rpcServers: ['rpc-a:26657'] }) }).catch((e: unknown) => e));
    expect(bad.code).toBe(422);
    expect(bad.details?.causes?.[0]).toMatchObject({ field: 'spec.stateSync.rpcServers' });
    // A workflow aimed at a node that does not exist is never touched (no node reconcile adopts it).
    await custom.createNamespacedCustomObject({ ...group, plural: 'seinodetaskworkflows', body: workflow('nowhere', 'missing-node') });
    const moved = await statusOf(
      await custom
        .patchNamespacedCustomObject({ ...group, plural: 'seinodetaskworkflows', name: 'nowhere', body: { spec: { target: { nodeRef: { name: 'node-1' } } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))
        .catch((e: unknown) => e),
    );
    expect(moved.code).toBe(422);
    expect(moved.message).toContain('spec.target is immutable');
    expect((await get('seinodetaskworkflows', 'nowhere')).status).toBeUndefined();
  });

  // workflow.go:303/:589/:324 adoption, planner/workflow.go:81 the recipe, workflow.go:205 release.
  it('a full node adopts a GigaStore state-sync workflow, runs its six steps and releases the node', async () => {
    await custom.createNamespacedCustomObject({ ...group, plural: 'seinodetaskworkflows', body: workflow('migrate-0', 'node-0') });
    const done = await terminal('migrate-0');
    expect(done?.status.phase).toBe('Complete');
    expect(done?.status.plan.tasks.map((t: Obj) => `${t.type}:${t.status}`)).toEqual([
      'mark-not-ready:Complete',
      'stop-seid:Complete',
      'reset-data:Complete',
      'config-patch:Complete',
      'configure-state-sync:Complete',
      'mark-ready:Complete',
    ]);
    expect(done?.status.plan.tasks[3].params.files['app.toml']['state-store']).toEqual({ 'ss-enable': true, 'evm-ss-split': true, 'ss-backend': 'pebbledb' });
    expect(condition(done, 'Ready')).toMatchObject({ status: 'True', reason: 'WorkflowComplete' });
    const node = await watchFor('seinodes', 'node-0', (o) => o?.status?.adoptedWorkflow === undefined && condition(o, 'WorkflowInProgress')?.message === 'workflow completed');
    expect(condition(node, 'WorkflowInProgress')).toMatchObject({ status: 'False', reason: 'NoWorkflow' });
  });

  // workflow.go:253 TargetRejected.
  it('a validator target fails TargetRejected', async () => {
    await custom.createNamespacedCustomObject({ ...group, plural: 'seinodetaskworkflows', body: workflow('on-validator', 'validator-0') });
    const done = await terminal('on-validator');
    expect(condition(done, 'Failed')).toMatchObject({ status: 'True', reason: 'TargetRejected', message: 'validator target is ineligible; workflows target full/RPC nodes only' });
  });

  // executor.go:209, workflow.go:190/:122/:387: failed -> held; delete parked Terminating; force releases.
  it('fail-plan-task reset-data: Failed naming the step, the node held, the delete parked until the force annotation', async () => {
    await custom.patchNamespacedCustomObject(
      { ...group, plural: 'seinodes', name: 'node-1', body: { metadata: { annotations: { 'sim.sei.io/fail-plan-task': 'reset-data' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await custom.createNamespacedCustomObject({ ...group, plural: 'seinodetaskworkflows', body: workflow('doomed', 'node-1') });
    const failed = await terminal('doomed');
    expect(failed?.status.plan.failedTaskDetail).toMatchObject({ type: 'reset-data' });
    expect(condition(failed, 'Failed')).toMatchObject({ reason: 'WorkflowFailed', message: `task reset-data: ${failed?.status.plan.failedTaskDetail.error}` });
    const held = await watchFor('seinodes', 'node-1', (o) => condition(o, 'WorkflowInProgress')?.reason === 'WorkflowFailedHeld');
    expect(held?.status.adoptedWorkflow).toMatchObject({ name: 'doomed', uid: failed?.metadata.uid });

    await custom.deleteNamespacedCustomObject({ ...group, plural: 'seinodetaskworkflows', name: 'doomed' });
    const parked = await get('seinodetaskworkflows', 'doomed');
    expect(parked.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect(parked.metadata.finalizers).toEqual(['sei.io/seinodetaskworkflow-finalizer']);
    const forced = (await custom.patchNamespacedCustomObject(
      { ...group, plural: 'seinodetaskworkflows', name: 'doomed', body: { metadata: { annotations: { 'sei.io/force-delete-workflow': 'data dir checked by hand' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )) as Obj;
    // From the patch's resourceVersion, so a deletion that already happened is still seen.
    await watchFor('seinodetaskworkflows', 'doomed', (_o, type) => type === 'DELETED', forced.metadata.resourceVersion);
    const released = await watchFor('seinodes', 'node-1', (o) => o?.status?.adoptedWorkflow === undefined);
    expect(condition(released, 'WorkflowInProgress')).toMatchObject({ status: 'False', reason: 'NoWorkflow', message: 'workflow deleted; hold released' });
  });

  // controller.go:356 handleNodeDeletion; internal/planner/planner.go:546 the init plan.
  it('a new SeiNode shows its init plan and the finalizer; deleting it goes through Terminating', async () => {
    const seen: string[] = [];
    const watching = watchFor('seinodes', 'fresh', (o, type) => {
      seen.push(`${type}:${o?.status?.phase ?? ''}:${o?.status?.plan?.phase ?? ''}`);
      return type === 'DELETED';
    });
    await custom.createNamespacedCustomObject({
      ...group,
      plural: 'seinodes',
      body: { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'fresh', namespace: ns }, spec: { chainId: 'sei-sim', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {} } },
    });
    const running = await watchFor('seinodes', 'fresh', (o) => o?.status?.phase === 'Running' && o.status.plan === undefined);
    expect(running?.metadata.finalizers).toEqual(['sei.io/seinode-finalizer']);
    await custom.deleteNamespacedCustomObject({ ...group, plural: 'seinodes', name: 'fresh' });
    await watching;
    expect(seen).toContain('MODIFIED:Initializing:Active');
    expect(seen.some((s) => s.startsWith('MODIFIED:Terminating'))).toBe(true);
    expect(seen.some((s) => s.startsWith('MODIFIED:Pending') || s.startsWith('ADDED:Pending'))).toBe(false);
  });
});

// statesync.go reconcileStateSyncGate + planner/workflow.go:84: with no recipe rpcServers the node's
// status.resolvedStateSyncers are the witnesses. The sim takes a seeded node's list as its
// canonical syncers (upstream reads them from the controller config); a spec snapshot source is
// what makes a node keep them (a genesis node's list is cleared, as upstream).
describe('--seed with status.resolvedStateSyncers', () => {
  let seeded: RunningSim;
  afterAll(async () => {
    await seeded?.stop();
  });
  it('a workflow without rpcServers uses the seeded witnesses', async () => {
    const syncers = ['syncer-a.sei.io:26657', 'syncer-b.sei.io:26657'];
    seeded = await startSim({
      crd: 'latest',
      namespace: ns,
      seedObjects: [
        {
          apiVersion: 'sei.io/v1alpha1',
          kind: 'SeiNode',
          metadata: { name: 'rpc-0', namespace: ns },
          spec: { chainId: 'pacific-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: { snapshot: { stateSync: {} } } },
          status: { phase: 'Running', currentImage: 'ghcr.io/sei-protocol/seid:v6.0.0', resolvedStateSyncers: syncers },
        },
      ],
    });
    const client = kubeConfig(seeded).makeApiClient(k8s.CustomObjectsApi);
    await client.createNamespacedCustomObject({ ...group, plural: 'seinodetaskworkflows', body: workflow('resync', 'rpc-0', {}) });
    const saved = { kc, custom };
    kc = kubeConfig(seeded);
    custom = client;
    try {
      const done = await terminal('resync');
      expect(done?.status.phase).toBe('Complete');
      const configure = done?.status.plan.tasks.find((t: Obj) => t.type === 'configure-state-sync');
      expect(configure.params.RpcServers).toEqual(syncers);
      // A plain resync (no migration) has no config-patch step (planner/workflow.go:131).
      expect(done?.status.plan.tasks.map((t: Obj) => t.type)).toEqual(['mark-not-ready', 'stop-seid', 'reset-data', 'configure-state-sync', 'mark-ready']);
      const node = await get('seinodes', 'rpc-0');
      expect(condition(node, 'StateSyncReady')).toMatchObject({ status: 'True', reason: 'Ready', message: '2 canonical syncers configured for chain "pacific-1"' });
    } finally {
      ({ kc, custom } = saved);
    }
  });
});
