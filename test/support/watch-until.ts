import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';

/**
 * Event-driven wait: one watch of `kind` in `namespace` until `done(object)` (fed every object,
 * listed then changed) says so. Resolves true when it did, false when `timeoutMs` passed first.
 */
export async function watchUntil(
  client: ClusterClient,
  request: { apiVersion: string; kind: string; namespace: string; timeoutMs: number },
  done: (object: KubeObject) => boolean,
): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), request.timeoutMs);
  let reached = false;
  try {
    await client.watch({
      apiVersion: request.apiVersion,
      kind: request.kind,
      namespace: request.namespace,
      signal: abort.signal,
      onEvent: ({ object }) => {
        reached = done(object);
        return reached ? 'stop' : undefined;
      },
    });
  } finally {
    clearTimeout(timer);
  }
  return reached;
}
