/** `plan apply`: first apply mints the plan id and writes the record; an existing record is resumed. */
import { randomUUID } from 'node:crypto';
import { SeiError } from '../errors/index.js';
import { checkPlanId, taskName } from '../plan/naming.js';
import { checkRecordSize, createRun, heartbeatIntervalSeconds, readRun, toConfigMap, type StoredRun } from '../plan/run-store.js';
import type { PlanSource } from '../plan/types.js';
import { afterRecordWritten, catalogFor, namespaceOf, preparePlan, requireServedStepKinds, toRun } from './plan-prepare.js';
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
  checkPlanId(options.planId);
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
  // A step kind the cluster's CRD does not serve would be refused at its first task: refuse now.
  await requireServedStepKinds(prepared, options.client);
  // Everything knowable ahead of the run is rendered and validated before the first write.
  const rendered = await renderPlan({ ...options, planId, namespace, catalog, client: options.client });
  const shape = options.maxParallel !== undefined && options.maxParallel > 0 ? { maxParallel: options.maxParallel } : {};
  const createdAt = new Date().toISOString();
  const stored: StoredRun = { source: prepared.loaded.source, inputs: prepared.inputs, shape, approvals: {}, items: {}, verdicts: {}, cancelled: false, planName: prepared.loaded.manifest.metadata.name, createdAt, driver: { lastSeen: createdAt, intervalSeconds: heartbeatIntervalSeconds() } };
  // The record must still fit once every known item is resolved and decided: refuse now, before
  // anything is written, rather than leave a run that can never record its progress.
  const decidedLater = Object.fromEntries(Object.entries(rendered.items).map(([step, items]) => [step, Object.fromEntries(items.map((i) => [String(i.index), { state: 'succeeded' as const, attempts: 1, task: taskName(stored.planName, planId, step, i.index) }]))]));
  checkRecordSize(planId, toConfigMap(planId, namespace, { ...stored, items: rendered.items, verdicts: decidedLater }));
  await createRun(options.client, planId, namespace, stored);
  options.onPlanId?.(planId, false);
  const prevalidated = new Map(rendered.objects.map((o) => [o.metadata.name ?? '', o]));
  try {
    const verdict = await runExecutor(options, catalog, toRun(planId, namespace, prepared.loaded, stored), stored, prevalidated);
    return { verdict, resumed: false };
  } catch (error) {
    throw afterRecordWritten(error, planId, namespace);
  }
}
