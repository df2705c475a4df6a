/**
 * The controller's own plans (`status.plan` on a SeiNode, and on a SeiNodeTaskWorkflow: the
 * same TaskPlan type, upstream api/v1alpha1/seinode_types.go) followed task by task. Two
 * halves: planEvents() is pure — it compares two observed plans and says what changed (a new
 * plan, a task that started, completed, failed or was retried, the plan's end); followObject()
 * follows ONE object over one watch until a caller's decide() returns a result. node wait,
 * the workflow commands and update-image all narrate through these, so a plan reads the same
 * wherever it is shown.
 * Must not: write to the cluster, print, or poll.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { waitDeadline } from './wait-deadline.js';

export interface PlannedTask {
  type: string;
  id?: string;
  status?: string;
  params?: unknown;
  submittedAt?: string;
  error?: string;
  maxRetries?: number;
  retryCount?: number;
}

export interface FailedTaskInfo {
  type: string;
  id?: string;
  error?: string;
  retryCount?: number;
  maxRetries?: number;
}

export interface TaskPlan {
  id?: string;
  phase?: string;
  tasks: PlannedTask[];
  targetPhase?: string;
  failedPhase?: string;
  failedTaskIndex?: number;
  failedTaskDetail?: FailedTaskInfo;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** status.plan of a SeiNode or a SeiNodeTaskWorkflow, or undefined. */
export function planOf(object: KubeObject | undefined): TaskPlan | undefined {
  if (!object) return undefined;
  const plan = record(record(object['status'])['plan']);
  if (!Array.isArray(plan['tasks'])) return undefined;
  return {
    ...(plan as Omit<TaskPlan, 'tasks'>),
    tasks: (plan['tasks'] as unknown[]).map((t) => record(t)).filter((t) => typeof t['type'] === 'string') as unknown as PlannedTask[],
  };
}

export type PlanEvent =
  | { type: 'plan-started'; plan: TaskPlan }
  | { type: 'task'; plan: TaskPlan; index: number; task: PlannedTask; from?: string; to: string }
  | { type: 'task-retry'; plan: TaskPlan; index: number; task: PlannedTask }
  | { type: 'plan-complete'; plan: TaskPlan }
  | { type: 'plan-failed'; plan: TaskPlan; index?: number; detail?: FailedTaskInfo }
  /** The plan went away before we saw it end (the node controller clears terminal plans). */
  | { type: 'plan-cleared'; plan: TaskPlan };

/** The index of the task a plan is on: the first not Complete (the executor runs them in order). */
export function currentTaskIndex(plan: TaskPlan): number | undefined {
  const index = plan.tasks.findIndex((t) => t.status !== 'Complete');
  return index < 0 ? undefined : index;
}

/** The failed task of a failed plan: failedTaskIndex, else the first Failed task. */
export function failedTask(plan: TaskPlan): { index?: number; detail?: FailedTaskInfo } {
  const index = typeof plan.failedTaskIndex === 'number' ? plan.failedTaskIndex : plan.tasks.findIndex((t) => t.status === 'Failed');
  const task = index !== undefined && index >= 0 ? plan.tasks[index] : undefined;
  const detail = plan.failedTaskDetail ?? (task ? { type: task.type, error: task.error ?? '', retryCount: task.retryCount ?? 0, maxRetries: task.maxRetries ?? 0 } : undefined);
  return { ...(index !== undefined && index >= 0 ? { index } : {}), ...(detail ? { detail } : {}) };
}

/**
 * What changed between two observations of a plan, in order. A different plan id is a new
 * plan (its tasks are reported from their first observed state); every task status change is
 * one event, a higher retryCount one 'task-retry'.
 */
export function planEvents(previous: TaskPlan | undefined, next: TaskPlan | undefined): PlanEvent[] {
  if (!next) {
    return previous && previous.phase !== 'Complete' && previous.phase !== 'Failed' ? [{ type: 'plan-cleared', plan: previous }] : [];
  }
  const samePlan = previous !== undefined && (previous.id ?? '') === (next.id ?? '') && previous.tasks.length === next.tasks.length;
  const before = samePlan ? previous : undefined;
  const events: PlanEvent[] = [];
  if (!before) events.push({ type: 'plan-started', plan: next });
  next.tasks.forEach((task, index) => {
    const old = before?.tasks[index];
    if ((task.retryCount ?? 0) > (old?.retryCount ?? 0) && task.status !== 'Failed') events.push({ type: 'task-retry', plan: next, index, task });
    const to = task.status ?? 'Pending';
    const from = old?.status;
    // A fresh plan's Pending tasks are not news; anything else is.
    if (from !== to && (before !== undefined || to !== 'Pending')) events.push({ type: 'task', plan: next, index, task, ...(from !== undefined ? { from } : {}), to });
  });
  if (next.phase !== before?.phase) {
    if (next.phase === 'Complete') events.push({ type: 'plan-complete', plan: next });
    if (next.phase === 'Failed') events.push({ type: 'plan-failed', plan: next, ...failedTask(next) });
  }
  return events;
}

/** One line per event, for progress output: "reset-data (3/6) Running". */
export function describePlanEvent(event: PlanEvent): string | undefined {
  const total = event.plan.tasks.length;
  const shortId = event.plan.id ? ` ${event.plan.id.slice(0, 8)}` : '';
  switch (event.type) {
    case 'plan-started':
      return `plan${shortId} (${total} tasks): ${event.plan.tasks.map((t) => t.type).join(' → ')}`;
    case 'task': {
      const retries = event.task.maxRetries ? ` (retry ${event.task.retryCount ?? 0}/${event.task.maxRetries})` : '';
      const error = event.to === 'Failed' && event.task.error ? `: ${event.task.error}` : '';
      return `  ${event.task.type} (${event.index + 1}/${total}) ${event.to}${event.to === 'Failed' ? retries : ''}${error}`;
    }
    case 'task-retry':
      return `  ${event.task.type} (${event.index + 1}/${total}) retrying (${event.task.retryCount ?? 0}/${event.task.maxRetries ?? 0})`;
    case 'plan-complete':
      return `plan${shortId} Complete`;
    case 'plan-failed': {
      const detail = event.detail;
      const where = event.index !== undefined ? ` at task ${event.index} (${detail?.type ?? '?'})` : detail ? ` at ${detail.type}` : '';
      return `plan${shortId} Failed${where}${detail?.error ? `: ${detail.error}` : ''}`;
    }
    case 'plan-cleared':
      return undefined;
  }
}

export type FollowOutcome<R> =
  | { kind: 'decided'; result: R; object: KubeObject }
  | { kind: 'timeout' | 'interrupted'; object?: KubeObject }
  | { kind: 'deleted'; object?: KubeObject }
  | { kind: 'not-found' };

export interface FollowObjectRequest<R> {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** 0 = look once; negative = one week. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Every observed state, oldest first; a result ends the follow. */
  decide: (object: KubeObject) => R | undefined;
  /** Told every observed object before decide (narration, NDJSON). */
  onObject?: (object: KubeObject) => void;
  /** An absent object is awaited (it is about to be created) instead of being a verdict. */
  awaitCreation?: boolean;
  /** Called when the object is deleted; a result ends the follow with it instead of 'deleted'. */
  onDeleted?: (object: KubeObject) => R | undefined;
}

/** Follows one object (fieldSelector metadata.name) on one resumable watch until decided. */
export async function followObject<R>(client: ClusterClient, request: FollowObjectRequest<R>): Promise<FollowOutcome<R>> {
  let outcome: FollowOutcome<R> | undefined;
  let last: KubeObject | undefined;
  const deadline = waitDeadline(request.signal, request.timeoutMs);
  const timeoutMs = deadline.timeoutMs;
  try {
    if (!deadline.signal.aborted) {
      await client.watch({
        apiVersion: request.apiVersion,
        kind: request.kind,
        namespace: request.namespace,
        fieldSelector: `metadata.name=${request.name}`,
        signal: deadline.signal,
        onEvent: (event) => {
          if (outcome || event.object.metadata.name !== request.name) return outcome ? 'stop' : undefined;
          if (event.type === 'DELETED') {
            const result = request.onDeleted?.(event.object);
            outcome = result !== undefined ? { kind: 'decided', result, object: event.object } : { kind: 'deleted', object: event.object };
            return 'stop';
          }
          last = event.object;
          request.onObject?.(event.object);
          const result = request.decide(event.object);
          if (result !== undefined) {
            outcome = { kind: 'decided', result, object: event.object };
            return 'stop';
          }
          return undefined;
        },
        onSynced: () => {
          if (outcome) return 'stop';
          if (!last && !request.awaitCreation) {
            outcome = { kind: 'not-found' };
            return 'stop';
          }
          if (timeoutMs === 0) {
            deadline.expire();
            return 'stop';
          }
          return undefined;
        },
      });
    }
  } finally {
    deadline.dispose();
  }
  if (outcome) return outcome;
  return { kind: deadline.ended() ?? 'timeout', ...(last ? { object: last } : {}) };
}

/**
 * Keeps the last plan seen on one object and turns each new observation into PlanEvents.
 * A plan that ends between two observations is still told: the caller passes every object.
 */
export class PlanTracker {
  private last: TaskPlan | undefined;
  /** The last plan that was seen, even after the controller cleared it. */
  lastSeen: TaskPlan | undefined;

  observe(object: KubeObject): PlanEvent[] {
    const next = planOf(object);
    const events = planEvents(this.last, next);
    this.last = next;
    if (next) this.lastSeen = next;
    return events;
  }
}
