// Shared set-up for the plan integration tests: a real simulated cluster over HTTP on port 0
// with a labelled fleet (sei.io/chain) whose behaviour comes from the sim's knobs, not mocks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { startSim, type RunningSim, type SimOptions } from '../../src/sim/index.js';
import { connect } from '../../src/cluster/index.js';
import { watchUntil } from '../support/watch-until.js';

export const NS = 'sei';
export const CHAIN = 'arctic-1';

export interface NodeShape {
  peers?: boolean;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}

export function fleetNode(name: string, shape: NodeShape = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: {
      name,
      namespace: NS,
      labels: { 'sei.io/chain': CHAIN, ...(shape.labels ?? {}) },
      annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.05', 'sim.sei.io/block-time-ms': '5', ...(shape.annotations ?? {}) },
    },
    spec: {
      chainId: CHAIN,
      image: 'ghcr.io/sei-protocol/seid:v6.0.0',
      fullNode: {},
      ...(shape.peers === false ? {} : { peers: [{ static: { addresses: [`0000000000000000000000000000000000000000@${name}-peer.${NS}.svc:26656`] } }] }),
    },
  };
}

/** `count` nodes node-00 … with per-node overrides. */
export function planFleet(count: number, overrides: Record<string, NodeShape> = {}): KubeObject[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `node-${String(i).padStart(2, '0')}`;
    return fleetNode(name, overrides[name] ?? {});
  });
}

export interface PlanCluster {
  sim: RunningSim;
  client: ClusterClient;
  kubeconfig: string;
  dir: string;
}

export async function startPlanCluster(fleet: KubeObject[], options: SimOptions = {}): Promise<PlanCluster> {
  const sim = await startSim({ namespace: NS, seedObjects: fleet, ...options });
  const dir = mkdtempSync(join(tmpdir(), 'sei-plan-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  const client = await connect({ kubeconfig });
  await waitForRunning(client, fleet.length);
  return { sim, client, kubeconfig, dir };
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
