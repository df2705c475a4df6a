/**
 * The one test cluster: the project's simulated cluster started in this process on
 * 127.0.0.1:0 (real HTTPS, real watch streams), its kubeconfig in a temp directory, a connected
 * client, and event-driven waits until the seeded fleet is up (one watch, never a sleep loop).
 * simFixture, startTestCluster and startPlanCluster are the three fleets the tests use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { connect } from '../../src/cluster/index.js';
import { startSim, type RunningSim, type SimOptions } from '../../src/sim/index.js';
import { NS, testFleet } from './builders.js';
import { watchUntil } from './watch-until.js';

export { NS } from './builders.js';

export interface TestCluster {
  sim: RunningSim;
  client: ClusterClient;
  kubeconfig: string;
  dir: string;
  /** Stops the sim and removes the temp directory. */
  stop(): Promise<void>;
}

/** Starts the sim with `options`, writes its kubeconfig, connects, then waits for `ready`. */
export async function startCluster(options: SimOptions, ready?: (client: ClusterClient) => Promise<void>): Promise<TestCluster> {
  const sim = await startSim(options);
  const dir = mkdtempSync(join(tmpdir(), 'sei-test-cluster-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  const client = await connect({ kubeconfig });
  if (ready) await ready(client);
  return {
    sim,
    client,
    kubeconfig,
    dir,
    async stop() {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The cluster-* and watch-* tests: the sim's own fleet of 3 (or `options`). */
export type SimFixture = TestCluster;
export function simFixture(options: SimOptions = {}): Promise<SimFixture> {
  return startCluster({ fleet: 3, ...options });
}

/** The task tests: one SeiNode per behaviour under test (builders.testFleet), pods Ready. */
export function startTestCluster(options: SimOptions = {}): Promise<TestCluster> {
  return startCluster({ namespace: NS, seedObjects: testFleet(), ...options }, (client) => waitForPods(client, ['node-0', 'node-1', 'node-2', 'flaky', 'multi']));
}

/** The plan tests: a labelled fleet (builders.planFleet), every node Running. */
export type PlanCluster = TestCluster;
export function startPlanCluster(fleet: KubeObject[], options: SimOptions = {}): Promise<PlanCluster> {
  return startCluster({ namespace: NS, seedObjects: fleet, ...options }, (client) => waitForRunning(client, fleet.length));
}

/** Event-driven: one pod watch until every named node's pod NODE-0 is Ready. */
export async function waitForPods(client: ClusterClient, nodes: string[]): Promise<void> {
  const want = new Set(nodes.map((n) => `${n}-0`));
  const ready = new Set<string>();
  await watchUntil(client, { apiVersion: 'v1', kind: 'Pod', namespace: NS, timeoutMs: 20_000 }, (object) => {
    const name = object.metadata.name ?? '';
    const conditions = ((object['status'] as Record<string, unknown> | undefined)?.['conditions'] ?? []) as Array<{ type: string; status: string }>;
    if (want.has(name) && conditions.some((c) => c.type === 'Ready' && c.status === 'True')) ready.add(name);
    return ready.size === want.size;
  });
  if (ready.size !== want.size) throw new Error(`pods not Ready: ${[...want].filter((p) => !ready.has(p)).join(', ')}`);
}

export async function taskNames(client: ClusterClient): Promise<string[]> {
  const list = await client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace: NS });
  return list.items.map((t) => t.metadata.name ?? '').sort();
}

export async function podUid(client: ClusterClient, node: string): Promise<string | undefined> {
  return (await client.get({ apiVersion: 'v1', kind: 'Pod', name: `${node}-0`, namespace: NS }))?.metadata.uid;
}

/** Event-driven: one SeiNode watch until `count` nodes are Running (gives up quietly after 30 s). */
export async function waitForRunning(client: ClusterClient, count: number): Promise<void> {
  const running = new Set<string>();
  await watchUntil(client, { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', namespace: NS, timeoutMs: 30_000 }, (object) => {
    const phase = ((object['status'] ?? {}) as { phase?: string }).phase;
    if (phase === 'Running') running.add(object.metadata.name ?? '');
    else running.delete(object.metadata.name ?? '');
    return running.size >= count;
  });
}

export async function planTasks(client: ClusterClient, planId: string): Promise<KubeObject[]> {
  return (await client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace: NS, labelSelector: `sei.io/plan-id=${planId}` })).items;
}
