/**
 * Pure verdicts over one observed SeiNodeTask: Complete, Failed or still pending. Ready and
 * Failed latch and the real controller never writes a terminal task again (upstream
 * internal/controller/nodetask/controller.go:115, both versions: no observedGeneration bump after
 * Complete/Failed), so a latched Ready/Failed, or a terminal phase, is final whatever
 * observedGeneration says: an edit of a finished task's spec (a GitOps re-sync) gets its verdict
 * at once instead of waiting for ever. The generation gate only explains a pending task (the
 * controller has not yet observed our apply). Failed ends every wait at once, whatever `for` asks.
 * Must not: do I/O, read clocks or know about watches.
 */
import type { KubeObject } from '../cluster/types.js';
import type { TaskOutcome, WaitFor } from './types.js';

export type VerdictState = 'Complete' | 'Failed' | 'pending';

export interface Verdict {
  state: VerdictState;
  reason?: string;
  message?: string;
  /** status.phase as observed, for progress lines. */
  phase?: string;
  /** Why a pending verdict is pending (e.g. waiting for the controller to observe generation 2). */
  waitingFor?: string;
}

export interface VerdictOptions {
  for?: WaitFor;
  /** The generation our apply produced; defaults to metadata.generation. */
  minGeneration?: number;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

interface TaskStatus {
  phase?: string;
  observedGeneration?: number;
  conditions?: Condition[];
  task?: { err?: string; status?: string };
}

function statusOf(object: KubeObject): TaskStatus {
  const status = object.status;
  return status !== null && typeof status === 'object' ? (status as TaskStatus) : {};
}

/** The generation a status must have observed; 0 when nothing can be required. */
function requiredGeneration(object: KubeObject, minGeneration: number | undefined): number {
  if (minGeneration !== undefined) return minGeneration;
  return typeof object.metadata.generation === 'number' ? object.metadata.generation : 0;
}

/** True when `observed` reached `required`; an absent observedGeneration cannot be checked and counts (kubectl's rule). */
function observed(observedGeneration: number | undefined, required: number): boolean {
  return observedGeneration === undefined || observedGeneration >= required;
}

export function findCondition(object: KubeObject, type: string): Condition | undefined {
  const conditions = statusOf(object).conditions;
  return Array.isArray(conditions) ? conditions.find((condition) => condition?.type === type) : undefined;
}

export function taskVerdict(object: KubeObject, options: VerdictOptions = {}): Verdict {
  const status = statusOf(object);
  const required = requiredGeneration(object, options.minGeneration);
  const phase = typeof status.phase === 'string' ? status.phase : undefined;
  const statusGeneration = typeof status.observedGeneration === 'number' ? status.observedGeneration : undefined;
  const failed = findCondition(object, 'Failed');
  const ready = findCondition(object, 'Ready');

  // Failed first: a task that both failed and (wrongly) reports Ready must not pass as success.
  if (failed?.status === 'True' || phase === 'Failed') {
    return { state: 'Failed', reason: failed?.reason || 'TaskFailed', message: failed?.message || status.task?.err, phase };
  }
  // Phase is the fallback for controllers that set no conditions.
  if (ready?.status === 'True' || phase === 'Complete') {
    return { state: 'Complete', reason: ready?.reason || 'TaskComplete', message: ready?.message || undefined, phase };
  }
  return {
    state: 'pending',
    phase,
    waitingFor: !observed(statusGeneration, required)
      ? `the controller to observe generation ${required} (status is for generation ${statusGeneration})`
      : `phase ${phase ?? '(none yet)'} to reach Complete or Failed`,
  };
}

/** Whether a final outcome is what `--for` asked for (decides exit 0 vs 1 for the caller). */
export function satisfies(outcome: TaskOutcome, waitFor: WaitFor): boolean {
  switch (waitFor) {
    case 'ready':
      return outcome === 'Complete';
    case 'failed':
      return outcome === 'Failed';
    case 'terminal':
      return outcome === 'Complete' || outcome === 'Failed';
  }
}
