/** `plan apply`: first apply mints the plan id and writes the record; an existing record is resumed. */
import { randomUUID } from 'node:crypto';
import { SeiError } from '../errors/index.js';
import { readRun, writeRun, type StoredRun } from '../plan/run-store.js';
import type { PlanSource } from '../plan/types.js';
import { catalogFor, namespaceOf, preparePlan, toRun } from './plan-prepare.js';
import { renderPlan } from './plan-render.js';
import { resumeWith, runExecutor, type PlanOutcome, type RunOptions } from './plan-run.js';

export type { PlanOutcome, RunOptions } from './plan-run.js';

export interface ApplyPlanOptions extends RunOptions, PlanSource {
  planId?: string;
  /** Called once the plan id is known (before any task is written). */
  onPlanId?: (planId: string, resumed: boolean) => void;
}

/** First apply mints the plan id and writes the record; an existing record is resumed. */
export async function applyPlan(options: ApplyPlanOptions): Promise<PlanOutcome> {
  const catalog = options.catalog ?? (await catalogFor(options.templatesDir));
  const prepared = await preparePlan(options, catalog);
  const namespace = namespaceOf(prepared.loaded, options.client, options.namespace);
  if (options.planId !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(options.planId)) {
    throw SeiError.invalid(`--plan-id ${options.planId} is not a UUID`, [{ field: '--plan-id', type: 'FieldValueInvalid', message: 'must be a lowercase UUID such as 3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c' }]);
  }
  if (options.planId) {
    const existing = await readRun(options.client, options.planId, namespace);
    if (existing) {
      if (existing.planName && existing.planName !== prepared.loaded.manifest.metadata.name) {
        throw SeiError.invalid(`plan run ${options.planId} is a run of plan ${existing.planName}, not ${prepared.loaded.manifest.metadata.name}`, [], [
          `continue it: kubectl sei plan resume ${options.planId} -n ${namespace}`,
          'or start a new run: omit --plan-id',
        ]);
      }
      options.onPlanId?.(options.planId, true);
      return resumeWith(options, catalog, options.planId, namespace, existing);
    }
  }
  const planId = options.planId ?? randomUUID();
  // Everything knowable ahead of the run is rendered and validated before the first write.
  const rendered = await renderPlan({ ...options, planId, namespace, catalog, client: options.client });
  const stored: StoredRun = { source: prepared.loaded.source, inputs: prepared.inputs, approvals: {}, items: {}, cancelled: false, planName: prepared.loaded.manifest.metadata.name, createdAt: new Date().toISOString() };
  await writeRun(options.client, planId, namespace, stored);
  options.onPlanId?.(planId, false);
  const prevalidated = new Map(rendered.objects.map((o) => [o.metadata.name ?? '', o]));
  const verdict = await runExecutor(options, catalog, toRun(planId, namespace, prepared.loaded, stored), stored, prevalidated);
  return { verdict, resumed: false };
}
