/** `plan cancel`: mark the stored run cancelled; in-flight tasks finish on their own. */
import { append } from '../domain/arrays.js';
import type { ClusterClient } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import { checkPlanId, planSelector } from '../plan/naming.js';
import { mergeRun, requireRun, resolvePlanId, updateRun } from '../plan/run-store.js';

export async function cancelPlan(options: { client: ClusterClient; planId: string; namespace?: string }): Promise<{ inFlight: string[]; alreadyCancelled: boolean }> {
  checkPlanId(options.planId, 'PLAN_ID');
  options = { ...options, planId: await resolvePlanId(options.client, options.planId, options.namespace ?? options.client.namespace) };
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  const tasks = await options.client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace, labelSelector: planSelector(options.planId) });
  // Workflow steps create SeiNodeTaskWorkflows (where the cluster serves them): in flight too.
  if (await options.client.servedCrd('seinodetaskworkflows.sei.io')) {
    append(tasks.items, (await options.client.list('sei.io/v1alpha1', 'SeiNodeTaskWorkflow', { namespace, labelSelector: planSelector(options.planId) })).items);
  }
  const inFlight = tasks.items.filter((t) => !['Complete', 'Failed'].includes(String(((t['status'] ?? {}) as { phase?: string }).phase ?? ''))).map((t) => t.metadata.name ?? '');
  if (stored.cancelled) return { inFlight, alreadyCancelled: true };
  // A finished run has nothing left to launch: marking it cancelled would only rewrite history.
  const { planStatus } = await import('./plan-status.js');
  const { phase } = await planStatus({ client: options.client, planId: options.planId, namespace });
  if (phase === 'Complete' || phase === 'Failed') {
    throw SeiError.invalid(`plan run ${options.planId} already finished (${phase}): there is nothing to cancel; nothing was written`, [], [`see it: kubectl sei plan status ${options.planId} -n ${namespace}`]);
  }
  // A merge guarded by resourceVersion: a running executor's record write cannot undo it.
  await updateRun(options.client, options.planId, namespace, (current) => mergeRun(current, { cancelled: true }));
  return { inFlight, alreadyCancelled: false };
}
