/**
 * Building a SeiNodeTask's status the way upstream's reconciler does
 * (internal/controller/nodetask/controller.go): all mutations accumulate on a draft and flush in
 * one status write, only when something changed (controller.go:418 DeepEqual). status.phase is
 * set only by setPhase (mint, Complete, Failed: never Pending), with phaseTransitionTime only on
 * a change (controller.go:381); conditions go through one helper that stamps the task's
 * generation on the condition it sets (controller.go:408, apimeta.SetStatusCondition: the
 * transition time moves only when the status flips); a failure also emits a Warning Event
 * (controller.go:398). No store access, no decisions about kinds.
 */
import type { Json } from './context.js';
import { toTime } from './time.js';

export type TaskPhase = 'Running' | 'Complete' | 'Failed';

/** The Failed condition's reasons (upstream's public enum). */
export type FailureReason =
  | 'TargetResolveFailed'
  | 'ParamsBuildFailed'
  | 'UnsupportedKind'
  | 'DeserializeFailed'
  | 'TaskTerminalError'
  | 'TaskFailed'
  | 'Timeout'
  | 'TxFailed'
  | 'InclusionUndetermined';

export interface Condition extends Json {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime: string;
}

export interface WarningEvent {
  reason: string;
  message: string;
}

export function isTerminal(phase: unknown): boolean {
  return phase === 'Complete' || phase === 'Failed';
}

export class TaskStatusDraft {
  readonly status: Json;
  readonly events: WarningEvent[] = [];
  private readonly before: string;
  private readonly nowText: string;

  constructor(current: unknown, private readonly generation: number, now: number) {
    this.status = structuredClone(current !== null && typeof current === 'object' ? (current as Json) : {});
    this.before = JSON.stringify(this.status);
    this.nowText = toTime(now);
    // controller.go:122-127: every non-terminal reconcile stamps the generation it saw.
    this.status.observedGeneration = generation;
    this.status.startedAt ??= this.nowText;
  }

  /** False when the flush would write nothing (upstream skips the patch). */
  changed(): boolean {
    return JSON.stringify(this.status) !== this.before;
  }

  get phase(): TaskPhase | undefined {
    return this.status.phase as TaskPhase | undefined;
  }

  get task(): Json | undefined {
    return this.status.task as Json | undefined;
  }

  conditions(): Condition[] {
    if (!Array.isArray(this.status.conditions)) this.status.conditions = [];
    return this.status.conditions as Condition[];
  }

  setPhase(phase: TaskPhase): void {
    if (this.status.phase === phase) return;
    this.status.phase = phase;
    this.status.phaseTransitionTime = this.nowText;
  }

  setCondition(type: string, status: Condition['status'], reason: string, message: string): void {
    const conditions = this.conditions();
    const index = conditions.findIndex((c) => c.type === type);
    const existing = conditions[index];
    const next: Condition = {
      type,
      status,
      observedGeneration: this.generation,
      lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : this.nowText,
      reason,
      message,
    };
    if (index >= 0) conditions[index] = next;
    else conditions.push(next);
  }

  mint(task: Json): void {
    this.status.task = task;
    this.setPhase('Running');
  }

  complete(reason: 'TaskComplete' | 'Confirmed', outputs: Json | undefined): void {
    if (this.task) this.task.status = 'Complete';
    if (outputs) this.status.outputs = { ...((this.status.outputs as Json | undefined) ?? {}), ...outputs };
    this.setPhase('Complete');
    this.setCondition('Ready', 'True', reason, '');
  }

  /** markFailed: phase Failed, the Failed condition, a Warning Event. status.task is the caller's. */
  fail(reason: FailureReason, message: string): void {
    this.setPhase('Failed');
    this.setCondition('Failed', 'True', reason, message);
    this.events.push({ reason, message });
  }

  /** A failure of the execution itself: status.task records it too (controller.go:271, 300, 312). */
  failTask(reason: FailureReason, message: string, err: string = message): void {
    if (this.task) {
      this.task.status = 'Failed';
      this.task.err = err;
    }
    this.fail(reason, message);
  }
}
