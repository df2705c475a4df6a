/**
 * Watches against the sim through client-node's Watch: ordered events resumed from a
 * resourceVersion, selector transitions, bookmarks, the server-side timeout, and the apiserver's
 * 410 Expired ERROR event for a compacted resourceVersion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { kubeConfig } from '../support/sim-http.js';

interface Seen {
  type: string;
  name?: string;
  rv?: string;
  code?: number;
  reason?: string;
}

let sim: RunningSim;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
const ns = 'sei';

beforeAll(async () => {
  sim = await startSim({ controller: false, bookmarkIntervalMs: 100, historyLimit: 50 });
  kc = kubeConfig(sim);
  core = kc.makeApiClient(k8s.CoreV1Api);
});
afterAll(async () => {
  await sim?.stop();
});

/** Watches until `until` holds for the events seen (or the stream ends), then aborts. */
async function collect(path: string, query: Record<string, string | number | boolean>, act: () => Promise<void>, until: (seen: Seen[]) => boolean): Promise<{ seen: Seen[]; ended: boolean }> {
  const seen: Seen[] = [];
  let ended = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const check = () => {
    if (until(seen)) resolveDone();
  };
  const controller = await new k8s.Watch(kc).watch(
    path,
    query,
    (type, obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string }) => {
      seen.push({ type, name: obj?.metadata?.name, rv: obj?.metadata?.resourceVersion, code: obj?.code, reason: obj?.reason });
      check();
    },
    () => {
      ended = true;
      resolveDone();
    },
  );
  await act();
  check();
  await done;
  controller.abort();
  return { seen, ended };
}

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED in resourceVersion order after the listed version', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    const from = list.metadata!.resourceVersion!;
    const { seen } = await collect(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: from }, async () => {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w1' }, data: { a: '1' } } });
      await core.patchNamespacedConfigMap({ namespace: ns, name: 'w1', body: { data: { a: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ namespace: ns, name: 'w1' });
    }, (s) => s.some((e) => e.type === 'DELETED'));
    expect(seen.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
    const rvs = seen.map((e) => Number(e.rv));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(from));
  });

  it('replays history when resumed from an older resourceVersion', async () => {
    const before = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'replayed' } } });
    const { seen } = await collect(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: before }, async () => {}, (s) => s.length >= 1);
    expect(seen[0]).toMatchObject({ type: 'ADDED', name: 'replayed' });
  });

  it('starts with synthetic ADDED events for the current objects when no resourceVersion is given', async () => {
    const { seen } = await collect(`/api/v1/namespaces/${ns}/configmaps`, { fieldSelector: 'metadata.name=replayed' }, async () => {}, (s) => s.length >= 1);
    expect(seen).toEqual([expect.objectContaining({ type: 'ADDED', name: 'replayed' })]);
  });

  it('turns label changes into ADDED/DELETED for a selector watch', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'sel', labels: { pick: 'no' } } } });
    const from = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const { seen } = await collect(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: from, labelSelector: 'pick=yes' }, async () => {
      await core.patchNamespacedConfigMap({ namespace: ns, name: 'sel', body: { metadata: { labels: { pick: 'yes' } } } }, merge);
      await core.patchNamespacedConfigMap({ namespace: ns, name: 'sel', body: { data: { x: '1' } } }, merge);
      await core.patchNamespacedConfigMap({ namespace: ns, name: 'sel', body: { metadata: { labels: { pick: 'no' } } } }, merge);
    }, (s) => s.length >= 3);
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('sends BOOKMARK events carrying the current resourceVersion when allowed', async () => {
    const start = sim.store.currentResourceVersion();
    const { seen } = await collect(`/api/v1/namespaces/${ns}/configmaps`, { allowWatchBookmarks: true, resourceVersion: start }, async () => {}, (s) => s.some((e) => e.type === 'BOOKMARK'));
    const bookmark = seen.find((e) => e.type === 'BOOKMARK');
    expect(Number(bookmark?.rv)).toBeGreaterThanOrEqual(Number(start));
  });

  it('watches a resource across every namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'other' } } });
    const from = sim.store.currentResourceVersion();
    const { seen } = await collect('/api/v1/configmaps', { resourceVersion: from }, async () => {
      await core.createNamespacedConfigMap({ namespace: 'other', body: { metadata: { name: 'x-other' } } });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x-sei' } } });
    }, (s) => s.length >= 2);
    expect(seen.map((e) => e.name)).toEqual(['x-other', 'x-sei']);
  });

  it('ends the stream at timeoutSeconds, with no bookmarks unless allowed', async () => {
    const { ended, seen } = await collect(`/api/v1/namespaces/${ns}/configmaps`, { timeoutSeconds: 1, resourceVersion: sim.store.currentResourceVersion() }, async () => {}, () => false);
    expect(ended).toBe(true);
    expect(seen).toEqual([]);
  });

  it('answers a compacted resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const first = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    for (let i = 0; i < 60; i++) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `churn-${i}` } } });
    const { seen } = await collect(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: first }, async () => {}, (s) => s.length >= 1);
    expect(seen[0]).toMatchObject({ type: 'ERROR', code: 410, reason: 'Expired' });
  });
});
