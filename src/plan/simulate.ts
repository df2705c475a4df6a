/** The plan classifier behind `plan simulate`: pure, over a fleet; never writes. */
import { evaluate, outputDependencies, templateStrings, truthy, type ExprContext } from './expressions.js';
import { buildGraph, expandItems } from './graph.js';
import { taskName } from './naming.js';
import type { FleetNode, PlanItem, Prepared, Scalar } from './types.js';

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
      let refused: ReturnType<typeof workflowBlock>;
      const sim: SimItem = { index: item.index, node: item.node, name: `${manifest.metadata.name}-<id>-${step.id}-${item.index}`, class: 'pending' };
      if (servedKinds && !servedKinds.has(kind)) Object.assign(sim, { class: 'blocked', reason: 'UnsupportedKind', message: `the cluster's ${kinds.find(kind)?.resource ?? 'SeiNodeTask'} CRD does not serve ${kind} (it serves ${[...servedKinds].sort().join(', ')})` });
      else if (!node) Object.assign(sim, { class: 'blocked', reason: 'TargetResolveFailed', message: `SeiNode ${item.node} not found in ${namespace}` });
      else if (kinds.find(kind)?.needsPeers && !node.hasPeers) Object.assign(sim, { class: 'blocked', reason: 'ParamsBuildFailed', message: `SeiNode ${item.node} has no peer sources (spec.peers empty or unresolved): ${kind} would fail` });
      else if ((refused = workflowBlock(kinds.find(kind)?.preflight, node, step.params, base, item))) Object.assign(sim, refused);
      else if ((node.phase ?? 'Pending') !== wantPhase) Object.assign(sim, { class: 'blocked', reason: 'PhaseNotMet', message: `SeiNode ${item.node} is ${node.phase ?? 'Pending'}, not ${wantPhase} (requirePhase): the task would wait requirePhaseTimeout, then fail` });
      else if (outputDependencies(step.params).size === 0) {
        try {
          // Parameters that need no outputs are evaluated now, so a bad reference shows here.
          for (const { text } of templateStrings(g.step.params)) evaluate(text, { ...base, item: { name: item.node, index: item.index } });
        } catch (error) {
          Object.assign(sim, { class: 'blocked', reason: 'InvalidParams', message: (error as Error).message });
        }
      }
      if (sim.class === 'pending' && node?.workflow && !node.workflow.failedHeld && kinds.find(kind)?.preflight?.includes('queued-workflow')) {
        Object.assign(sim, { reason: 'QueuedBehindActive', message: `SeiNode ${item.node} has workflow ${node.workflow.name} adopted: this one queues behind it` });
      }
      out.items.push(sim);
      summary[sim.class]++;
    }
    if (out.items.some((i) => i.class === 'blocked')) out.class = 'blocked';
  }
  return { planName: manifest.metadata.name, namespace, inputs, steps, summary };
}

/**
 * The refusals of a workflow kind's preflight checks (the catalog's names), predicted from the
 * fleet as the SeiNode controller decides them (upstream internal/controller/node/workflow.go,
 * internal/planner/workflow.go at 2d670ad). Unknown facts (an offline fleet without them) block nothing.
 */
function workflowBlock(checks: string[] | undefined, node: FleetNode, params: Record<string, unknown> | undefined, base: ExprContext, item: PlanItem): Pick<SimItem, 'class' | 'reason' | 'message'> | undefined {
  if (!checks) return undefined;
  if (checks.includes('target-full-node') && node.mode !== undefined && node.mode !== 'fullNode') {
    return { class: 'blocked', reason: 'TargetRejected', message: `${node.mode || 'non-full'} target is ineligible; workflows target full/RPC nodes only` };
  }
  if (checks.includes('no-held-workflow') && node.workflow?.failedHeld) {
    return { class: 'blocked', reason: 'WorkflowFailedHeld', message: `SeiNode ${node.name} is held by the Failed workflow ${node.workflow.name}: release it first (kubectl sei workflow delete ${node.workflow.name} --force)` };
  }
  if (checks.includes('target-not-paused') && node.paused) return { class: 'blocked', reason: 'TargetPaused', message: `SeiNode ${node.name} is paused: the workflow would wait until it is unpaused` };
  if (checks.includes('witnesses')) {
    let given = 0;
    const raw = params?.['rpcServers'];
    if (raw !== undefined && outputDependencies(raw).size === 0) {
      const value = typeof raw === 'string' ? evaluate(raw, { ...base, item: { name: item.node, index: item.index } }) : raw;
      given = Array.isArray(value) ? value.length : 0;
    }
    const witnesses = given > 0 ? given : node.stateSyncers;
    if (witnesses !== undefined && witnesses < 2) {
      return { class: 'blocked', reason: 'PlanBuildFailed', message: `stateSync workflow fail-closed: need >=2 resolved witnesses (recipe rpcServers or node.status.resolvedStateSyncers), have ${witnesses}` };
    }
  }
  return undefined;
}
