/** `plan render`: every task the plan would create on first attempts, validated. */
import { randomUUID } from 'node:crypto';
import { toSafeYamlStream } from '../domain/yaml.js';
import type { Catalog } from '../catalog/types.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/index.js';
import { evaluate, outputDependencies, truthy, type ExprContext } from '../plan/expressions.js';
import { buildGraph, expandItems } from '../plan/graph.js';
import { fleetFromCluster } from '../plan/fleet.js';
import { checkPlanId, taskName } from '../plan/naming.js';
import { buildTask } from '../plan/tasks.js';
import type { FleetNode, PlanItem, PlanSource } from '../plan/types.js';
import { needsFleet, preparePlan, requireFanOut, validateObjects } from './plan-prepare.js';

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
  /** Each step's items as far as known before the run (the run record's size is checked with them). */
  items: Record<string, PlanItem[]>;
}

/**
 * Every task the plan would create on first attempts, validated. Steps whose params or `when`
 * need another step's outputs are known only at run time and are listed in notes.
 */
export async function renderPlan(options: RenderPlanOptions): Promise<RenderPlanResult> {
  checkPlanId(options.planId);
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
  await requireFanOut(prepared, fleet, namespace, planId);
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
  const text = toSafeYamlStream(objects);
  return { planId, namespace, objects, text, notes, items };
}
