/**
 * `task wait --for=delete`: one watch until none of the named (or selected) SeiNodeTasks
 * exists, as kubectl wait --for=delete. Tasks already gone count as deleted at once. It never
 * writes to the cluster.
 */
import type { ClusterClient } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import { TASK_API_VERSION, TASK_KIND } from './preflight.js';

export interface WaitDeleteOptions {
  namespace: string;
  names?: readonly string[];
  labelSelector?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called once per task seen gone, in the order they went. */
  onDeleted?: (name: string) => void;
}

export type WaitDeleteOutcome = 'deleted' | 'timeout' | 'interrupted';

export async function waitForDeletion(client: ClusterClient, options: WaitDeleteOptions): Promise<{ outcome: WaitDeleteOutcome; remaining: string[] }> {
  const wanted = options.names && options.names.length > 0 ? new Set(options.names) : undefined;
  const present = new Set<string>();
  const stop = new AbortController();
  let outcome: WaitDeleteOutcome = 'deleted';
  let synced = false;
  const timer = options.timeoutMs >= 0 ? setTimeout(() => ((outcome = 'timeout'), stop.abort()), options.timeoutMs) : undefined;
  const onAbort = (): void => ((outcome = 'interrupted'), stop.abort());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const done = (): 'stop' | void => {
    if (synced && present.size === 0) return 'stop';
  };
  try {
    await client.watch({
      apiVersion: TASK_API_VERSION,
      kind: TASK_KIND,
      namespace: options.namespace,
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      signal: stop.signal,
      onEvent: (event) => {
        const name = event.object.metadata.name ?? '';
        if (event.type === 'BOOKMARK' || (wanted && !wanted.has(name))) return;
        if (event.type === 'DELETED') {
          if (present.delete(name)) options.onDeleted?.(name);
        } else present.add(name);
        return done();
      },
      onSynced: () => {
        synced = true;
        if (wanted) for (const name of wanted) if (!present.has(name)) options.onDeleted?.(name);
        return done();
      },
    });
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (present.size === 0 && synced) outcome = 'deleted';
  return { outcome, remaining: [...present].sort() };
}

export function deletionError(outcome: WaitDeleteOutcome, remaining: readonly string[], namespace: string): SeiError | undefined {
  if (outcome === 'deleted') return undefined;
  return SeiError.timeout(`timed out waiting for the deletion of ${remaining.map((n) => `seinodetasks.sei.io/${n}`).join(', ')} in namespace "${namespace}"`, [
    `see what holds them: kubectl sei task describe ${remaining[0] ?? 'NAME'} -n ${namespace}`,
  ]);
}
