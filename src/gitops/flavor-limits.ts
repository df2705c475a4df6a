/**
 * What each GitOps flavor can express of a plan, and what it cannot. A plan that means "one
 * step after the other, one node at a time, stop on the first failure" must mean that in Git
 * too, or the commit is refused with the reason; what a flavor cannot express and the operator
 * accepts is said in a warning, never dropped silently. Pure data and one check.
 */
import { SeiError } from '../errors/index.js';
import { LABELS } from '../domain/labels.js';
import type { KubeObject } from '../cluster/types.js';
import type { GitopsFlavor } from './types.js';

/** A plan step as far as ordering and failure handling go. */
export interface StepSemantics {
  /** 0 = every task of the step at once. */
  maxParallel: number;
  continueOnError: boolean;
  maxAttempts: number;
}

interface FlavorGuarantees {
  /** Steps (and maxParallel chunks) are applied one after the other, each once the previous is healthy. */
  order: boolean;
  /** How a failed task affects what follows, in the words the warnings use. */
  afterFailure: string;
}

/**
 * argocd: sync waves — Argo CD applies wave N+1 only when wave N is Healthy, so a Degraded task
 * ends the sync. flux: a Kustomization per unit with dependsOn + wait — the next is applied only
 * once this one is Ready. plain: every file at once, in no order. No flavor retries a task:
 * tasks are apply-once by name, and the engine re-applies the same object.
 */
export const FLAVOR_GUARANTEES: Readonly<Record<GitopsFlavor, FlavorGuarantees>> = {
  plain: { order: false, afterFailure: 'every task is applied at once, so nothing waits for it' },
  argocd: { order: true, afterFailure: 'Argo CD does not sync a later wave past a Degraded task' },
  flux: { order: true, afterFailure: 'the later Kustomizations dependsOn this one, which never becomes Ready' },
};

/** The steps of the plans among the objects, from their labels, when the plan itself is not at hand. */
function stepsFromLabels(objects: KubeObject[], parallelism: Record<string, number>): Map<string, { tasks: number; semantics: StepSemantics }> {
  const steps = new Map<string, { tasks: number; semantics: StepSemantics }>();
  for (const object of objects) {
    const step = object.metadata.labels?.[LABELS.planStep];
    if (!object.metadata.labels?.[LABELS.planId] || !step) continue;
    const entry = steps.get(step) ?? { tasks: 0, semantics: { maxParallel: parallelism[step] ?? 0, continueOnError: false, maxAttempts: 1 } };
    entry.tasks += 1;
    steps.set(step, entry);
  }
  return steps;
}

/**
 * Refuses a plain commit that would lose a plan's order (more than one step, or a step split
 * by maxParallel) unless `acceptUnordered`; returns warnings for continueOnError and retries
 * that the flavor cannot express.
 */
export function checkFlavorLimits(flavor: GitopsFlavor, objects: KubeObject[], semantics: Record<string, StepSemantics> = {}, parallelism: Record<string, number> = {}, acceptUnordered = false): string[] {
  const steps = stepsFromLabels(objects, parallelism);
  for (const [step, known] of Object.entries(semantics)) {
    const entry = steps.get(step);
    if (entry) entry.semantics = known;
  }
  const guarantees = FLAVOR_GUARANTEES[flavor];
  const warnings: string[] = [];
  if (!guarantees.order) {
    const split = [...steps].filter(([, s]) => s.semantics.maxParallel > 0 && s.tasks > s.semantics.maxParallel).map(([id, s]) => `${id} (maxParallel ${s.semantics.maxParallel}, ${s.tasks} tasks)`);
    const losses = [...(steps.size > 1 ? [`${steps.size} steps (${[...steps.keys()].join(', ')}) would all start at once`] : []), ...(split.length > 0 ? [`maxParallel would not hold for ${split.join(', ')}`] : [])];
    if (losses.length > 0 && !acceptUnordered) {
      throw SeiError.invalid(`the plain flavor applies every file at once: ${losses.join('; ')}`, [
        { field: '--flavor', type: 'FieldValueInvalid', message: 'plain keeps no order between steps or within maxParallel' },
      ], ['--flavor argocd (sync waves) or --flavor flux (one Kustomization per unit) keep the order and stop on a failure', '--accept-unordered commits it anyway, every task at once']);
    }
    if (losses.length > 0) warnings.push(`--accept-unordered: ${losses.join('; ')}, and a failure stops nothing`);
  }
  for (const [id, { semantics: s }] of steps) {
    if (s.continueOnError && guarantees.order) {
      warnings.push(`step ${id} has continueOnError, which ${flavor} cannot express: if one of its tasks fails, ${guarantees.afterFailure}, so the later steps do not run`);
    }
    if (s.maxAttempts > 1) {
      warnings.push(`step ${id} has failurePolicy.maxAttempts ${s.maxAttempts}, which ${flavor} cannot express: a failed task is not retried (apply-once names); re-run it with kubectl sei plan apply, or commit a new task`);
    }
  }
  return warnings;
}
