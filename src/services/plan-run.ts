/** Running a plan (apply and resume share it): the executor with validation and late values. */
import type { Catalog } from '../catalog/types.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/index.js';
import type { Derived, PlanRun } from '../plan/derive.js';
import type { PlanEvent } from '../plan/executor.js';
import { loadPlanSource } from '../plan/load.js';
import { updateRun, type StoredRun } from '../plan/run-store.js';
import { kindLookup } from '../plan/tasks.js';
import type { PlanVerdict } from '../plan/types.js';
import { afterRecordWritten, toRun } from './plan-prepare.js';

export interface RunOptions {
  client: ClusterClient;
  catalog?: Catalog;
  maxParallel?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: PlanEvent) => void;
  onState?: (derived: Derived) => void;
  namespace?: string;
}

export interface PlanOutcome {
  verdict: PlanVerdict;
  resumed: boolean;
}

/** Late values (the catalog's `late` resolvers, e.g. RestartPod's pod uid), read right before each task is created. */
async function lateValuesFor(client: ClusterClient, namespace: string, catalog: Catalog): Promise<(kind: string, node: string) => Promise<Record<string, unknown> | undefined>> {
  const { readLateValues } = await import('./kind-behaviour.js');
  return (kind, node) => readLateValues(client, catalog.find(kind), node, namespace);
}

export async function runExecutor(options: RunOptions, catalog: Catalog, run: PlanRun, stored: StoredRun, prevalidated?: Map<string, KubeObject>): Promise<PlanVerdict> {
  const { executePlan } = await import('../plan/executor.js');
  const { validateTaskObjects, validateWorkflowObjects } = await import('./validate-objects.js');
  return executePlan({
    client: options.client,
    catalog,
    run,
    stored,
    ...(options.maxParallel !== undefined ? { maxParallel: options.maxParallel } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.onState ? { onState: options.onState } : {}),
    validate: (object) => (object.kind === 'SeiNodeTaskWorkflow' ? validateWorkflowObjects([{ object }]) : validateTaskObjects([{ object }], catalog)),
    ...(prevalidated ? { prevalidated } : {}),
    lateValues: await lateValuesFor(options.client, run.namespace, catalog),
  });
}

export async function resumeWith(options: RunOptions & { templatesDir?: string }, catalog: Catalog, planId: string, namespace: string, stored: StoredRun): Promise<PlanOutcome> {
  const loaded = await loadPlanSource(stored.source, `ConfigMap sei-plan-${planId}`, kindLookup(catalog));
  if (stored.cancelled) {
    throw SeiError.invalid(`plan run ${planId} was cancelled; it cannot be resumed`, [], ['start a new run: kubectl sei plan apply -f PLAN']);
  }
  // The run keeps the shape it was started with; an explicit flag on resume changes it for good.
  let shaped = stored;
  if (options.maxParallel !== undefined && options.maxParallel !== (stored.shape.maxParallel ?? 0)) {
    shaped = await updateRun(options.client, planId, namespace, (current) => ({ ...current, shape: { ...current.shape, maxParallel: options.maxParallel! } }));
  }
  const maxParallel = options.maxParallel ?? shaped.shape.maxParallel;
  try {
    const verdict = await runExecutor({ ...options, ...(maxParallel !== undefined ? { maxParallel } : {}) }, catalog, toRun(planId, namespace, loaded, shaped), shaped);
    return { verdict, resumed: true };
  } catch (error) {
    throw afterRecordWritten(error, planId, namespace);
  }
}
