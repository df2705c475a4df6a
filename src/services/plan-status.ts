/** `plan status`: a run's verdict, recovered from its ConfigMap and its tasks' labels. */
import type { Catalog } from '../catalog/types.js';
import type { ClusterClient } from '../cluster/types.js';
import { derive } from '../plan/derive.js';
import { loadPlanSource } from '../plan/load.js';
import { planSelector } from '../plan/naming.js';
import { requireRun } from '../plan/run-store.js';
import { kindLookup } from '../plan/tasks.js';
import type { PlanVerdict } from '../plan/types.js';
import { catalogFor, toRun } from './plan-prepare.js';

export async function planStatus(options: { client: ClusterClient; planId: string; namespace?: string; catalog?: Catalog; templatesDir?: string }): Promise<PlanVerdict> {
  const catalog = options.catalog ?? (await catalogFor(options.templatesDir));
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  const kinds = kindLookup(catalog);
  const loaded = await loadPlanSource(stored.source, `ConfigMap sei-plan-${options.planId}`, kinds);
  const tasks = await options.client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace, labelSelector: planSelector(options.planId) });
  return derive(toRun(options.planId, namespace, loaded, stored), tasks.items, Date.now(), kinds).verdict;
}

/** Plan ids of runs of this plan name in the namespace, newest first (status -f PLAN). */
export async function runsOf(client: ClusterClient, planName: string, namespace: string): Promise<string[]> {
  const list = await client.list('v1', 'ConfigMap', { namespace, labelSelector: 'sei.io/plan-id' });
  return list.items
    .filter((cm) => cm.metadata.annotations?.['sei.io/plan-name'] === planName)
    .sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')) || String((b['data'] as Record<string, string>)?.['createdAt'] ?? '').localeCompare(String((a['data'] as Record<string, string>)?.['createdAt'] ?? '')))
    .map((cm) => cm.metadata.labels?.['sei.io/plan-id'] ?? '')
    .filter(Boolean);
}
