/** `plan status`: a run's verdict, recovered from its ConfigMap and its tasks' labels. */
import { append } from '../domain/arrays.js';
import type { Catalog } from '../catalog/types.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/index.js';
import { derive } from '../plan/derive.js';
import { loadPlan, loadPlanSource } from '../plan/load.js';
import { checkPlanId, planSelector } from '../plan/naming.js';
import { driverLive, requireRun, resolvePlanId } from '../plan/run-store.js';
import { kindLookup } from '../plan/tasks.js';
import type { PlanVerdict } from '../plan/types.js';
import { catalogFor, toRun } from './plan-prepare.js';
import { readStateFile } from './plan-state-file.js';

export async function planStatus(options: { client: ClusterClient; planId: string; namespace?: string; catalog?: Catalog; templatesDir?: string }): Promise<PlanVerdict> {
  checkPlanId(options.planId, 'PLAN_ID');
  options = { ...options, planId: await resolvePlanId(options.client, options.planId, options.namespace ?? options.client.namespace) };
  const catalog = options.catalog ?? (await catalogFor(options.templatesDir));
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  const kinds = kindLookup(catalog);
  const loaded = await loadPlanSource(stored.source, `ConfigMap sei-plan-${options.planId}`, kinds);
  const { planResources } = await import('../plan/executor.js');
  const objects: KubeObject[] = [];
  for (const resource of planResources(loaded.manifest.spec.steps.map((s) => s.kind), kinds)) {
    append(objects, (await options.client.list('sei.io/v1alpha1', resource, { namespace, labelSelector: planSelector(options.planId) })).items);
  }
  const nowMs = Date.now();
  const verdict = derive(toRun(options.planId, namespace, loaded, stored), objects, nowMs, kinds).verdict;
  const driven = driverLive(stored.driver, nowMs);
  if ((verdict.phase === 'Running' || verdict.phase === 'Pending') && driven !== undefined && stored.driver) {
    verdict.driver = { driven, lastSeen: stored.driver.lastSeen, resume: `kubectl sei plan resume ${options.planId} -n ${namespace}` };
  }
  return verdict;
}

export interface PlanRunSummary {
  planId: string;
  planName: string;
  namespace: string;
  /** NotDriven: unfinished, and no plan apply / resume has driven it for a while. */
  phase: PlanVerdict['phase'] | 'NotDriven' | 'Unknown';
  createdAt: string;
}

/** `plan list`: every recorded run in a namespace ('' = all), newest first, with its derived phase. */
export async function listRuns(client: ClusterClient, namespace: string): Promise<PlanRunSummary[]> {
  const list = await client.list('v1', 'ConfigMap', { namespace, labelSelector: 'sei.io/plan-id' });
  const summaries = await Promise.all(
    list.items.map(async (cm): Promise<PlanRunSummary> => {
      const planId = cm.metadata.labels?.['sei.io/plan-id'] ?? '';
      const ns = cm.metadata.namespace ?? namespace;
      const base = { planId, planName: cm.metadata.annotations?.['sei.io/plan-name'] ?? '', namespace: ns, createdAt: String((cm['data'] as Record<string, string> | undefined)?.['createdAt'] ?? cm.metadata.creationTimestamp ?? '') };
      try {
        const verdict = await planStatus({ client, planId, namespace: ns });
        return { ...base, phase: verdict.driver?.driven === false ? 'NotDriven' : verdict.phase };
      } catch {
        return { ...base, phase: 'Unknown' };
      }
    }),
  );
  return summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
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

export interface PlanRunRef {
  client: ClusterClient;
  planId?: string;
  /** --state-file: the plan id (and namespace) written by plan apply. */
  stateFile?: string;
  /** -f PLAN: the newest run of that plan in the namespace. */
  file?: string;
  namespace?: string;
}

/** Which run `plan status` shows: PLAN_ID, else the --state-file's, else the newest run of -f PLAN. */
export async function resolvePlanRun(ref: PlanRunRef): Promise<{ planId: string; namespace?: string }> {
  const { client } = ref;
  let planId = ref.planId;
  let namespace = ref.namespace;
  if (!planId && ref.stateFile) {
    const state = await readStateFile(ref.stateFile);
    planId = state.planId;
    namespace ??= state.namespace;
  }
  if (!planId && ref.file) {
    const loaded = await loadPlan(ref.file);
    namespace ??= loaded.manifest.metadata.namespace;
    [planId] = await runsOf(client, loaded.manifest.metadata.name, namespace ?? client.namespace);
    if (!planId) throw SeiError.invalid(`no run of plan ${loaded.manifest.metadata.name} in namespace ${namespace ?? client.namespace}`, [], ['start one: kubectl sei plan apply -f PLAN']);
  }
  if (!planId) throw SeiError.invalid('give a PLAN_ID, -f PLAN or --state-file FILE');
  return { planId, ...(namespace ? { namespace } : {}) };
}
