/** `plan cancel`: mark the stored run cancelled; in-flight tasks finish on their own. */
import type { ClusterClient } from '../cluster/types.js';
import { planSelector } from '../plan/naming.js';
import { requireRun, writeRun } from '../plan/run-store.js';

export async function cancelPlan(options: { client: ClusterClient; planId: string; namespace?: string }): Promise<{ inFlight: string[]; alreadyCancelled: boolean }> {
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  const tasks = await options.client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace, labelSelector: planSelector(options.planId) });
  const inFlight = tasks.items.filter((t) => !['Complete', 'Failed'].includes(String(((t['status'] ?? {}) as { phase?: string }).phase ?? ''))).map((t) => t.metadata.name ?? '');
  if (stored.cancelled) return { inFlight, alreadyCancelled: true };
  stored.cancelled = true;
  await writeRun(options.client, options.planId, namespace, stored);
  return { inFlight, alreadyCancelled: false };
}
