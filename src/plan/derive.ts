/**
 * Plan state from the cluster alone: the run record (ConfigMap: manifest, inputs, approvals,
 * resolved items) plus the plan's tasks (found by the sei.io/plan-id label) give every step's
 * and item's state, the verdict and what may launch next. The executor calls this after every
 * change, so a restarted executor — on any machine — decides exactly as the one that died.
 * Pure: no I/O, the clock comes in as `now`.
 */
import type { KubeObject } from '../cluster/types.js';
import { taskVerdict } from '../watch/verdict.js';
import { TASK_REASONS } from '../domain/task-reasons.js';
import { evaluate, truthy, type ExprContext } from './expressions.js';
import { buildGraph } from './graph.js';
import type { KindLookup } from './load.js';
import { keyOf, taskName } from './naming.js';
import { INITIAL, due, transition, type RetryState } from './retry.js';
import type { FailedTaskDetail, ItemVerdict, GraphStep, ItemStatus, PlanItem, PlanManifest, PlanPhase, PlanVerdict, Scalar, StepState, StepStatus } from './types.js';

export interface PlanRun {
  planId: string;
  namespace: string;
  manifest: PlanManifest;
  inputs: Record<string, Scalar>;
  approvals: Record<string, { approvedAt: string; by?: string }>;
  cancelled?: boolean;
  /** Items resolved when each step started (recorded so a changed fleet cannot reshuffle a run). */
  items: Record<string, PlanItem[]>;
  /** Items decided earlier (from the run record), by step id and item index. */
  verdicts?: Record<string, Record<string, ItemVerdict>>;
}

export interface Launch {
  step: GraphStep;
  item: PlanItem;
  attempt: number;
  name: string;
  context: ExprContext;
}

export interface Derived {
  verdict: PlanVerdict;
  graph: GraphStep[];
  /** Items that may start now, in order, already capped by each step's maxParallel. */
  launchable: Launch[];
  /** Steps whose dependencies are done but whose items are not resolved yet. */
  toResolve: GraphStep[];
  /** Earliest retry time still in the future, to wake up for. */
  nextWakeAt?: number;
  running: number;
}

/** Pulls `{.status.outputs.x.y}`-style paths out of a task. */
export function readJsonPath(object: unknown, jsonPath: string): unknown {
  const path = jsonPath.replace(/^\{?\.?/, '').replace(/\}$/, '');
  let current: unknown = object;
  for (const part of path.split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function outputsOf(task: KubeObject, kind: string | undefined, kinds: KindLookup | undefined): Record<string, unknown> {
  const info = kind ? kinds?.find(kind) : undefined;
  const out: Record<string, unknown> = {};
  for (const spec of info?.outputPaths ?? []) {
    const value = readJsonPath(task, spec.jsonPath);
    if (value !== undefined) out[spec.name] = value;
  }
  return out;
}

function failedAt(task: KubeObject, now: number): number {
  const status = (task['status'] ?? {}) as { conditions?: Array<{ type?: string; lastTransitionTime?: string }>; phaseTransitionTime?: string };
  const stamp = status.conditions?.find((c) => c.type === 'Failed')?.lastTransitionTime ?? status.phaseTransitionTime;
  const t = stamp ? Date.parse(stamp) : NaN;
  return Number.isFinite(t) ? t : now;
}

const DONE: ReadonlySet<StepState> = new Set(['succeeded', 'skipped', 'approved']);

export function derive(run: PlanRun, tasks: readonly KubeObject[], now: number, kinds?: KindLookup, globalMaxParallel = 0): Derived {
  const { manifest, planId } = run;
  const planName = manifest.metadata.name;
  const graph = buildGraph(manifest, kinds, globalMaxParallel);
  const byStep = new Map<string, Map<number, KubeObject[]>>();
  for (const task of tasks) {
    const key = keyOf(task.metadata.labels);
    if (!key || key.planId !== planId) continue;
    const step = byStep.get(key.stepId) ?? new Map<number, KubeObject[]>();
    const list = step.get(key.index) ?? [];
    list.push(task);
    step.set(key.index, list);
    byStep.set(key.stepId, step);
  }
  const attemptOf = (t: KubeObject): number => keyOf(t.metadata.labels)?.attempt ?? 1;

  const statuses = new Map<string, StepStatus>();
  const outputs: Record<string, { outputs: Record<string, unknown>; byNode: Map<string, Record<string, unknown>> }> = {};
  const baseContext = (): ExprContext => ({
    inputs: run.inputs,
    plan: { id: planId, name: planName, namespace: run.namespace },
    steps: Object.fromEntries(Object.entries(outputs).map(([id, o]) => [id, { outputs: o.outputs }])),
  });
  const itemContext = (item: PlanItem): ExprContext => ({
    ...baseContext(),
    item: { name: item.node, index: item.index },
    // A fan-out step reading a fan-out step's outputs gets the same node's outputs when there are any.
    steps: Object.fromEntries(Object.entries(outputs).map(([id, o]) => [id, { outputs: o.byNode.get(item.node) ?? o.outputs }])),
  });

  const launchable: Launch[] = [];
  const toResolve: GraphStep[] = [];
  let nextWakeAt: number | undefined;
  let running = 0;
  const tolerated: FailedTaskDetail[] = [];

  for (const g of graph) {
    const { step } = g;
    const depsDone = g.dependsOn.every((d) => DONE.has(statuses.get(d)?.state ?? 'pending'));
    const status: StepStatus = { id: step.id, ...(step.kind ? { kind: step.kind } : {}), order: g.order, state: 'pending', items: [], counts: { total: 0, done: 0, failed: 0, running: 0, pending: 0 } };
    statuses.set(step.id, status);
    if (g.approval) {
      if (run.approvals[step.id]) status.state = 'approved';
      else if (depsDone) {
        status.state = 'waiting-approval';
        status.message = step.approval!.message;
      }
      continue;
    }
    const stepTasks = byStep.get(step.id);
    if (depsDone && step.when !== undefined && !stepTasks) {
      let enabled: boolean;
      try {
        enabled = truthy(typeof step.when === 'boolean' ? step.when : evaluate(step.when, baseContext()));
      } catch (error) {
        enabled = false;
        status.message = `when: ${(error as Error).message}`;
      }
      if (!enabled) {
        status.state = 'skipped';
        status.message ??= `when ${JSON.stringify(step.when)} is false`;
        continue;
      }
    }
    const items = run.items[step.id];
    if (!items) {
      status.unresolved = true;
      if (depsDone) toResolve.push(g);
      continue;
    }
    const stepOutputs = { outputs: {} as Record<string, unknown>, byNode: new Map<string, Record<string, unknown>>() };
    let inFlight = 0;
    for (const item of items) {
      const attempts = (stepTasks?.get(item.index) ?? []).sort((a, b) => attemptOf(a) - attemptOf(b));
      let state: RetryState = INITIAL;
      let last: KubeObject | undefined;
      let reason: string | undefined;
      let message: string | undefined;
      for (const task of attempts) {
        // A task for an attempt the machine would not start (duplicates, gaps) is still followed.
        if (state.state !== 'pending') state = { state: 'pending', attempts: state.attempts };
        state = transition(state, { type: 'start' }, g);
        state = { ...state, attempts: Math.max(state.attempts, attemptOf(task)) };
        last = task;
        const v = taskVerdict(task);
        if (v.state === 'Complete') state = transition(state, { type: 'succeed' }, g);
        else if (v.state === 'Failed') {
          // TxFailed / InclusionUndetermined: a retry would broadcast again; never automatic.
          state = transition(state, { type: 'fail', at: failedAt(task, now), final: TASK_REASONS[v.reason ?? '']?.noAutomaticRetry === true }, g);
          reason = v.reason;
          message = v.message;
        } else {
          reason = undefined;
          message = undefined;
        }
      }
      // A recorded verdict stands even when its task is gone (deleted while nothing watched).
      const decided = run.verdicts?.[step.id]?.[String(item.index)];
      if (decided && (state.state === 'pending' || state.state === 'running')) {
        state = { state: decided.state, attempts: Math.max(state.attempts, decided.attempts) };
        reason = decided.reason;
        message = decided.message;
      }
      const item$: ItemStatus = {
        index: item.index,
        node: item.node,
        state: state.state,
        attempts: state.attempts,
        maxAttempts: g.maxAttempts,
        taskName: decided && !last ? decided.task : last && state.state !== 'pending' ? (last.metadata.name ?? '') : taskName(planName, planId, step.id, item.index, state.attempts + 1),
        ...(last ? { task: last } : {}),
        ...(reason ? { reason } : {}),
        ...(message ? { message } : {}),
        ...(state.nextAttemptAt !== undefined ? { nextAttemptAt: state.nextAttemptAt } : {}),
      };
      if (state.state === 'succeeded' && (last || decided)) {
        const fromTask = last ? outputsOf(last, step.kind, kinds) : {};
        const out = Object.keys(fromTask).length > 0 ? fromTask : (decided?.outputs ?? fromTask);
        item$.outputs = out;
        stepOutputs.byNode.set(item.node, out);
        if (Object.keys(stepOutputs.outputs).length === 0) stepOutputs.outputs = out;
      }
      status.items.push(item$);
      status.counts.total++;
      if (state.state === 'succeeded') status.counts.done++;
      else if (state.state === 'failed') status.counts.failed++;
      else if (state.state === 'running') {
        status.counts.running++;
        inFlight++;
      } else status.counts.pending++;
    }
    outputs[step.id] = stepOutputs;
    running += inFlight;
    const c = status.counts;
    if (c.failed > 0 && !g.continueOnError) status.state = 'failed';
    else if (c.done + c.failed === c.total) {
      status.state = 'succeeded';
      if (c.failed > 0) {
        status.message = `${c.failed} of ${c.total} failed (continueOnError)`;
        for (const item of status.items.filter((i) => i.state === 'failed')) tolerated.push(detail(step.id, step.kind ?? '', item));
      }
    } else status.state = c.running > 0 || status.items.some((i) => i.attempts > 0) ? 'running' : 'pending';
    if (!depsDone && status.state === 'pending') continue;
    // Launch candidates: pending items that are due, within maxParallel.
    if (status.state === 'pending' || status.state === 'running') {
      let slots = g.maxParallel > 0 ? g.maxParallel - inFlight : Number.POSITIVE_INFINITY;
      for (const item$ of status.items) {
        if (item$.state !== 'pending') continue;
        const rs: RetryState = { state: 'pending', attempts: item$.attempts, ...(item$.nextAttemptAt !== undefined ? { nextAttemptAt: item$.nextAttemptAt } : {}) };
        if (!due(rs, now)) {
          nextWakeAt = Math.min(nextWakeAt ?? Number.POSITIVE_INFINITY, item$.nextAttemptAt!);
          continue;
        }
        if (slots <= 0) break;
        slots--;
        const item = { index: item$.index, node: item$.node };
        launchable.push({ step: g, item, attempt: item$.attempts + 1, name: taskName(planName, planId, step.id, item.index, item$.attempts + 1), context: itemContext(item) });
      }
    }
  }

  const steps = graph.map((g) => statuses.get(g.step.id)!);
  const failedStep = steps.find((s) => s.state === 'failed');
  const waiting = steps.find((s) => s.state === 'waiting-approval');
  let phase: PlanPhase;
  if (run.cancelled) phase = 'Cancelled';
  else if (failedStep) phase = 'Failed';
  else if (steps.every((s) => DONE.has(s.state))) phase = 'Complete';
  else if (waiting && launchable.length === 0 && running === 0 && toResolve.length === 0 && nextWakeAt === undefined) phase = 'WaitingApproval';
  else phase = tasks.length > 0 ? 'Running' : 'Pending';

  const verdict: PlanVerdict = {
    planId,
    planName,
    namespace: run.namespace,
    phase,
    steps,
    tasks: { total: steps.reduce((n, s) => n + s.counts.total, 0), created: tasks.filter((t) => keyOf(t.metadata.labels)?.planId === planId).length },
  };
  if (failedStep) {
    const item = failedStep.items.find((i) => i.state === 'failed')!;
    verdict.failedStep = failedStep.id;
    verdict.failedIndex = item.index;
    verdict.failedTaskDetail = detail(failedStep.id, failedStep.kind ?? '', item);
  }
  if (waiting && phase === 'WaitingApproval') verdict.waitingFor = { step: waiting.id, message: waiting.message ?? '' };
  if (tolerated.length > 0) verdict.toleratedFailures = tolerated;
  // Stop launching on the first failure, on cancel, and while an approval gates everything.
  const stopped = phase === 'Failed' || phase === 'Cancelled';
  return {
    verdict,
    graph,
    launchable: stopped ? [] : launchable,
    toResolve: stopped ? [] : toResolve,
    ...(nextWakeAt !== undefined && !stopped ? { nextWakeAt } : {}),
    running,
  };
}

function detail(stepId: string, kind: string, item: ItemStatus): FailedTaskDetail {
  return {
    name: item.taskName,
    kind,
    node: item.node,
    reason: item.reason ?? 'TaskFailed',
    message: item.message ?? '',
    attempts: item.attempts,
    maxAttempts: item.maxAttempts,
  };
}
