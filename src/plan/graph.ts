/**
 * The execution graph: each step with its defaults applied and its dependencies explicit
 * (the previous step unless dependsOn says otherwise), and fan-out expansion into items.
 * Pure: the fleet comes in as data.
 */
import { SeiError } from '../errors/index.js';
import { evaluate, evaluateDeep, type ExprContext } from './expressions.js';
import type { KindLookup } from './load.js';
import type { FleetNode, GraphStep, LabelSelector, PlanItem, PlanManifest, PlanStep } from './types.js';

export function buildGraph(manifest: PlanManifest, kinds?: KindLookup, globalMaxParallel = 0): GraphStep[] {
  const planPolicy = manifest.spec.failurePolicy ?? {};
  return manifest.spec.steps.map((step, order) => {
    const info = step.kind ? kinds?.find(step.kind) : undefined;
    const broadcasts = (info?.broadcasts ?? false) || (info?.noImplicitRetry ?? false);
    // A retry of a gov kind broadcasts again: only an explicit step policy may allow it.
    const policy = broadcasts ? (step.failurePolicy ?? {}) : { ...planPolicy, ...(step.failurePolicy ?? {}) };
    const own = step.maxParallel ?? 0;
    const maxParallel = globalMaxParallel > 0 ? (own > 0 ? Math.min(own, globalMaxParallel) : globalMaxParallel) : own;
    return {
      step,
      order,
      dependsOn: step.dependsOn ?? (order > 0 ? [manifest.spec.steps[order - 1]!.id] : []),
      maxAttempts: policy.maxAttempts ?? 1,
      backoffSeconds: policy.backoffSeconds ?? 0,
      maxParallel,
      continueOnError: step.continueOnError ?? false,
      approval: step.approval !== undefined,
    };
  });
}

function matches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The selector with its template values resolved (inputs may choose the chain). */
export function resolveSelector(selector: LabelSelector, context: ExprContext): LabelSelector {
  return evaluateDeep(selector, context) as LabelSelector;
}

/** The apiserver's label-selector string for a resolved selector. */
export function selectorString(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In' || e.operator === 'NotIn') parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export function selectNodes(selector: LabelSelector, fleet: FleetNode[]): string[] {
  return fleet.filter((n) => matches(selector, n.labels)).map((n) => n.name).sort();
}

/**
 * A step's items. Selector matches are sorted by name so the index of a node is stable; explicit
 * node lists keep their order; forEach.step reuses the referenced step's items.
 */
export function expandItems(step: PlanStep, context: ExprContext, fleet: FleetNode[] | undefined, itemsOf: (stepId: string) => PlanItem[] | undefined): PlanItem[] {
  if (!step.forEach) {
    if (step.node === undefined) return [];
    return [{ index: 0, node: String(evaluate(step.node, context)) }];
  }
  const { nodes, selector, step: ref } = step.forEach;
  if (nodes) {
    const items = nodes.map((n, index) => ({ index, node: String(evaluate(n, context)) }));
    // Templates may resolve to the same node (the literal case is refused when the plan loads).
    const seen = new Map<string, number>();
    for (const item of items) {
      const first = seen.get(item.node);
      if (first !== undefined) {
        throw SeiError.invalid(`step ${step.id}: forEach.nodes[${item.index}] resolves to node ${JSON.stringify(item.node)}, already at forEach.nodes[${first}]; a node may be listed once`, [
          { field: `forEach.nodes[${item.index}]`, type: 'FieldValueDuplicate', message: `duplicate node ${JSON.stringify(item.node)}` },
        ]);
      }
      seen.set(item.node, item.index);
    }
    return items;
  }
  if (ref) return (itemsOf(ref) ?? []).map((i) => ({ ...i }));
  if (selector) {
    if (!fleet) throw new Error(`step ${step.id}: forEach.selector needs the fleet (the cluster, or --fleet FILE offline)`);
    const mode = step.forEach.mode === undefined ? '' : String(evaluate(step.forEach.mode, context));
    // A node whose mode is unknown (an offline fleet file without it) is kept: the controller decides.
    const eligible = mode === '' ? fleet : fleet.filter((n) => n.mode === undefined || n.mode === mode);
    return selectNodes(resolveSelector(selector, context), eligible).map((node, index) => ({ index, node }));
  }
  return [];
}
