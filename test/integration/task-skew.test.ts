// Version skew between the plugin's ten kinds and the CRD a cluster actually serves
// (ecosystem.md §0): a clear refusal with the replacement instead of a raw 422, and a
// missing CRD as a cluster error (exit 4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearServedCrdCache } from '../../src/cluster/index.js';
import { silentProgress } from '../../src/output/progress.js';
import { runTask } from '../../src/services/run-task.js';
import { NS } from '../support/builders.js';
import { podUid, startTestCluster, taskNames, type TestCluster } from '../support/cluster.js';
import { refusal } from '../support/refusal.js';

let latest: TestCluster;
let seed: TestCluster;

beforeAll(async () => {
  [latest, seed] = await Promise.all([startTestCluster({ crd: 'latest' }), startTestCluster({ crd: 'seed' })]);
});

afterAll(async () => {
  await Promise.all([latest?.sim.stop(), seed?.sim.stop()]);
});

function run(cluster: TestCluster, kind: string, node: string) {
  return runTask({ client: cluster.client, render: { kind, node, namespace: NS }, wait: true, progress: silentProgress() });
}

describe('kinds the served CRD does not have', () => {
  it.each([
    ['restart-pod on a later-API cluster points to restart-seid', () => latest, 'restart-pod', ['RestartSeid', 'inside the running pod'], 'kubectl sei task restart-seid NODE'],
    ['discover-peers on a later-API cluster explains it was retired', () => latest, 'discover-peers', ['retired'], 'this cluster serves:'],
    ['restart-seid on a seed-era cluster points to restart-pod', () => seed, 'restart-seid', ['seed-era'], 'kubectl sei task restart-pod NODE'],
    ['mark-ready on a seed-era cluster says it needs the later API', () => seed, 'mark-ready', ['later controller API'], 'this cluster serves:'],
  ])('%s (exit 2, nothing written)', async (_scenario, which, kind, messageParts, hint) => {
    const cluster = which();
    const before = await taskNames(cluster.client);
    const error = await refusal(run(cluster, kind, 'node-0'));
    expect(error.exitCode).toBe(2);
    expect(error.reason).toBe('KindNotServed');
    for (const part of messageParts) expect(error.message).toContain(part);
    expect(error.hints.join('\n')).toContain(hint);
    expect(await taskNames(cluster.client)).toEqual(before);
  });
});

describe('the later API paved roads', () => {
  it('restart-seid completes and keeps the pod uid (in-place restart)', async () => {
    const before = await podUid(latest.client, 'node-1');
    const result = await run(latest, 'restart-seid', 'node-1');
    expect(result.verdict?.outcome).toBe('Complete');
    expect(await podUid(latest.client, 'node-1')).toBe(before);
  });

  it('mark-ready completes', async () => {
    const result = await run(latest, 'mark-ready', 'node-2');
    expect(result.verdict?.outcome).toBe('Complete');
  });
});

describe('CRD not installed', () => {
  it('is a cluster error (exit 4, reason NotFound) with a hint', async () => {
    seed.sim.store.delete('customresourcedefinitions', undefined, 'seinodetasks.sei.io');
    clearServedCrdCache();
    const error = await refusal(run(seed, 'restart-pod', 'node-0'));
    expect(error.exitCode).toBe(4);
    expect(error.reason).toBe('NotFound');
    expect(error.message).toContain('not installed');
    expect(error.hints.join('\n')).toContain('kubectl get crd seinodetasks.sei.io');
  });
});
