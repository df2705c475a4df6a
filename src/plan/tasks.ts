/**
 * One plan item → one SeiNodeTask: evaluates the step's params for the item and renders them
 * through the catalog's template (src/render: the same renderer as `task render`), with the
 * plan's stable name, labels and annotations. Late parameters (RestartPod's podUID) are given
 * by the caller (read immediately before the write) or get the preflight placeholder for
 * offline rendering. Pure; validation against the CRD is the caller's (it is async).
 */
import type { ApiFlavor, Catalog } from '../catalog/types.js';
import { publishedOutputs, unpublishedOutputReason } from '../catalog/controller-versions.js';
import { PEER_CHECKS } from '../catalog/checks.js';
import type { KubeObject } from '../cluster/types.js';
import { renderTask } from '../render/index.js';
import { SeiError } from '../errors/index.js';
import { evaluateDeep, type ExprContext } from './expressions.js';
import type { KindLookup, KindInfo } from './load.js';
import { taskAnnotations, taskLabels } from './naming.js';
import type { GraphStep, PlanItem } from './types.js';

/** Marks a late value in offline renders; never a real UID, so it can restart nothing. */
export const LATE_PLACEHOLDER = 'read-by-preflight-before-apply';

/**
 * The plan's view of the catalog. With a controller version, a step's outputs are the ones that
 * version publishes, and a reference to one it does not is refused with the alternative.
 */
export function kindLookup(catalog: Catalog, version?: ApiFlavor): KindLookup {
  const infos = new Map<string, KindInfo>();
  for (const spec of catalog.kinds()) {
    const outputs = version ? publishedOutputs(spec, version) : spec.outputs;
    infos.set(spec.kind, {
      kind: spec.kind,
      outputs: outputs.map((o) => o.name),
      outputPaths: outputs,
      broadcasts: spec.broadcasts,
      unpublished: (output) => (version ? unpublishedOutputReason(spec, output, version) : undefined),
      // A StateSync retry wipes the node again: like a broadcast, never retried implicitly.
      ...(spec.broadcasts || spec.destructive ? { noImplicitRetry: true } : {}),
      resource: spec.resource ?? 'SeiNodeTask',
      preflight: spec.preflight,
      needsPeers: spec.preflight.some((c) => PEER_CHECKS.includes(c)),
    });
  }
  return {
    // The plan names kinds PascalCase; the catalog also accepts kebab names.
    find: (kind) => infos.get(kind) ?? (catalog.find(kind) ? infos.get(catalog.find(kind)!.kind) : undefined),
    names: () => [...infos.keys()].sort(),
  };
}

export interface BuildTaskInput {
  catalog: Catalog;
  planName: string;
  planId: string;
  namespace: string;
  step: GraphStep;
  item: PlanItem;
  attempt: number;
  name: string;
  context: ExprContext;
  /** Values for late parameters (podUID); placeholder when absent. */
  late?: Record<string, unknown>;
}

export function buildTask(input: BuildTaskInput): KubeObject {
  const { step } = input.step;
  const spec = input.catalog.require(step.kind!);
  let params: Record<string, unknown>;
  try {
    params = (evaluateDeep(step.params ?? {}, input.context) ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw SeiError.invalid(`step ${step.id} item ${input.item.index} (${input.item.node}): ${(error as Error).message}`, [
      { field: `spec.steps[${input.step.order}].params`, type: 'FieldValueInvalid', message: (error as Error).message },
    ]);
  }
  if (step.requirePhase !== undefined) params['requirePhase'] = step.requirePhase;
  if (step.timeoutSeconds !== undefined) params['timeoutSeconds'] = step.timeoutSeconds;
  for (const p of spec.params) {
    if (!p.late || params[p.name] !== undefined) continue;
    params[p.name] = input.late?.[p.name] ?? LATE_PLACEHOLDER;
  }
  const key = { planName: input.planName, planId: input.planId, stepId: step.id, stepOrder: input.step.order, index: input.item.index, attempt: input.attempt, node: input.item.node, kind: spec.kind };
  return renderTask(input.catalog, {
    kind: spec.kind,
    node: input.item.node,
    name: input.name,
    namespace: input.namespace,
    params,
    labels: taskLabels(key),
    annotations: taskAnnotations(key),
  });
}
