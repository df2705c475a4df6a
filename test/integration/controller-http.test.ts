/**
 * The controller's behaviour as an API client sees it: every write and read goes over HTTP
 * through @kubernetes/client-node to the sim (admission, status subresource, server-side apply
 * included). The store is used only to be told when something changed, never to read results.
 */
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../src/sim/index.js';

type Obj = Record<string, unknown>;
type K8sObject = KubernetesObject & { spec?: Obj; status?: Obj };

let sim: RunningSim;
let api: KubernetesObjectApi;

beforeAll(async () => {
  sim = await startSim({ fleet: 2 });
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfigYaml());
  api = KubernetesObjectApi.makeApiClient(kc);
});
afterAll(async () => {
  await sim?.stop();
});

const FAST = { 'sim.sei.io/pod-ready-after-seconds': '0.05', 'sim.sei.io/block-time-ms': '20' };

/** Resolves when `probe` (which reads over HTTP) is satisfied, re-checking on each store change. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 1_000);
      const off = sim.store.onChange(done);
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
}

const read = (kind: string, name: string, apiVersion = kind === 'Pod' ? 'v1' : 'sei.io/v1alpha1') =>
  api.read<K8sObject>({ apiVersion, kind, metadata: { name, namespace: 'sei' } });

async function createNode(name: string, annotations: Record<string, string> = {}, spec: Obj = {}): Promise<void> {
  await api.create({
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name, namespace: 'sei', annotations: { ...FAST, ...annotations } },
    spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v1', fullNode: {}, ...spec },
  } as K8sObject);
  await until(`${name} Running with a Ready pod`, async () => {
    const node = await read('SeiNode', name);
    if (node.status?.phase !== 'Running') return undefined;
    const pod = await read('Pod', `${name}-0`).catch(() => undefined);
    const conditions = (pod?.status?.conditions ?? []) as Obj[];
    return conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
  });
}

function task(name: string, kind: string, node: string, payload: Obj): K8sObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name, namespace: 'sei' },
    spec: { kind, target: { nodeRef: { name: node } }, [kind.charAt(0).toLowerCase() + kind.slice(1)]: payload },
  };
}

async function verdict(name: string): Promise<K8sObject> {
  return until(`${name} terminal`, async () => {
    const t = await read('SeiNodeTask', name);
    return t.status?.phase === 'Complete' || t.status?.phase === 'Failed' ? t : undefined;
  });
}

describe('controller behaviour over the API', () => {
  it('the fleet comes up Running with one Ready pod each', async () => {
    const pods = await until('fleet pods Ready', async () => {
      const list = await api.list<K8sObject>('v1', 'Pod', 'sei');
      const ready = list.items.filter((p) => ((p.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 2 ? list.items : undefined;
    });
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(['node-0-0', 'node-1-0']);
    const nodes = await api.list<K8sObject>('sei.io/v1alpha1', 'SeiNode', 'sei');
    expect(nodes.items.map((n) => n.status?.phase)).toEqual(['Running', 'Running']);
  });

  it('RestartPod created over the API with the live uid completes and the pod has a new uid', async () => {
    await createNode('restart-me');
    const before = (await read('Pod', 'restart-me-0')).metadata?.uid;
    await api.create(task('restart', 'RestartPod', 'restart-me', { podUID: before }));
    const done = await verdict('restart');
    expect(done.status).toMatchObject({ phase: 'Complete', observedGeneration: 1, task: { restartedPodUID: before } });
    expect(done.status?.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True', reason: 'TaskComplete', observedGeneration: 1 }));
    expect((await read('Pod', 'restart-me-0')).metadata?.uid).not.toBe(before);
  });

  it('DiscoverPeers on a node without peers fails with ParamsBuildFailed', async () => {
    await createNode('lonely');
    await api.create(task('discover', 'DiscoverPeers', 'lonely', {}));
    const done = await verdict('discover');
    expect(done.status?.conditions).toContainEqual(expect.objectContaining({ type: 'Failed', status: 'True', reason: 'ParamsBuildFailed' }));
  });

  it('UpdateNodeImage leaves spec.image owned by seinode-task-controller: an unforced apply of another image conflicts', async () => {
    await createNode('upgrade-me');
    await api.create(task('image', 'UpdateNodeImage', 'upgrade-me', { image: 'ghcr.io/sei-protocol/seid:v2' }));
    const done = await verdict('image');
    expect(done.status?.outputs).toEqual({ updateNodeImage: { appliedImage: 'ghcr.io/sei-protocol/seid:v2' } });
    const node = await read('SeiNode', 'upgrade-me');
    expect(node.spec?.image).toBe('ghcr.io/sei-protocol/seid:v2');
    const apply = {
      apiVersion: 'sei.io/v1alpha1',
      kind: 'SeiNode',
      metadata: { name: 'upgrade-me', namespace: 'sei' },
      spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v1', fullNode: {} },
    } as K8sObject;
    const conflict = await api.patch(apply, undefined, undefined, 'kubectl-sei', false, PatchStrategy.ServerSideApply).then(
      () => undefined,
      (error: { code?: number; body?: unknown }) => error,
    );
    expect(conflict?.code).toBe(409);
    expect(String(typeof conflict?.body === 'string' ? conflict.body : JSON.stringify(conflict?.body))).toContain('seinode-task-controller');
  });

  // upstream internal/controller/nodetask/controller.go:359-379 (204c1c0): no gov outputs at the
  // seed version (the latest version's proposal ids: test/integration/task-conformance.test.ts).
  it('GovSoftwareUpgrade on the seed controller completes and publishes no outputs', async () => {
    const upgrade = { chainId: 'sim-1', upgradeName: 'v2', upgradeHeight: 100, title: 't', description: 'd', initialDeposit: '10usei', fees: '2000usei', gas: 200000 };
    await api.create(task('prop-a', 'GovSoftwareUpgrade', 'node-0', upgrade));
    const a = await verdict('prop-a');
    await api.create(task('prop-b', 'GovSoftwareUpgrade', 'node-1', upgrade));
    const b = await verdict('prop-b');
    for (const t of [a, b]) {
      expect(t.status?.phase).toBe('Complete');
      expect(t.status?.outputs).toBeUndefined();
    }
  });
});
