/**
 * What every plan use-case starts from: the catalog, the loaded plan and its inputs, the
 * namespace, and the stored run seen as a PlanRun. Heavy modules are imported lazily.
 */
import type { Catalog } from '../catalog/types.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import type { PlanRun } from '../plan/derive.js';
import { resolveInputs } from '../plan/inputs.js';
import { loadPlan } from '../plan/load.js';
import type { StoredRun } from '../plan/run-store.js';
import { kindLookup } from '../plan/tasks.js';
import type { FleetNode, LoadedPlan, PlanSource, Prepared } from '../plan/types.js';
import { SeiError } from '../errors/sei-error.js';
import { ExitCode } from '../errors/index.js';

export type { PlanSource, Prepared } from '../plan/types.js';

export async function catalogFor(templatesDir?: string): Promise<Catalog> {
  const { loadCatalog, loadWorkflowCatalog, combineCatalogs } = await import('../catalog/index.js');
  // A plan step may be a task kind or a workflow kind (StateSync).
  return combineCatalogs(loadCatalog(templatesDir ? { templatesDir } : {}), loadWorkflowCatalog());
}

/**
 * The controller version a plan targets: the one the cluster's SeiNodeTask CRD identifies when
 * connected (what will actually run the tasks), else the --controller-version flag, else latest.
 */
export async function targetControllerVersion(source: PlanSource, client: ClusterClient | undefined, catalog: Catalog): Promise<'seed' | 'latest'> {
  if (client) {
    const crd = await client.servedCrd('seinodetasks.sei.io');
    if (crd) {
      const { controllerVersionOfCrd } = await import('../catalog/controller-versions.js');
      return controllerVersionOfCrd(crd, catalog);
    }
  }
  return source.controllerVersion ?? 'latest';
}

export async function preparePlan(source: PlanSource & { client?: ClusterClient }, catalog?: Catalog): Promise<Prepared> {
  const cat = catalog ?? (await catalogFor(source.templatesDir));
  const kinds = kindLookup(cat, await targetControllerVersion(source, source.client, cat));
  const loaded = await loadPlan(source.file, kinds);
  const inputs = resolveInputs(loaded.manifest, { ...(source.set ? { set: source.set } : {}), ...(source.inputsFile ? { inputsFile: source.inputsFile } : {}) });
  return { catalog: cat, kinds, loaded, inputs };
}

export function namespaceOf(loaded: LoadedPlan, client?: ClusterClient, flag?: string): string {
  return flag ?? loaded.manifest.metadata.namespace ?? client?.namespace ?? 'default';
}

export async function validateObjects(objects: KubeObject[], catalog: Catalog): Promise<void> {
  const { validateTaskObjects, validateWorkflowObjects } = await import('./validate-objects.js');
  await validateTaskObjects(objects.filter((o) => o.kind !== 'SeiNodeTaskWorkflow').map((object) => ({ object })), catalog);
  await validateWorkflowObjects(objects.filter((o) => o.kind === 'SeiNodeTaskWorkflow').map((object) => ({ object })));
}

export function needsFleet(loaded: LoadedPlan): boolean {
  return loaded.manifest.spec.steps.some((s) => s.forEach?.selector !== undefined);
}

/**
 * One answer for a fan-out that matches nothing (simulate, render, export, apply, gitops commit):
 * exit 2 naming the step, its selector and the namespace, before anything is written. A plan
 * that selects no node is a wrong --set, -n or context far more often than an intended no-op.
 */
export async function requireFanOut(prepared: Prepared, fleet: readonly FleetNode[], namespace: string, planId = ''): Promise<void> {
  const { expandItems, resolveSelector, selectorString } = await import('../plan/graph.js');
  const { loaded, inputs } = prepared;
  const context = { inputs, plan: { id: planId, name: loaded.manifest.metadata.name, namespace } };
  for (const step of loaded.manifest.spec.steps) {
    const selector = step.forEach?.selector;
    if (!selector || expandItems(step, context, [...fleet], () => undefined).length > 0) continue;
    const text = selectorString(resolveSelector(selector, context));
    throw SeiError.invalid(`plan ${loaded.manifest.metadata.name}: step ${step.id} fans out over nothing: no SeiNode in namespace "${namespace}" matches its forEach.selector ${text}; nothing was written`, [], [
      `see what it would match: kubectl get seinodes -n ${namespace} -l '${text}'`,
      'check -n / --context and the plan inputs (--set) the selector is built from',
    ]);
  }
}

export function toRun(planId: string, namespace: string, loaded: LoadedPlan, stored: StoredRun): PlanRun {
  return { planId, namespace, manifest: loaded.manifest, inputs: stored.inputs, approvals: stored.approvals, cancelled: stored.cancelled, items: stored.items, verdicts: stored.verdicts };
}

/**
 * Refuses (exit 2, before the run record is written) a plan with a task step whose kind the
 * cluster's SeiNodeTask CRD does not serve: the apiserver would refuse that step's first task,
 * leaving a record of a run that can never finish.
 */
export async function requireServedStepKinds(prepared: Prepared, client: ClusterClient): Promise<void> {
  const { checkKindServed } = await import('./preflight.js');
  const checked = new Set<string>();
  for (const step of prepared.loaded.manifest.spec.steps) {
    const info = step.kind ? prepared.kinds.find(step.kind) : undefined;
    if (!info || info.resource !== 'SeiNodeTask' || checked.has(info.kind)) continue;
    checked.add(info.kind);
    try {
      await checkKindServed(client, info.kind, prepared.catalog);
    } catch (error) {
      if (!(error instanceof SeiError) || error.exitCode !== ExitCode.InvalidInput) throw error;
      throw new SeiError(`plan ${prepared.loaded.manifest.metadata.name}: step ${step.id}: ${error.message}; nothing was written`, { reason: error.reason, exitCode: error.exitCode, causes: error.causes, hints: error.hints });
    }
  }
}

/**
 * An error met after the run record was written must not claim that nothing was: the record
 * stays, and the hint says how to go on (resume once fixed, or cancel).
 */
export function afterRecordWritten(error: unknown, planId: string, namespace: string): unknown {
  if (!(error instanceof SeiError)) return error;
  const wrote = `the run record ConfigMap sei-plan-${planId} was written`;
  const claimsNothing = (text: string): boolean => /nothing (more )?was written/i.test(text);
  if (!claimsNothing(error.message) && !error.hints.some(claimsNothing)) return error;
  const message = error.message.replace(/;?\s*nothing (more )?was written\.?/gi, `; ${wrote}`);
  const hints = error.hints.map((h) => h.replace(/;?\s*nothing (more )?was written\.?/gi, '')).filter((h) => h.trim() !== '');
  hints.push(`${wrote}: fix the cause, then \`kubectl sei plan resume ${planId} -n ${namespace}\`, or drop the run: \`kubectl sei plan cancel ${planId} -n ${namespace}\``);
  return new SeiError(message, { reason: error.reason, exitCode: error.exitCode, causes: error.causes, hints, ...(error.httpCode !== undefined ? { httpCode: error.httpCode } : {}) });
}
