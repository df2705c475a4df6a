/**
 * The apiserver's pod proxy (GET /api/v1/namespaces/NS/pods/NAME:PORT/proxy/PATH) for the one
 * endpoint an operator reads through it: the node's Tendermint RPC /status on 26657, whose
 * sync_info.latest_block_height is the node's current height (the controller publishes none:
 * the sidecar polls this same endpoint for AwaitNodesAtHeight, upstream
 * api/v1alpha1/seinodetask_types.go:406 (2d670ad)). The height is the sim's chain height.
 * A pod that is missing, not Ready or not a node's answers as the apiserver's proxy does.
 */
import type { SimStore } from '../types.js';
import { Errors } from './status.js';
import { NODE_LABEL, podIsReady, simulatedHeight } from '../controller/nodes.js';

/** The Tendermint / CometBFT RPC port (upstream api/v1alpha1/seinetwork_types.go:344). */
export const RPC_PORT = '26657';

export interface PodProxyRequest {
  namespace: string;
  pod: string;
  port: string | undefined;
  path: string;
}

export function podProxy(store: SimStore, request: PodProxyRequest, now: number): unknown {
  const pod = store.get('pods', request.namespace, request.pod);
  if (!pod) throw Errors.notFound('pods', '', request.pod);
  const nodeName = pod.metadata.labels?.[NODE_LABEL];
  const node = nodeName ? store.get('seinodes', request.namespace, nodeName) : undefined;
  // The apiserver answers 503 when the pod's port does not accept the connection.
  const refused = () => Errors.unavailable(`error trying to reach service: dial tcp ${request.pod}:${request.port ?? '80'}: connect: connection refused`);
  if (!node || (request.port ?? '80') !== RPC_PORT || !podIsReady(pod)) throw refused();
  if (request.path !== 'status') throw Errors.pathNotFound();
  const height = simulatedHeight(node, now);
  return { jsonrpc: '2.0', id: -1, result: { node_info: { network: String((node['spec'] as { chainId?: unknown } | undefined)?.chainId ?? '') }, sync_info: { latest_block_height: String(height), catching_up: false } } };
}
