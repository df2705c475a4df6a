/** `plan cancel`: mark the stored run cancelled; in-flight tasks finish on their own. */
import type { ClusterClient } from '../cluster/types.js';
import { checkPlanId, planSelector } from '../plan/naming.js';
import { mergeRun, requireRun, updateRun } from '../plan/run-store.js';

export async function cancelPlan(options: { client: ClusterClient; planId: string; namespace?: string }): Promise<{ inFlight: string[]; alreadyCancelled: boolean }> {
  checkPlanId(options.planId, 'PLAN_ID');
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  const tasks = await options.client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace, labelSelector: planSelector(options.planId) });
  const inFlight = tasks.items.filter((t) => !['Complete', 'Failed'].includes(String(((t['status'] ?? {}) as { phase?: string }).phase ?? ''))).map((t) => t.metadata.name ?? '');
  if (stored.cancelled) return { inFlight, alreadyCancelled: true };
  // A merge guarded by resourceVersion: a running executor's record write cannot undo it.
  await updateRun(options.client, options.planId, namespace, (current) => mergeRun(current, { cancelled: true }));
  return { inFlight, alreadyCancelled: false };
}
