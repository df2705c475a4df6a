/**
 * The plan use-cases the commands call: render, simulate, apply, resume, status, approve,
 * cancel, export. Each takes typed options and returns data; printing is the command's job.
 * Heavy modules (catalog, renderer, validator, cluster client) are imported lazily.
 */
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import type { Catalog } from '../catalog/types.js';
import type { ClusterClient, ConnectionOptions, KubeObject } from '../cluster/types.js';
import { SeiError, ExitCode } from '../errors/index.js';
import { derive, type PlanRun } from './derive.js';
import { evaluate, outputDependencies, templateStrings, truthy, type ExprContext } from './expressions.js';
import { buildGraph, expandItems } from './graph.js';
import { fleetFromCluster, readFleetFile } from './fleet.js';
import { resolveInputs } from './inputs.js';
import { loadPlan, loadPlanSource, type KindLookup } from './load.js';
import { planSelector, taskName } from './naming.js';
import { createRun, mergeRun, readRun, requireRun, updateRun, type StoredRun } from './run-store.js';
import { buildTask, kindLookup } from './tasks.js';
import type { FleetNode, LoadedPlan, PlanItem, PlanVerdict, Scalar } from './types.js';
import type { PlanEvent } from './executor.js';
import type { Derived } from './derive.js';

export interface PlanSource {
  /** Path or built-in plan name. */
  file: string;
  set?: string[];
  inputsFile?: string;
  templatesDir?: string;
}

export interface Prepared {
  catalog: Catalog;
  kinds: KindLookup;
  loaded: LoadedPlan;
  inputs: Record<string, Scalar>;
}

async function catalogFor(templatesDir?: string): Promise<Catalog> {
  const { loadCatalog } = await import('../catalog/index.js');
  return loadCatalog(templatesDir ? { templatesDir } : {});
}

export async function preparePlan(source: PlanSource, catalog?: Catalog): Promise<Prepared> {
  const cat = catalog ?? (await catalogFor(source.templatesDir));
  const kinds = kindLookup(cat);
  const loaded = await loadPlan(source.file, kinds);
  const inputs = resolveInputs(loaded.manifest, { ...(source.set ? { set: source.set } : {}), ...(source.inputsFile ? { inputsFile: source.inputsFile } : {}) });
  return { catalog: cat, kinds, loaded, inputs };
}

export function namespaceOf(loaded: LoadedPlan, client?: ClusterClient, flag?: string): string {
  return flag ?? loaded.manifest.metadata.namespace ?? client?.namespace ?? 'default';
}

async function validateObjects(objects: KubeObject[], catalog: Catalog): Promise<void> {
  const { validateTaskObjects } = await import('../services/validate-objects.js');
  await validateTaskObjects(objects.map((object) => ({ object })), catalog);
}

// ---------------------------------------------------------------- render

export interface RenderPlanOptions extends PlanSource {
  planId?: string;
  namespace?: string;
  /** The fleet for forEach selectors; without it, selector steps need a cluster. */
  fleet?: FleetNode[];
  client?: ClusterClient;
  catalog?: Catalog;
}

export interface RenderPlanResult {
  planId: string;
  namespace: string;
  objects: KubeObject[];
  text: string;
  /** Steps that could not be rendered ahead of the run, and why. */
  notes: string[];
}

/**
 * Every task the plan would create on first attempts, validated. Steps whose params or `when`
 * need another step's outputs are known only at run time and are listed in notes.
 */
export async function renderPlan(options: RenderPlanOptions): Promise<RenderPlanResult> {
  const prepared = await preparePlan(options, options.catalog);
  const { catalog, kinds, loaded, inputs } = prepared;
  const planId = options.planId ?? randomUUID();
  const namespace = options.namespace ?? loaded.manifest.metadata.namespace ?? options.client?.namespace ?? 'default';
  const fleet = options.fleet ?? (needsFleet(loaded) ? (options.client ? await fleetFromCluster(options.client, namespace) : undefined) : []);
  if (!fleet) {
    throw SeiError.invalid('a forEach.selector step needs the fleet: connect to a cluster, or pass --fleet FILE (kubectl get seinodes -o yaml) offline', [], [
      'offline: kubectl sei plan render -f PLAN --fleet fleet.yaml',
    ]);
  }
  const graph = buildGraph(loaded.manifest, kinds);
  const items: Record<string, PlanItem[]> = {};
  const objects: KubeObject[] = [];
  const notes: string[] = [];
  const base: ExprContext = { inputs, plan: { id: planId, name: loaded.manifest.metadata.name, namespace } };
  for (const g of graph) {
    const { step } = g;
    if (g.approval) continue;
    items[step.id] = expandItems(step, base, fleet, (id) => items[id]);
    const whenDeps = outputDependencies(step.when);
    if (step.when !== undefined && whenDeps.size === 0 && !truthy(typeof step.when === 'boolean' ? step.when : evaluate(step.when, base))) {
      notes.push(`step ${step.id}: skipped (when ${JSON.stringify(step.when)} is false)`);
      continue;
    }
    const deps = outputDependencies(step.params);
    if (deps.size > 0 || whenDeps.size > 0) {
      notes.push(`step ${step.id}: needs outputs of ${[...new Set([...deps, ...whenDeps])].join(', ')}, known only at run time (${items[step.id]!.length} task${items[step.id]!.length === 1 ? '' : 's'})`);
      continue;
    }
    for (const item of items[step.id]!) {
      const name = taskName(loaded.manifest.metadata.name, planId, step.id, item.index, 1);
      objects.push(buildTask({ catalog, planName: loaded.manifest.metadata.name, planId, namespace, step: g, item, attempt: 1, name, context: { ...base, item: { name: item.node, index: item.index } } }));
    }
  }
  await validateObjects(objects, catalog);
  const text = objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
  return { planId, namespace, objects, text, notes };
}

function needsFleet(loaded: LoadedPlan): boolean {
  return loaded.manifest.spec.steps.some((s) => s.forEach?.selector !== undefined);
}

// ---------------------------------------------------------------- simulate

export type SimClass = 'pending' | 'skipped' | 'requires-approval' | 'blocked';

export interface SimItem {
  index: number;
  node: string;
  name: string;
  class: SimClass;
  reason?: string;
  message?: string;
}

export interface SimStep {
  id: string;
  kind?: string;
  order: number;
  class: SimClass;
  dependsOn: string[];
  maxParallel: number;
  maxAttempts: number;
  continueOnError: boolean;
  message?: string;
  items: SimItem[];
}

export interface SimulationResult {
  planName: string;
  namespace: string;
  inputs: Record<string, Scalar>;
  steps: SimStep[];
  summary: Record<SimClass, number>;
}

export interface SimulateOptions extends PlanSource {
  namespace?: string;
  fleet?: FleetNode[];
  client?: ClusterClient;
  /** The SeiNodeTask kinds the cluster serves; undefined = not checked (offline). */
  servedKinds?: Set<string>;
  catalog?: Catalog;
}

/** Pure classification over a fleet; never writes. */
export function simulate(prepared: Prepared, fleet: FleetNode[], namespace: string, servedKinds?: Set<string>): SimulationResult {
  const { loaded, inputs, kinds } = prepared;
  const manifest = loaded.manifest;
  const graph = buildGraph(manifest, kinds);
  const byName = new Map(fleet.map((n) => [n.name, n]));
  const base: ExprContext = { inputs, plan: { id: '<plan-id>', name: manifest.metadata.name, namespace } };
  const items: Record<string, PlanItem[]> = {};
  const steps: SimStep[] = [];
  const summary: Record<SimClass, number> = { pending: 0, skipped: 0, 'requires-approval': 0, blocked: 0 };
  let gate: string | undefined;
  for (const g of graph) {
    const { step } = g;
    const out: SimStep = { id: step.id, ...(step.kind ? { kind: step.kind } : {}), order: g.order, class: 'pending', dependsOn: g.dependsOn, maxParallel: g.maxParallel, maxAttempts: g.maxAttempts, continueOnError: g.continueOnError, items: [] };
    steps.push(out);
    if (g.approval) {
      out.class = 'requires-approval';
      out.message = step.approval!.message;
      summary['requires-approval']++;
      gate = step.id;
      continue;
    }
    items[step.id] = expandItems(step, base, fleet, (id) => items[id]);
    if (gate) out.message = `after approval of ${gate}`;
    if (step.when !== undefined) {
      if (outputDependencies(step.when).size > 0) out.message = [out.message, `when ${JSON.stringify(step.when)} is decided at run time`].filter(Boolean).join('; ');
      else if (!truthy(typeof step.when === 'boolean' ? step.when : evaluate(step.when, base))) {
        out.class = 'skipped';
        out.message = `when ${JSON.stringify(step.when)} is false`;
        for (const item of items[step.id]!) out.items.push({ index: item.index, node: item.node, name: taskName(manifest.metadata.name, 'plan-id', step.id, item.index), class: 'skipped' });
        summary.skipped += out.items.length;
        continue;
      }
    }
    const kind = step.kind!;
    const wantPhase = step.requirePhase ?? 'Running';
    for (const item of items[step.id]!) {
      const node = byName.get(item.node);
      const sim: SimItem = { index: item.index, node: item.node, name: `${manifest.metadata.name}-<id>-${step.id}-${item.index}`, class: 'pending' };
      if (servedKinds && !servedKinds.has(kind)) Object.assign(sim, { class: 'blocked', reason: 'UnsupportedKind', message: `the cluster's SeiNodeTask CRD does not serve ${kind} (it serves ${[...servedKinds].sort().join(', ')})` });
      else if (!node) Object.assign(sim, { class: 'blocked', reason: 'TargetResolveFailed', message: `SeiNode ${item.node} not found in ${namespace}` });
      else if (kind === 'DiscoverPeers' && !node.hasPeers) Object.assign(sim, { class: 'blocked', reason: 'ParamsBuildFailed', message: `SeiNode ${item.node} has no peer sources (spec.peers empty or unresolved): DiscoverPeers would fail` });
      else if ((node.phase ?? 'Pending') !== wantPhase) Object.assign(sim, { class: 'blocked', reason: 'PhaseNotMet', message: `SeiNode ${item.node} is ${node.phase ?? 'Pending'}, not ${wantPhase} (requirePhase): the task would wait requirePhaseTimeout, then fail` });
      else if (outputDependencies(step.params).size === 0) {
        try {
          // Parameters that need no outputs are evaluated now, so a bad reference shows here.
          for (const { text } of templateStrings(g.step.params)) evaluate(text, { ...base, item: { name: item.node, index: item.index } });
        } catch (error) {
          Object.assign(sim, { class: 'blocked', reason: 'InvalidParams', message: (error as Error).message });
        }
      }
      out.items.push(sim);
      summary[sim.class]++;
    }
    if (out.items.some((i) => i.class === 'blocked')) out.class = 'blocked';
  }
  return { planName: manifest.metadata.name, namespace, inputs, steps, summary };
}

export async function simulatePlan(options: SimulateOptions): Promise<SimulationResult> {
  const prepared = await preparePlan(options, options.catalog);
  const namespace = options.namespace ?? prepared.loaded.manifest.metadata.namespace ?? options.client?.namespace ?? 'default';
  let fleet = options.fleet;
  let served = options.servedKinds;
  if (!fleet) {
    if (!options.client) {
      if (needsFleet(prepared.loaded) || prepared.loaded.manifest.spec.steps.some((s) => s.kind)) {
        throw SeiError.invalid('simulate needs the fleet: connect to a cluster, or pass --offline --fleet FILE', [], ['kubectl get seinodes -n NS -o yaml > fleet.yaml; kubectl sei plan simulate -f PLAN --offline --fleet fleet.yaml']);
      }
      fleet = [];
    } else fleet = await fleetFromCluster(options.client, namespace);
  }
  if (!served && options.client) {
    const crd = await options.client.servedCrd('seinodetasks.sei.io');
    if (crd) {
      const { servedKinds } = await import('../services/preflight.js');
      const list = servedKinds(crd);
      if (list) served = new Set(list);
    }
  }
  return simulate(prepared, fleet, namespace, served);
}

// ---------------------------------------------------------------- apply / resume

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

export interface ApplyPlanOptions extends RunOptions, PlanSource {
  planId?: string;
  /** Called once the plan id is known (before any task is written). */
  onPlanId?: (planId: string, resumed: boolean) => void;
}

export interface PlanOutcome {
  verdict: PlanVerdict;
  resumed: boolean;
}

async function lateValuesFor(client: ClusterClient, namespace: string): Promise<(kind: string, node: string) => Promise<Record<string, unknown> | undefined>> {
  const { readPodUid } = await import('../services/preflight.js');
  return async (kind, node) => (kind === 'RestartPod' ? { podUID: await readPodUid(client, node, namespace) } : undefined);
}

async function runExecutor(options: RunOptions, catalog: Catalog, run: PlanRun, stored: StoredRun, prevalidated?: Map<string, KubeObject>): Promise<PlanVerdict> {
  const { executePlan } = await import('./executor.js');
  const { validateTaskObjects } = await import('../services/validate-objects.js');
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
    validate: (object) => validateTaskObjects([{ object }], catalog),
    ...(prevalidated ? { prevalidated } : {}),
    lateValues: await lateValuesFor(options.client, run.namespace),
  });
}

function toRun(planId: string, namespace: string, loaded: LoadedPlan, stored: StoredRun): PlanRun {
  return { planId, namespace, manifest: loaded.manifest, inputs: stored.inputs, approvals: stored.approvals, cancelled: stored.cancelled, items: stored.items, verdicts: stored.verdicts };
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
  const shape = options.maxParallel !== undefined && options.maxParallel > 0 ? { maxParallel: options.maxParallel } : {};
  const stored: StoredRun = { source: prepared.loaded.source, inputs: prepared.inputs, shape, approvals: {}, items: {}, verdicts: {}, cancelled: false, planName: prepared.loaded.manifest.metadata.name, createdAt: new Date().toISOString() };
  await createRun(options.client, planId, namespace, stored);
  options.onPlanId?.(planId, false);
  const prevalidated = new Map(rendered.objects.map((o) => [o.metadata.name ?? '', o]));
  const verdict = await runExecutor(options, catalog, toRun(planId, namespace, prepared.loaded, stored), stored, prevalidated);
  return { verdict, resumed: false };
}

async function resumeWith(options: RunOptions & { templatesDir?: string }, catalog: Catalog, planId: string, namespace: string, stored: StoredRun): Promise<PlanOutcome> {
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
  const verdict = await runExecutor({ ...options, ...(maxParallel !== undefined ? { maxParallel } : {}) }, catalog, toRun(planId, namespace, loaded, shaped), shaped);
  return { verdict, resumed: true };
}

export interface ResumeOptions extends RunOptions {
  planId: string;
  templatesDir?: string;
}

export async function resumePlan(options: ResumeOptions): Promise<PlanOutcome> {
  const catalog = options.catalog ?? (await catalogFor(options.templatesDir));
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  return resumeWith(options, catalog, options.planId, namespace, stored);
}

// ---------------------------------------------------------------- status / approve / cancel

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

export async function approveStep(options: { client: ClusterClient; planId: string; step: string; namespace?: string; by?: string }): Promise<{ alreadyApproved: boolean }> {
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  const { parsePlanText } = await import('./load.js');
  const manifest = parsePlanText(stored.source, 'stored plan').loaded.manifest;
  const step = manifest.spec.steps.find((s) => s.id === options.step);
  const approvalSteps = manifest.spec.steps.filter((s) => s.approval).map((s) => s.id);
  if (!step || !step.approval) {
    throw SeiError.invalid(`step ${JSON.stringify(options.step)} of plan run ${options.planId} is not an approval step`, [], [approvalSteps.length > 0 ? `approval steps: ${approvalSteps.join(', ')}` : 'this plan has no approval steps']);
  }
  if (stored.approvals[options.step]) return { alreadyApproved: true };
  const approval = { approvedAt: new Date().toISOString(), ...(options.by ? { by: options.by } : {}) };
  const written = await updateRun(options.client, options.planId, namespace, (current) => mergeRun(current, { approvals: { [options.step]: approval } }));
  return { alreadyApproved: written.approvals[options.step]?.approvedAt !== approval.approvedAt };
}

export async function cancelPlan(options: { client: ClusterClient; planId: string; namespace?: string }): Promise<{ inFlight: string[]; alreadyCancelled: boolean }> {
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  const tasks = await options.client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace, labelSelector: planSelector(options.planId) });
  const inFlight = tasks.items.filter((t) => !['Complete', 'Failed'].includes(String(((t['status'] ?? {}) as { phase?: string }).phase ?? ''))).map((t) => t.metadata.name ?? '');
  if (stored.cancelled) return { inFlight, alreadyCancelled: true };
  await updateRun(options.client, options.planId, namespace, (current) => mergeRun(current, { cancelled: true }));
  return { inFlight, alreadyCancelled: false };
}

// ---------------------------------------------------------------- verdict → exit

/** Complete → undefined (exit 0); otherwise the SeiError that carries the exit code. */
export function verdictError(verdict: PlanVerdict): SeiError | undefined {
  const id = verdict.planId;
  const ns = verdict.namespace;
  switch (verdict.phase) {
    case 'Complete':
      return undefined;
    case 'Failed': {
      const d = verdict.failedTaskDetail!;
      return SeiError.taskFailed(d.reason, `plan ${verdict.planName} (${id}) Failed at step ${verdict.failedStep} item ${verdict.failedIndex} (${d.node}): task ${d.name} ${d.kind} ${d.reason}${d.message ? `: ${d.message}` : ''} after ${d.attempts}/${d.maxAttempts} attempt${d.maxAttempts === 1 ? '' : 's'}`, [
        `inspect it: kubectl sei task describe ${d.name} -n ${ns}`,
        `the whole run: kubectl sei plan status ${id} -n ${ns}`,
      ]);
    }
    case 'WaitingApproval':
      return new SeiError(`waiting for approval: kubectl sei plan approve ${id} ${verdict.waitingFor?.step ?? ''} -n ${ns}${verdict.waitingFor?.message ? ` (${verdict.waitingFor.message})` : ''}`, {
        reason: 'WaitingApproval',
        exitCode: ExitCode.Timeout,
        hints: [`then continue: kubectl sei plan resume ${id} -n ${ns}`],
      });
    case 'Cancelled':
      return new SeiError(`plan run ${id} was cancelled`, { reason: 'Cancelled', exitCode: ExitCode.TaskFailed });
    default:
      return SeiError.timeout(`plan run ${id} is ${verdict.phase}`, [`kubectl sei plan resume ${id} -n ${ns}`]);
  }
}

export { readFleetFile, fleetFromCluster };
export type { ConnectionOptions };

// ---------------------------------------------------------------- export

export interface ExportOptions extends PlanSource {
  to: 'argo-workflows' | 'chaos-mesh';
  planId?: string;
  namespace?: string;
  fleet?: FleetNode[];
  client?: ClusterClient;
  image?: string;
  serviceAccount?: string;
  catalog?: Catalog;
}

export async function exportPlanWorkflow(options: ExportOptions): Promise<{ object: KubeObject; text: string }> {
  const prepared = await preparePlan(options, options.catalog);
  const namespace = options.namespace ?? prepared.loaded.manifest.metadata.namespace ?? options.client?.namespace ?? 'default';
  const fleet = options.fleet ?? (needsFleet(prepared.loaded) ? (options.client ? await fleetFromCluster(options.client, namespace) : undefined) : []);
  if (!fleet) throw SeiError.invalid('a forEach.selector step needs the fleet: connect to a cluster, or pass --fleet FILE offline');
  const { exportPlan } = await import('./export.js');
  const object = exportPlan(options.to, {
    manifest: prepared.loaded.manifest,
    inputs: prepared.inputs,
    catalog: prepared.catalog,
    kinds: prepared.kinds,
    fleet,
    namespace,
    planId: options.planId ?? randomUUID(),
    ...(options.image ? { image: options.image } : {}),
    ...(options.serviceAccount ? { serviceAccount: options.serviceAccount } : {}),
  });
  return { object, text: stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }) };
}

// ---------------------------------------------------------------- local state file

/** --state-file: the run's id and last verdict, for offline and GitOps use (the cluster stays the source of truth). */
export async function writeStateFile(file: string, state: { planId: string; namespace: string; verdict?: PlanVerdict }): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const compact = state.verdict ? { ...state.verdict, steps: state.verdict.steps.map((s) => ({ ...s, items: s.items.map(({ task: _t, ...i }) => i) })) } : undefined;
  await writeFile(file, `${JSON.stringify({ planId: state.planId, namespace: state.namespace, updatedAt: new Date().toISOString(), ...(compact ? { verdict: compact } : {}) }, null, 2)}\n`);
}

export async function readStateFile(file: string): Promise<{ planId: string; namespace: string }> {
  const { readFile } = await import('node:fs/promises');
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as { planId?: string; namespace?: string };
    if (!data.planId) throw new Error('no planId');
    return { planId: data.planId, namespace: data.namespace ?? 'default' };
  } catch (error) {
    throw SeiError.invalid(`--state-file ${file}: ${(error as Error).message}`);
  }
}
