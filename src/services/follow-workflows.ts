/**
 * Following SeiNodeTaskWorkflows to a verdict for humans and scripts: one watch per workflow
 * (src/watch/follow-plan.ts followObject), narrating what the controller writes — the Adopted
 * reasons while it waits (QueuedBehindActive, TargetNotReady with the node's phase), the
 * recipe's plan task by task as status.plan advances, and the verdict from the Ready/Failed
 * latch pair (upstream internal/controller/node/workflow.go:190-199, 633-646, 2d670ad).
 * A workflow with no status at all while another one holds the node is told as such: the
 * controller writes nothing to it until the node is released (workflow.go:64-69).
 * It must not write to the cluster.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import * as nodes from '../output/node-view.js';
import type { Progress } from '../output/progress.js';
import { condition } from '../output/task-view.js';
import { describePlanEvent, failedTask, followObject, planOf, PlanTracker } from '../watch/follow-plan.js';
import { taskVerdict } from '../watch/verdict.js';
import type { TaskOutcome, TaskVerdict, WaitFor } from '../watch/types.js';
import { satisfies } from '../watch/verdict.js';
import { preciseDuration } from '../output/human-duration.js';
import { NODE_API, WORKFLOW_API } from './workflow-preflight.js';

export interface FollowWorkflowOptions {
  namespace: string;
  names: string[];
  for?: WaitFor;
  timeoutMs: number;
  signal?: AbortSignal;
  progress: Progress;
  onObject?: (object: KubeObject) => void;
  /** Names about to be created (GitOps, --dry-run-less apply racing the cache): await them. */
  awaitCreation?: boolean;
}

/** The failing step of a failed workflow: "reset-data: <error>", from status.plan. */
export function failingStep(workflow: KubeObject): string | undefined {
  const plan = planOf(workflow);
  if (!plan || plan.phase !== 'Failed') return undefined;
  const { index, detail } = failedTask(plan);
  if (!detail) return undefined;
  return `step ${detail.type}${index !== undefined ? ` (${index + 1}/${plan.tasks.length})` : ''}${detail.error ? `: ${detail.error}` : ''}`;
}

/** What a pending workflow waits for, from its Adopted condition (or its absence). */
export function waitingText(workflow: KubeObject, holder?: string): string {
  const name = workflow.metadata.name ?? '';
  const adopted = condition(workflow, 'Adopted');
  if (!workflow['status'] || (!adopted && !nodes.workflowPhase(workflow))) {
    return holder && holder !== name
      ? `${name}: no status yet: SeiNode ${nodes.workflowTarget(workflow)} is held by workflow ${holder}; the controller writes this workflow's status only once that one releases the node`
      : `${name}: no status yet: waiting for the SeiNode controller to see it`;
  }
  if (adopted?.status === 'True') return `${name}: ${nodes.workflowPhase(workflow) || 'Running'} (${nodes.planSummary(workflow) || 'adopted'})`;
  if (adopted) return `${name}: ${nodes.workflowPhase(workflow) || 'Pending'} — ${adopted.reason}: ${adopted.message ?? ''}${adopted.reason === 'QueuedBehindActive' && holder ? ` (the active workflow is ${holder})` : ''}`;
  return `${name}: ${nodes.workflowPhase(workflow) || 'Pending'}`;
}

export function workflowVerdictLine(verdict: TaskVerdict): string {
  const reason = verdict.reason ? ` ${verdict.reason}` : '';
  const message = verdict.message ? `: ${verdict.message}` : '';
  const outcome = verdict.outcome === 'Timeout' ? 'still running after the timeout' : verdict.outcome;
  return `${verdict.name} ${outcome}${verdict.outcome === 'Timeout' ? '' : reason}${message} (${preciseDuration(verdict.durationMs)})`;
}

/** Follows one workflow; narrates; returns its verdict (never throws for a Failed workflow). */
async function followOne(client: ClusterClient, name: string, options: FollowWorkflowOptions): Promise<TaskVerdict> {
  const started = Date.now();
  const tracker = new PlanTracker();
  let lastWaiting = '';
  let holderChecked = false;
  let holder: string | undefined;
  // Who is ahead: the node's adopted workflow, else the oldest pending one on the node (first
  // wins by creationTimestamp, then name: upstream workflow.go:527-558 pendingWorkflowsForNode).
  const readHolder = async (workflow: KubeObject): Promise<void> => {
    try {
      const target = nodes.workflowTarget(workflow);
      const node = await client.get({ ...NODE_API, name: target, namespace: options.namespace });
      holder = node ? nodes.adoptedWorkflow(node)?.name : undefined;
      if (!holder) {
        const { workflowsOnNode } = await import('./workflow-preflight.js');
        const ahead = (await workflowsOnNode(client, target, options.namespace))
          .filter((w) => w.metadata.name !== name && !w.metadata.deletionTimestamp && !nodes.isWorkflowTerminal(w))
          .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
        holder = ahead[0]?.metadata.name;
      }
    } catch {
      holder = undefined; // narration only: the verdict does not depend on it
    }
  };
  let latest: KubeObject | undefined;
  let holderPending = false;
  const say = (object: KubeObject): void => {
    const text = waitingText(object, holder);
    if (text !== lastWaiting && !nodes.isWorkflowTerminal(object)) {
      lastWaiting = text;
      options.progress.event(text);
    }
  };
  const pendingReads: Promise<void>[] = [];
  const outcome = await followObject<{ state: 'Complete' | 'Failed'; reason?: string; message?: string }>(client, {
    ...WORKFLOW_API,
    namespace: options.namespace,
    name,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.awaitCreation ? { awaitCreation: true } : {}),
    onObject: (object) => {
      options.onObject?.(object);
      for (const event of tracker.observe(object)) {
        const line = describePlanEvent(event);
        if (line) options.progress.event(line);
      }
      latest = object;
      const adopted = condition(object, 'Adopted');
      if (holderPending) return;
      const needsHolder = !object['status'] || adopted?.reason === 'QueuedBehindActive';
      if (needsHolder && !holderChecked) {
        holderChecked = true;
        holderPending = true;
        pendingReads.push(
          readHolder(object).then(() => {
            holderPending = false;
            if (latest && (!latest['status'] || condition(latest, 'Adopted')?.status !== 'True')) say(latest);
          }),
        );
        return;
      }
      if (adopted?.status !== 'True') say(object);
      else if (!nodes.isWorkflowTerminal(object)) options.progress.update(waitingText(object, holder));
    },
    decide: (object) => {
      const verdict = taskVerdict(object, { for: options.for ?? 'terminal' });
      if (verdict.state === 'pending') return undefined;
      const step = verdict.state === 'Failed' ? failingStep(object) : undefined;
      const message = verdict.message && step && !verdict.message.includes(step.replace(/^step /, '').split(' (')[0] ?? '') ? `${verdict.message} (${step})` : verdict.message;
      return { state: verdict.state, ...(verdict.reason ? { reason: verdict.reason } : {}), ...(message ? { message } : {}) };
    },
  });
  await Promise.all(pendingReads);
  const base = { name, namespace: options.namespace, durationMs: Date.now() - started };
  const finish = (outcomeName: TaskOutcome, reason?: string, message?: string, object?: KubeObject): TaskVerdict => ({
    ...base,
    outcome: outcomeName,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
    ...(object ? { object } : {}),
    satisfied: satisfies(outcomeName, options.for ?? 'terminal'),
  });
  switch (outcome.kind) {
    case 'decided':
      return finish(outcome.result.state, outcome.result.reason, outcome.result.message, outcome.object);
    case 'not-found':
      return finish('Deleted', 'NotFound', `seinodetaskworkflow ${options.namespace}/${name} not found`);
    case 'deleted':
      return finish('Deleted', 'Deleted', `seinodetaskworkflow ${options.namespace}/${name} was deleted while waiting`, outcome.object);
    case 'interrupted':
      return finish('Interrupted', 'Interrupted', `stopped waiting; the workflow keeps running (re-attach: kubectl sei workflow wait ${name} -n ${options.namespace})`, outcome.object);
    case 'timeout': {
      return finish('Timeout', 'Timeout', outcome.object ? waitingText(outcome.object, holder) : `${name}: not created yet`, outcome.object);
    }
  }
}

/** Waits for every named workflow (each on its own watch) and prints one verdict line each. */
export async function followWorkflows(client: ClusterClient, options: FollowWorkflowOptions): Promise<TaskVerdict[]> {
  try {
    const verdicts = await Promise.all(options.names.map((name) => followOne(client, name, options)));
    for (const verdict of verdicts) {
      if (verdict.outcome === 'Complete') options.progress.succeed(workflowVerdictLine(verdict));
      else if (verdict.outcome !== 'Interrupted') options.progress.fail(workflowVerdictLine(verdict));
    }
    return verdicts;
  } finally {
    options.progress.stop();
  }
}

/**
 * Exit code of workflow verdicts, as a thrown SeiError (nothing thrown = all as asked).
 * Failed → 1 with the reason (WorkflowFailed, TargetRejected, TargetPhaseTimeout,
 * PlanBuildFailed) and the failing step's error; NotFound → 2; Timeout → 3.
 */
export function workflowVerdictsToError(verdicts: readonly TaskVerdict[], namespace: string, waitFor: WaitFor = 'terminal'): SeiError | undefined {
  const failed = waitFor === 'failed' ? undefined : verdicts.find((v) => v.outcome === 'Failed');
  if (failed) {
    const held = failed.object && planOf(failed.object)?.phase === 'Failed' ? `; SeiNode ${nodes.workflowTarget(failed.object)} stays held until the workflow is re-run or force-deleted` : '';
    return SeiError.taskFailed(failed.reason ?? 'Failed', `SeiNodeTaskWorkflow "${failed.name}" Failed${failed.reason ? ` (${failed.reason})` : ''}${failed.message ? `: ${failed.message}` : ''}${held}`, [
      `kubectl sei workflow describe ${failed.name} -n ${namespace}`,
    ]);
  }
  const complete = waitFor === 'failed' ? verdicts.find((v) => v.outcome === 'Complete') : undefined;
  if (complete) return SeiError.taskFailed('WorkflowComplete', `SeiNodeTaskWorkflow "${complete.name}" is Complete, so it will never be Failed`);
  const missing = verdicts.find((v) => v.outcome === 'Deleted' && v.reason === 'NotFound');
  if (missing) {
    return new SeiError(`seinodetaskworkflows.sei.io "${missing.name}" not found in namespace "${namespace}"`, { reason: 'NotFound', exitCode: 2, httpCode: 404, hints: [`list them with: kubectl sei workflow get -n ${namespace}`] });
  }
  const deleted = verdicts.find((v) => v.outcome === 'Deleted');
  if (deleted) return SeiError.taskFailed('Deleted', `SeiNodeTaskWorkflow "${deleted.name}" was deleted while waiting`);
  const pending = verdicts.filter((v) => v.outcome === 'Timeout');
  if (pending.length > 0) {
    return SeiError.timeout(`timed out waiting for ${pending.map((v) => `SeiNodeTaskWorkflow "${v.name}"`).join(', ')}; ${pending.length === 1 ? 'it keeps' : 'they keep'} running${pending[0]?.message ? ` — ${pending[0].message}` : ''}`, [
      `re-attach with: kubectl sei workflow wait ${pending.map((v) => v.name).join(' ')} -n ${namespace}`,
    ]);
  }
  return undefined;
}
