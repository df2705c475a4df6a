/**
 * SeiNodes as the controller runs them, for `node get|describe|wait` and update-image's
 * narration: the node's own plan (status.plan: init plans, image rolls), its conditions, the
 * workflow it adopted, and the tasks and workflows that target it. Reads only.
 *
 * Upstream semantics followed (sei-k8s-controller 2d670ad):
 *   - a failed task fails the plan and stamps failedTaskIndex/failedTaskDetail and the plan's
 *     failedPhase on the node (internal/planner/executor.go:205-235);
 *   - a Failed node returns before planning, so its failed init plan stays visible
 *     (internal/controller/node/controller.go:131);
 *   - otherwise a terminal plan is cleared on the next reconcile, with NodeUpdateInProgress
 *     False/UpdateComplete or UpdateFailed "plan <id> failed: …" (internal/planner/planner.go:211-236).
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import * as nodes from '../output/node-view.js';
import type { Progress } from '../output/progress.js';
import { condition } from '../output/task-view.js';
import { describePlanEvent, failedTask, followObject, planOf, PlanTracker, type TaskPlan } from '../watch/follow-plan.js';
import { getNamed, listNamed, type NamedResource, type ObjectQuery } from './named-objects.js';
import { notFoundNear } from './preflight.js';
import { eventsFor } from './workflows.js';
import { NODE_API, WORKFLOW_API } from './workflow-preflight.js';
import { preciseDuration } from '../output/human-duration.js';

/** SeiNodes as their reads name them. */
const NODE_RESOURCE: NamedResource = { ...NODE_API, resource: 'seinodes.sei.io', listCommand: 'kubectl sei node get' };

export function getNode(client: ClusterClient, name: string, namespace = client.namespace): Promise<KubeObject> {
  return getNamed(client, NODE_RESOURCE, name, namespace);
}

/** Named nodes in order (every name must exist), or all matching the selectors. */
export function listNodes(client: ClusterClient, query: ObjectQuery): Promise<KubeObject[]> {
  return listNamed(client, NODE_RESOURCE, query);
}

export interface NodeDescription {
  node: KubeObject;
  events: KubeObject[];
  tasks: KubeObject[];
  workflows: KubeObject[];
}

/** The node, its Events, and the SeiNodeTasks and SeiNodeTaskWorkflows that target it. */
export async function describeNodeData(client: ClusterClient, name: string, namespace = client.namespace): Promise<NodeDescription> {
  const node = await getNode(client, name, namespace);
  const targets = (o: KubeObject) => ((((o['spec'] as Record<string, unknown>)?.['target'] as Record<string, unknown>)?.['nodeRef'] as Record<string, unknown>)?.['name']) === name;
  const optionalList = async (kind: string): Promise<KubeObject[]> => {
    try {
      return (await client.list('sei.io/v1alpha1', kind, { namespace })).items.filter(targets);
    } catch {
      return []; // a cluster without the workflow CRD (older controller) still describes its nodes
    }
  };
  const [events, tasks, workflows] = await Promise.all([eventsFor(client, 'SeiNode', name, namespace), optionalList('SeiNodeTask'), optionalList(WORKFLOW_API.kind)]);
  return { node, events, tasks, workflows };
}

export type NodeWaitFor = 'running' | 'plan';

export interface NodeVerdict {
  name: string;
  namespace: string;
  outcome: 'Complete' | 'Failed' | 'Timeout' | 'Interrupted' | 'Deleted';
  reason?: string;
  message?: string;
  object?: KubeObject;
  /** The failed plan task, when the plan failed. */
  failed?: { index?: number; type: string; error?: string; retryCount?: number; maxRetries?: number };
  durationMs: number;
}

/** "task 3 (configure-state-sync): <error> (retries 3/3)". */
export function failedTaskText(failed: NonNullable<NodeVerdict['failed']>): string {
  const retries = failed.maxRetries ? ` (retries ${failed.retryCount ?? 0}/${failed.maxRetries})` : '';
  return `${failed.index !== undefined ? `failedTaskIndex ${failed.index} ` : ''}(${failed.type})${failed.error ? `: ${failed.error}` : ''}${retries}`;
}

function planFailure(plan: TaskPlan): NodeVerdict['failed'] {
  const { index, detail } = failedTask(plan);
  return { ...(index !== undefined ? { index } : {}), type: detail?.type ?? '?', ...(detail?.error ? { error: detail.error } : {}), ...(detail?.retryCount !== undefined ? { retryCount: detail.retryCount } : {}), ...(detail?.maxRetries !== undefined ? { maxRetries: detail.maxRetries } : {}) };
}

type Decision = Pick<NodeVerdict, 'outcome' | 'reason' | 'message' | 'failed'>;

/**
 * The verdict of one observation for `--for running` (the node is Running with no active
 * plan) or `--for plan` (the plan in progress, or the next one, ended). Pure.
 * `sawPlan` is the last plan seen on earlier observations (plans are cleared when they end).
 */
export function nodeDecision(node: KubeObject, waitFor: NodeWaitFor, sawPlan: TaskPlan | undefined): Decision | undefined {
  const plan = planOf(node);
  const phase = nodes.nodePhase(node);
  if (plan?.phase === 'Failed' || (phase === 'Failed' && plan)) {
    const failed = planFailure(plan);
    return { outcome: 'Failed', reason: 'PlanFailed', message: `plan ${plan.id ?? ''} failed at ${failed ? failedTaskText(failed) : 'an unknown task'}`.replace('plan  ', 'plan '), ...(failed ? { failed } : {}) };
  }
  if (phase === 'Failed') return { outcome: 'Failed', reason: 'NodeFailed', message: 'the SeiNode is in phase Failed (delete and recreate it to retry)' };
  const update = condition(node, 'NodeUpdateInProgress');
  if (!plan && sawPlan && update?.status === 'False' && update.reason === 'UpdateFailed') {
    const failed = planFailure(sawPlan);
    return { outcome: 'Failed', reason: 'UpdateFailed', message: update.message ?? 'update plan failed', ...(failed ? { failed } : {}) };
  }
  if (waitFor === 'running') {
    if (phase === 'Running' && (!plan || plan.phase === 'Complete')) return { outcome: 'Complete', reason: 'Running' };
    return undefined;
  }
  if (plan?.phase === 'Complete' || (!plan && sawPlan)) return { outcome: 'Complete', reason: 'PlanComplete' };
  if (!plan && !sawPlan && phase === 'Running' && update?.status !== 'True') return { outcome: 'Complete', reason: 'NoPlan', message: 'the node has no plan in progress' };
  return undefined;
}

export interface WaitNodeOptions {
  name: string;
  namespace?: string;
  for: NodeWaitFor;
  timeoutMs: number;
  signal?: AbortSignal;
  progress: Progress;
  onObject?: (object: KubeObject) => void;
  /** Narrate the plan task by task (default true). */
  narrate?: boolean;
}

/**
 * Follows one SeiNode's plan task by task to a verdict (one watch). Used by `node wait` and
 * by update-image's narration of the node's update plan.
 */
export async function waitNode(client: ClusterClient, options: WaitNodeOptions): Promise<NodeVerdict> {
  const namespace = options.namespace ?? client.namespace;
  const started = Date.now();
  const tracker = new PlanTracker();
  let lastPhase = '';
  const outcome = await followObject<Decision>(client, {
    ...NODE_API,
    namespace,
    name: options.name,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    onObject: (object) => {
      options.onObject?.(object);
      const phase = nodes.nodePhase(object) || 'Pending';
      if (phase !== lastPhase) {
        options.progress.update(`SeiNode ${options.name}: ${phase}`);
        lastPhase = phase;
      }
      if (options.narrate === false) return;
      for (const event of tracker.observe(object)) {
        const line = describePlanEvent(event);
        if (line) options.progress.event(line);
      }
    },
    decide: (object) => nodeDecision(object, options.for, tracker.lastSeen),
  });
  const base = { name: options.name, namespace, durationMs: Date.now() - started };
  switch (outcome.kind) {
    case 'decided':
      return { ...base, ...outcome.result, object: outcome.object };
    case 'not-found':
      throw await notFoundNear(client, NODE_RESOURCE, options.name, namespace);
    case 'deleted':
      return { ...base, outcome: 'Deleted', reason: 'Deleted', message: `SeiNode ${namespace}/${options.name} was deleted while waiting`, ...(outcome.object ? { object: outcome.object } : {}) };
    case 'interrupted':
      return { ...base, outcome: 'Interrupted', reason: 'Interrupted', ...(outcome.object ? { object: outcome.object } : {}) };
    case 'timeout': {
      const plan = outcome.object ? nodes.planSummary(outcome.object) : '';
      const stalled = outcome.object ? stalledTask(outcome.object) : undefined;
      return {
        ...base,
        outcome: 'Timeout',
        reason: 'Timeout',
        message: `SeiNode ${options.name} is ${outcome.object ? nodes.nodePhase(outcome.object) || 'Pending' : 'not seen'}${plan ? `, plan ${plan}` : ''}${stalled ? `; stalled at plan task ${stalled}` : ''}`,
        ...(outcome.object ? { object: outcome.object } : {}),
      };
    }
  }
}

/** The plan task a node's active plan is on, for "stalled at": "reset-data (3/6, Running since …)". */
export function stalledTask(node: KubeObject): string | undefined {
  const plan = planOf(node);
  if (!plan || plan.phase === 'Complete' || plan.phase === 'Failed') return undefined;
  const index = plan.tasks.findIndex((t) => t.status !== 'Complete');
  const task = plan.tasks[index];
  if (!task) return undefined;
  return `${task.type} (${index + 1}/${plan.tasks.length}, ${task.status ?? 'Pending'}${task.submittedAt ? ` since ${task.submittedAt}` : ''}${task.error ? `, last error: ${task.error}` : ''})`;
}

export function nodeVerdictLine(verdict: NodeVerdict): string {
  const outcome = verdict.outcome === 'Timeout' ? 'not done after the timeout' : verdict.outcome;
  return `SeiNode ${verdict.name} ${outcome}${verdict.reason && verdict.outcome !== 'Timeout' ? ` ${verdict.reason}` : ''}${verdict.message ? `: ${verdict.message}` : ''} (${preciseDuration(verdict.durationMs)})`;
}

export function nodeVerdictToError(verdict: NodeVerdict): SeiError | undefined {
  const ns = ` -n ${verdict.namespace}`;
  switch (verdict.outcome) {
    case 'Complete':
    case 'Interrupted':
      return undefined;
    case 'Failed':
      return SeiError.taskFailed(verdict.reason ?? 'Failed', `SeiNode "${verdict.name}" ${verdict.message ?? 'failed'}`, [`kubectl sei node describe ${verdict.name}${ns}`]);
    case 'Deleted':
      return SeiError.taskFailed('Deleted', verdict.message ?? `SeiNode "${verdict.name}" was deleted`);
    case 'Timeout':
      return SeiError.timeout(`timed out waiting for SeiNode "${verdict.name}": ${verdict.message ?? ''}`, [`kubectl sei node describe ${verdict.name}${ns}`, `keep waiting: kubectl sei node wait ${verdict.name}${ns} --timeout 30m`]);
  }
}

/**
 * Narrates one node's plan task by task until `signal` aborts (update-image: the node's update
 * plan behind an UpdateNodeImage task). Best-effort narration: the task's own verdict decides
 * the outcome. Resolves with what it saw, so the caller can name the failed or stalled task.
 */
export async function narrateNodePlan(client: ClusterClient, namespace: string, name: string, progress: Progress, signal: AbortSignal): Promise<{ node?: KubeObject; plan?: TaskPlan; failure?: string }> {
  const tracker = new PlanTracker();
  let last: KubeObject | undefined;
  let failure: string | undefined;
  try {
    await followObject<never>(client, {
      ...NODE_API,
      namespace,
      name,
      timeoutMs: -1,
      signal,
      awaitCreation: true,
      onObject: (object) => {
        last = object;
        for (const event of tracker.observe(object)) {
          const line = describePlanEvent(event);
          if (line) progress.event(line);
          if (event.type === 'plan-failed') failure = `update plan failed at ${failedTaskText(planFailure(event.plan) ?? { type: '?' })}`;
        }
        const update = condition(object, 'NodeUpdateInProgress');
        if (!failure && update?.status === 'False' && update.reason === 'UpdateFailed' && tracker.lastSeen) failure = `update plan failed: ${update.message ?? ''}`;
      },
      decide: () => undefined,
    });
  } catch (error) {
    if (!signal.aborted) progress.note(`(stopped following SeiNode ${name}'s plan: ${error instanceof Error ? error.message : String(error)})`);
  }
  return { ...(last ? { node: last } : {}), ...(tracker.lastSeen ? { plan: tracker.lastSeen } : {}), ...(failure ? { failure } : {}) };
}

/** What to add to an update-image verdict: the failed plan task, or the one it stalls at. */
export function planVerdictNote(seen: { node?: KubeObject; failure?: string }): string | undefined {
  if (seen.failure) return seen.failure;
  const stalled = seen.node ? stalledTask(seen.node) : undefined;
  return stalled ? `the node's update plan is stalled at ${stalled}` : undefined;
}
