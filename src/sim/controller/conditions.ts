/**
 * metav1.Condition lists as apimachinery's meta.SetStatusCondition keeps them: one entry per
 * type, lastTransitionTime moved only when the status changes, reason/message/observedGeneration
 * always refreshed. Pure functions over plain JSON.
 */
import { toTime } from './time.js';
import type { Json } from './context.js';

export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
}

export function findCondition(conditions: unknown, type: string): Json | undefined {
  return Array.isArray(conditions) ? (conditions as Json[]).find((c) => c.type === type) : undefined;
}

/** Returns the list with `input` upserted (a new array; the input list is not modified). */
export function setCondition(conditions: unknown, input: ConditionInput, nowMs: number): Json[] {
  const list = Array.isArray(conditions) ? [...(conditions as Json[])] : [];
  const index = list.findIndex((c) => c.type === input.type);
  const existing = index >= 0 ? list[index] : undefined;
  const next: Json = {
    type: input.type,
    status: input.status,
    observedGeneration: input.observedGeneration ?? 0,
    lastTransitionTime: existing && existing.status === input.status ? existing.lastTransitionTime : toTime(nowMs),
    reason: input.reason,
    message: input.message,
  };
  if (input.observedGeneration === undefined) delete next.observedGeneration;
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}
