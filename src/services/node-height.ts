/**
 * A node's current block height, for the progress of tasks that wait for one (await-height,
 * await-condition). The controller publishes none (see output/task-view.ts targetHeight), so it
 * is read where the sidecar reads it: the node's Tendermint RPC /status (port 26657), through
 * the apiserver's pod proxy as `kubectl get --raw` would. Best effort and read-only: without
 * pods/proxy permission or a Ready pod the progress says "?" and the verdict is unaffected.
 * Polled (a height is not a Kubernetes object, nothing can be watched) every HEIGHT_POLL_MS.
 */
import type { ClusterClient } from '../cluster/types.js';
import { sleep } from '../cluster/transport.js';

/** The Tendermint / CometBFT RPC port (upstream api/v1alpha1/seinetwork_types.go:344, 2d670ad). */
export const RPC_PORT = 26657;

/** Often enough for a person watching a chain of ~0.4 s blocks, rare enough to cost nothing. */
export const HEIGHT_POLL_MS = 5_000;

/** sync_info.latest_block_height of a Tendermint /status answer (a string of digits, as Tendermint sends int64). */
export function latestHeight(answer: unknown): number | undefined {
  const result = (answer as { result?: { sync_info?: { latest_block_height?: unknown } } } | undefined)?.result;
  const value = result?.sync_info?.latest_block_height;
  const text = typeof value === 'number' ? String(value) : value;
  return typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Reads the height of SeiNode `node` (its pod `<node>-0`) now and every HEIGHT_POLL_MS until `signal` aborts. */
export async function pollNodeHeight(client: ClusterClient, namespace: string, node: string, onHeight: (height: number) => void, signal: AbortSignal, intervalMs = HEIGHT_POLL_MS): Promise<void> {
  while (!signal.aborted) {
    try {
      const height = latestHeight(await client.podProxyGet(namespace, `${node}-0`, RPC_PORT, 'status', signal));
      if (height !== undefined && !signal.aborted) onHeight(height);
    } catch {
      // Narration only: an unreachable pod or API error leaves the last height shown.
    }
    await sleep(intervalMs, signal);
  }
}
