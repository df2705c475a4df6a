/**
 * Building a SeiNodeTask's status the way the real reconciler does: phase and its transition
 * time, the TargetReady condition, and Ready / Failed, which appear only as True (Ready on
 * Complete, Failed on Failed: the controller never sets Ready False) and then latch;
 * observedGeneration on the status and on every condition. A draft is mutated by the reconciler
 * and written once. No store access, no decisions about kinds.
 */
import type { Json } from './context.js';
import { toTime } from './time.js';

export type TaskPhase = 'Pending' | 'Running' | 'Complete' | 'Failed';

/** The Failed condition's reasons of the seed-era controller (domain.md). */
export type FailureReason =
  | 'TargetResolveFailed'
  | 'ParamsBuildFailed'
  | 'UnsupportedKind'
  | 'DeserializeFailed'
  | 'TaskTerminalError'
  | 'TaskFailed'
  | 'Timeout';

export interface Condition extends Json {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime: string;
}

const LATCHING = new Set(['Ready', 'Failed']);

export function isTerminal(phase: unknown): boolean {
  return phase === 'Complete' || phase === 'Failed';
}

export class TaskStatusDraft {
  readonly status: Json;
  private readonly nowText: string;

  constructor(current: unknown, private readonly generation: number, now: number) {
    this.status = structuredClone(current !== null && typeof current === 'object' ? (current as Json) : {});
    this.nowText = toTime(now);
    this.status.observedGeneration = generation;
    this.status.startedAt ??= this.nowText;
    if (this.status.phase === undefined) this.setPhase('Pending');
    for (const condition of this.conditions()) condition.observedGeneration = generation;
  }

  get phase(): TaskPhase {
    return this.status.phase as TaskPhase;
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
    if (isTerminal(this.status.phase)) return; // terminal phases latch with their conditions
    this.status.phase = phase;
    this.status.phaseTransitionTime = this.nowText;
  }

  setCondition(type: string, status: Condition['status'], reason: string, message: string): void {
    const conditions = this.conditions();
    const index = conditions.findIndex((c) => c.type === type);
    const existing = conditions[index];
    if (existing && LATCHING.has(type) && existing.status === 'True') return;
    const next: Condition = {
      type,
      status,
      reason,
      message,
      observedGeneration: this.generation,
      lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : this.nowText,
    };
    if (index >= 0) conditions[index] = next;
    else conditions.push(next);
  }

  targetReady(met: boolean, message: string): void {
    this.setCondition('TargetReady', met ? 'True' : 'False', met ? 'PhaseMet' : 'PhaseNotMet', message);
  }

  mint(task: Json): void {
    this.status.task = task;
    this.setPhase('Running');
  }

  complete(outputs: Json | undefined): void {
    if (isTerminal(this.status.phase)) return;
    if (outputs && Object.keys(outputs).length > 0) this.status.outputs = outputs;
    if (this.task) this.task.status = 'Complete';
    this.setPhase('Complete');
    this.setCondition('Ready', 'True', 'TaskComplete', 'the task completed');
  }

  fail(reason: FailureReason, message: string): void {
    if (isTerminal(this.status.phase)) return;
    if (this.task) {
      this.task.status = 'Failed';
      this.task.err = message;
    }
    this.setPhase('Failed');
    this.setCondition('Failed', 'True', reason, message);
  }
}
