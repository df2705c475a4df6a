// Shared set-up for the task integration tests: a real simulated cluster over HTTP on port 0,
// its kubeconfig in a temp file, and SeiNodes shaped by the sim's knobs (not mocks).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/cluster/types.js';
import { startSim, type RunningSim, type SimOptions } from '../../src/sim/index.js';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient } from '../../src/cluster/types.js';
import { watchUntil } from '../support/watch-until.js';

export const NS = 'sei';

export function seiNode(name: string, options: { annotations?: Record<string, string>; peers?: unknown[] | null; labels?: Record<string, string> } = {}): KubeObject {
  const peers = options.peers === null ? undefined : (options.peers ?? [{ static: { addresses: [`0000000000000000000000000000000000000000@${name}-peer.${NS}.svc:26656`] } }]);
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: {
      name,
      namespace: NS,
      labels: { 'sei.io/chain-id': 'sim-1', ...(options.labels ?? {}) },
      annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.05', 'sim.sei.io/block-time-ms': '5', ...(options.annotations ?? {}) },
    },
    spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {}, ...(peers ? { peers } : {}) },
  };
}

/** The standard test fleet: one node per behaviour under test. */
export function testFleet(): KubeObject[] {
  return [
    seiNode('node-0'),
    seiNode('node-1'),
    seiNode('node-2'),
    seiNode('lonely', { peers: null }),
    seiNode('labelled', { peers: [{ label: { selector: { 'sei.io/role': 'nobody' } } }] }),
    seiNode('stuck', { annotations: { 'sim.sei.io/pod-never-ready': 'true' } }),
    seiNode('flaky', { annotations: { 'sim.sei.io/fail-kinds': 'RestartPod,DiscoverPeers,GovVote' } }),
    seiNode('multi', { annotations: { 'sim.sei.io/replicas': '2' } }),
    seiNode('booting', { annotations: { 'sim.sei.io/phase': 'Initializing' } }),
    // Slow enough for a spinner to be seen drawing frames.
    seiNode('slow', { annotations: { 'sim.sei.io/pod-ready-after-seconds': '1.5' } }),
  ];
}

export interface TestCluster {
  sim: RunningSim;
  client: ClusterClient;
  kubeconfig: string;
  dir: string;
}

export async function startTestCluster(options: SimOptions = {}): Promise<TestCluster> {
  const sim = await startSim({ namespace: NS, seedObjects: testFleet(), ...options });
  const dir = mkdtempSync(join(tmpdir(), 'sei-task-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  const client = await connect({ kubeconfig });
  await waitForPods(client, ['node-0', 'node-1', 'node-2', 'flaky', 'multi']);
  return { sim, client, kubeconfig, dir };
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
