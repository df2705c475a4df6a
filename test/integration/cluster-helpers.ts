// Shared set-up for the cluster-* and watch-* integration tests: a real sim in-process on
// 127.0.0.1:0, its kubeconfig in a temp file, and SeiNodeTask manifests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSim, type RunningSim, type SimOptions } from '../../src/sim/index.js';
import type { KubeObject } from '../../src/cluster/types.js';

export interface SimFixture {
  sim: RunningSim;
  kubeconfig: string;
  stop(): Promise<void>;
}

export async function simFixture(options: SimOptions = {}): Promise<SimFixture> {
  const sim = await startSim({ fleet: 3, ...options });
  const dir = mkdtempSync(path.join(tmpdir(), 'cluster-it-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  return {
    sim,
    kubeconfig,
    async stop() {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function discoverPeersTask(name: string, node: string, namespace = 'sei', labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'kubectl-sei', ...labels } },
    spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: node } }, discoverPeers: {} },
  };
}

export function seiNode(name: string, namespace = 'sei', annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name, namespace, annotations },
    spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {}, peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@peer:26656'] } }] },
  };
}

/** A task that stays Running for as long as any test lasts. */
export function awaitHeightTask(name: string, node: string, targetHeight = 1_000_000_000_000, namespace = 'sei', labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name, namespace, labels },
    spec: { kind: 'AwaitNodesAtHeight', target: { nodeRef: { name: node } }, awaitNodesAtHeight: { targetHeight } },
  };
}

/** A server-side apply by another field manager, straight over HTTPS (not through our client). */
export async function applyAs(fixture: SimFixture, manager: string, object: KubeObject): Promise<number> {
  const { request } = await import('node:https');
  const url = new URL(`/apis/sei.io/v1alpha1/namespaces/${object.metadata.namespace}/seinodetasks/${object.metadata.name}?fieldManager=${manager}`, fixture.sim.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PATCH', ca: fixture.sim.caPem, headers: { authorization: `Bearer ${fixture.sim.token}`, 'content-type': 'application/apply-patch+yaml' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(object));
  });
}
