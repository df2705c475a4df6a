/** `plan resume`: continue a stored run from the cluster alone. */
import { checkPlanId } from '../plan/naming.js';
import { requireRun, resolvePlanId } from '../plan/run-store.js';
import { catalogFor } from './plan-prepare.js';
import { resumeWith, type PlanOutcome, type RunOptions } from './plan-run.js';

export interface ResumeOptions extends RunOptions {
  planId: string;
  templatesDir?: string;
}

export async function resumePlan(options: ResumeOptions): Promise<PlanOutcome> {
  checkPlanId(options.planId, 'PLAN_ID');
  options = { ...options, planId: await resolvePlanId(options.client, options.planId, options.namespace ?? options.client.namespace) };
  const catalog = options.catalog ?? (await catalogFor(options.templatesDir));
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  return resumeWith(options, catalog, options.planId, namespace, stored);
}
