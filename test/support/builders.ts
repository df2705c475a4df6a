/**
 * The one set of object builders for tests: SeiNodes shaped by the sim's knobs (annotations, not
 * mocks), the standard fleets, and SeiNodeTasks shaped like the renderer's output.
 */
import type { KubeObject } from '../../src/cluster/types.js';

export const NS = 'sei';
export const CHAIN = 'arctic-1';

/** A SeiNode for the task tests: static peers unless `peers` says otherwise (null: none). */
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

/** A SeiNode of chain sim-1 with static peers in any namespace, knobs as annotations (cluster and watch tests). */
export function simNode(name: string, namespace = 'sei', annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name, namespace, annotations },
    spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {}, peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@peer:26656'] } }] },
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

/** A task that stays Running for as long as any test lasts. */
export function awaitHeightTask(name: string, node: string, targetHeight = 1_000_000_000_000, namespace = 'sei', labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name, namespace, labels },
    spec: { kind: 'AwaitNodesAtHeight', target: { nodeRef: { name: node } }, awaitNodesAtHeight: { targetHeight } },
  };
}

export function task(name: string, kind: string, node: string, payload: Record<string, unknown>, plan?: { id: string; step: string; order: number; index?: number }): KubeObject {
  const field = kind.charAt(0).toLowerCase() + kind.slice(1);
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: {
      name,
      namespace: 'arctic-1',
      labels: {
        'app.kubernetes.io/managed-by': 'kubectl-sei',
        'sei.io/node': node,
        'sei.io/task-kind': kind,
        ...(plan ? { 'sei.io/plan-id': plan.id, 'sei.io/plan-step': plan.step, 'sei.io/plan-index': String(plan.index ?? 0) } : {}),
      },
      ...(plan ? { annotations: { 'sei.io/plan-step-order': String(plan.order), 'sei.io/plan-name': 'refresh-peers' } } : {}),
    },
    spec: { kind, target: { nodeRef: { name: node } }, [field]: payload },
  };
}

/** A two-step refresh-peers plan over two nodes: DiscoverPeers then RestartPod. */
export function refreshPeersPlan(id = 'rp-7f3a'): KubeObject[] {
  return [
    task(`${id}-discover-node-0`, 'DiscoverPeers', 'node-0', {}, { id, step: 'discover', order: 0, index: 0 }),
    task(`${id}-discover-node-1`, 'DiscoverPeers', 'node-1', {}, { id, step: 'discover', order: 0, index: 1 }),
    task(`${id}-restart-node-0`, 'RestartPod', 'node-0', { podUID: '11111111-2222-3333-4444-555555555555' }, { id, step: 'restart', order: 1, index: 0 }),
    task(`${id}-restart-node-1`, 'RestartPod', 'node-1', { podUID: '66666666-7777-8888-9999-000000000000' }, { id, step: 'restart', order: 1, index: 1 }),
  ];
}
