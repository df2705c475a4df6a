/**
 * Where each object goes in the repository and what the GitOps engine needs to order it.
 * plain: <path>/<name>.yaml + <path>/kustomization.yaml.
 * argocd: the same, plus argocd.argoproj.io/sync-wave from sei.io/plan-step-order.
 * flux: a plan's tasks go to <path>/<plan-id>/<order>-<step>/, each step applied by its own
 *   Flux Kustomization that dependsOn the previous one and waits for health; <path> lists the
 *   plan directory, which lists those Kustomizations (never the step directories).
 * Pure: it decides paths and contents; it must not read git or the disk.
 */
import { createHash } from 'node:crypto';
import { SeiError } from '../errors/index.js';
import { ANNOTATIONS, FIELD_MANAGER, LABELS } from '../domain/labels.js';
import type { KubeObject } from '../cluster/types.js';
import type { GitopsFlavor } from './types.js';
import { describeObject } from './safety.js';
import { FLUX_HEALTH_CHECK_EXPRS } from './health.js';
import { shortPlanId } from '../plan/naming.js';
import { toSafeYaml } from '../domain/yaml.js';
import { taskDeadlineSeconds, UNBOUNDED_TASK_DEADLINE_SECONDS } from '../domain/task-timeouts.js';

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

export interface FluxOptions {
  /** The GitRepository the Kustomizations read (default flux-system/flux-system). */
  sourceName?: string;
  /** Namespace of the Kustomizations and of the GitRepository (default flux-system). */
  namespace?: string;
}

export interface Layout {
  /** Repo-relative path → object, one file per object. */
  files: Map<string, KubeObject>;
  /** Repo-relative kustomization.yaml path → the entries it must list. */
  kustomizations: Map<string, string[]>;
}

interface PlanPosition {
  planId: string;
  step: string;
  order: number;
}

export function planPosition(object: KubeObject): PlanPosition | undefined {
  const labels = object.metadata.labels ?? {};
  const planId = labels[LABELS.planId];
  const step = labels[LABELS.planStep];
  const orderText = object.metadata.annotations?.[ANNOTATIONS.planStepOrder];
  if (!planId || !step || orderText === undefined) return undefined;
  const order = Number(orderText);
  if (!Number.isInteger(order)) {
    throw SeiError.invalid(`${describeObject(object)}: annotation ${ANNOTATIONS.planStepOrder} ${JSON.stringify(orderText)} is not an integer`, [
      { field: `metadata.annotations[${ANNOTATIONS.planStepOrder}]`, type: 'FieldValueInvalid', message: 'must be an integer: the position of the step in execution order' },
    ]);
  }
  return { planId, step, order };
}

/**
 * Objects that must reach Git byte for byte: a SOPS-encrypted Secret's MAC covers its values
 * and comments, so re-serializing it could make it undecryptable. Keyed by object identity.
 */
const VERBATIM = new WeakMap<KubeObject, string>();

export function keepVerbatim(object: KubeObject, text: string): KubeObject {
  VERBATIM.set(object, text.endsWith('\n') ? text : `${text}\n`);
  return object;
}

/** Repository paths are POSIX; '' is the repository root. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

export function serializeObject(object: KubeObject): string {
  return VERBATIM.get(object) ?? toSafeYaml(object);
}

/**
 * `parallelism`: plan step id → maxParallel (0 or absent = the whole step at once), from the
 * plan when the caller rendered one; manifests alone do not carry it.
 */
export function buildLayout(objects: KubeObject[], flavor: GitopsFlavor, basePath: string, flux: FluxOptions = {}, parallelism: Record<string, number> = {}): Layout {
  const files = new Map<string, KubeObject>();
  const kustomizations = new Map<string, string[]>();
  const list = (dir: string, entry: string): void => {
    const key = joinPath(dir, 'kustomization.yaml');
    const entries = kustomizations.get(key) ?? [];
    if (!entries.includes(entry)) entries.push(entry);
    kustomizations.set(key, entries);
  };
  const place = (dir: string, object: KubeObject): void => {
    const file = `${object.metadata.name}.yaml`;
    const filePath = joinPath(dir, file);
    const previous = files.get(filePath);
    if (previous) {
      throw SeiError.invalid(`${describeObject(previous)} and ${describeObject(object)} would both be written to ${filePath}`, [
        { field: 'metadata.name', type: 'FieldValueDuplicate', message: 'one file per object: names must be unique within a --path directory' },
      ], ['Give the objects distinct names, or commit them to different --path directories.']);
    }
    files.set(filePath, object);
    list(dir, file);
  };

  // Plan tasks by plan and step order; argocd and flux both need the whole plan to order it.
  const steps = new Map<string, Map<number, { step: string; objects: KubeObject[] }>>();
  for (const object of objects) {
    const position = flavor === 'plain' ? undefined : planPosition(object);
    if (!position) {
      place(basePath, object);
      continue;
    }
    const byOrder = steps.get(position.planId) ?? new Map<number, { step: string; objects: KubeObject[] }>();
    const entry = byOrder.get(position.order) ?? { step: position.step, objects: [] };
    if (entry.step !== position.step) {
      throw SeiError.invalid(`plan ${position.planId}: steps ${entry.step} and ${position.step} share order ${position.order}`, [
        { field: `metadata.annotations[${ANNOTATIONS.planStepOrder}]`, type: 'FieldValueDuplicate', message: 'each step needs its own order' },
      ]);
    }
    entry.objects.push(object);
    byOrder.set(position.order, entry);
    steps.set(position.planId, byOrder);
  }

  for (const [planId, byOrder] of steps) {
    const units = planUnits(byOrder, parallelism);
    if (flavor === 'argocd') {
      // One wave per unit: a step whose maxParallel is N becomes consecutive waves of N tasks.
      units.forEach((unit, wave) => {
        for (const object of unit.objects) place(basePath, withAnnotation(object, SYNC_WAVE, String(wave)));
      });
      continue;
    }
    const planDirName = planDirectoryName(planId, [...byOrder.values()][0]?.objects[0]);
    const planDir = joinPath(basePath, planDirName);
    list(basePath, planDirName);
    const width = Math.max(2, String(units[units.length - 1]?.order ?? 0).length);
    let previous: string | undefined;
    for (const unit of units) {
      const stepDirName = `${String(unit.order).padStart(width, '0')}-${safeSegment(unit.step)}${unit.chunks > 1 ? `-${unit.chunk}` : ''}`;
      const stepDir = joinPath(planDir, stepDirName);
      for (const object of unit.objects) place(stepDir, object);
      const kustomization = fluxKustomization({ planId, planDirName, step: unit.step, order: unit.order, stepDir, stepDirName, dependsOn: previous, objects: unit.objects, flux });
      place(planDir, kustomization);
      previous = kustomization.metadata.name;
    }
  }
  return { files, kustomizations };
}

interface PlanUnit {
  order: number;
  step: string;
  chunk: number;
  chunks: number;
  objects: KubeObject[];
}

/**
 * A plan's tasks as the units the engine applies one after the other: each step in order,
 * split into chunks of its maxParallel (by sei.io/plan-index), so that "restart validators
 * one at a time" stays one at a time when Git drives it.
 */
function planUnits(byOrder: Map<number, { step: string; objects: KubeObject[] }>, parallelism: Record<string, number>): PlanUnit[] {
  const units: PlanUnit[] = [];
  for (const order of [...byOrder.keys()].sort((a, b) => a - b)) {
    const { step, objects: stepObjects } = byOrder.get(order)!;
    const sorted = [...stepObjects].sort((a, b) => Number(a.metadata.labels?.[LABELS.planIndex] ?? 0) - Number(b.metadata.labels?.[LABELS.planIndex] ?? 0));
    const size = parallelism[step] && parallelism[step] > 0 ? parallelism[step] : sorted.length;
    const chunks = Math.max(1, Math.ceil(sorted.length / size));
    for (let chunk = 0; chunk < chunks; chunk += 1) units.push({ order, step, chunk, chunks, objects: sorted.slice(chunk * size, (chunk + 1) * size) });
  }
  return units;
}

function withAnnotation(object: KubeObject, key: string, value: string): KubeObject {
  return { ...object, metadata: { ...object.metadata, annotations: { ...(object.metadata.annotations ?? {}), [key]: value } } };
}

/** Plan ids and step names become directory names: keep them to one safe segment. */
function safeSegment(value: string): string {
  if (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value) && !value.includes('..')) return value;
  throw SeiError.invalid(`plan id or step ${JSON.stringify(value)} cannot be a directory name`, [
    { field: 'metadata.labels', type: 'FieldValueInvalid', message: 'plan ids and step names must be DNS-1123 names' },
  ]);
}

/**
 * `<plan-name>-<short id>`, the prefix the plan's task names already carry, so a reviewer
 * reads the same words in paths, names and the commit message; the bare plan id otherwise.
 */
function planDirectoryName(planId: string, sample: KubeObject | undefined): string {
  const planName = sample?.metadata.annotations?.[ANNOTATIONS.planName];
  const name = planName ? `${planName}-${shortPlanId(planId)}` : planId;
  return safeSegment(name.length <= 63 ? name : planId);
}

interface StepKustomization {
  planId: string;
  planDirName: string;
  step: string;
  order: number;
  stepDir: string;
  stepDirName: string;
  dependsOn?: string;
  objects: KubeObject[];
  flux: FluxOptions;
}

/** Flux writes the Kustomization's name into a label on every object it applies: at most 63 chars. */
export function fluxKustomizationName(planDirName: string, stepDirName: string): string {
  const name = `sei-${planDirName}-${stepDirName}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 54).replace(/[-.]+$/, '')}-${hash}`;
}

function fluxKustomization(input: StepKustomization): KubeObject {
  const namespace = input.flux.namespace ?? 'flux-system';
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: fluxKustomizationName(input.planDirName, input.stepDirName),
      namespace,
      labels: {
        [LABELS.managedBy]: FIELD_MANAGER,
        [LABELS.planId]: input.planId,
        [LABELS.planStep]: input.step,
      },
      annotations: { [ANNOTATIONS.planStepOrder]: String(input.order) },
    },
    spec: {
      interval: '10m',
      retryInterval: '1m',
      path: `./${input.stepDir}`,
      // Tasks are apply-once: pruning one that left Git would delete its record, re-creating it re-runs it.
      prune: false,
      sourceRef: { kind: 'GitRepository', name: input.flux.sourceName ?? 'flux-system', namespace },
      // The next step's Kustomization is applied only once this one is Ready, i.e. every task here is healthy.
      wait: true,
      timeout: stepTimeout(input.objects),
      ...(input.dependsOn ? { dependsOn: [{ name: input.dependsOn, namespace }] } : {}),
      healthCheckExprs: FLUX_HEALTH_CHECK_EXPRS,
    },
  };
}

/** Long enough for the slowest task of the unit (src/domain/task-timeouts.ts). */
function stepTimeout(objects: KubeObject[]): string {
  let seconds = 0;
  for (const object of objects) {
    const spec = (object.spec ?? {}) as { kind?: string; timeoutSeconds?: number };
    seconds = Math.max(seconds, taskDeadlineSeconds(spec.kind ?? '', spec.timeoutSeconds));
  }
  return seconds >= UNBOUNDED_TASK_DEADLINE_SECONDS ? '24h' : `${Math.max(10, Math.ceil(seconds / 60))}m`;
}
