/**
 * Stable keys of a plan run (seed 000): every task's name, labels and annotations are a pure
 * function of (plan name, plan id, step, index, attempt). Re-applying the same run therefore
 * addresses the same objects, and a new run (a new plan id) gets new names. Owns naming only.
 */
import { createHash } from 'node:crypto';
import { ANNOTATIONS, FIELD_MANAGER, LABELS } from '../domain/labels.js';
import { SeiError } from '../errors/sei-error.js';

const MAX_NAME = 63;

/** A plan id is a label value (sei.io/plan-id), part of a ConfigMap name and a directory name in Git. */
const PLAN_ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The one rule for a plan id, wherever one is given (--plan-id, PLAN_ID); a UUID fits. */
export function checkPlanId(planId: string | undefined, field = '--plan-id'): void {
  if (planId === undefined || PLAN_ID.test(planId)) return;
  throw SeiError.invalid(`${field} ${JSON.stringify(planId)} is not a plan id`, [
    { field, type: 'FieldValueInvalid', message: 'lower-case letters, digits and "-", at most 63 characters, starting and ending with a letter or digit, e.g. a UUID such as 3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c' },
  ]);
}

/**
 * 14 characters that tell runs apart: the id's first 8 hex digits (to recognise the run) and 6
 * of a hash of the WHOLE id, so two ids sharing their first digits still name different tasks.
 */
export function shortPlanId(planId: string): string {
  const id = planId.toLowerCase();
  return `${id.replace(/-/g, '').slice(0, 8)}${createHash('sha256').update(id).digest('hex').slice(0, 6)}`;
}

function trimDashes(text: string): string {
  return text.replace(/^-+|-+$/g, '');
}

/**
 * `<plan-name>-<short-plan-id>-<step>-<index>[-a<attempt>]` (short id: see shortPlanId), a DNS-1123 label of at most 63
 * characters. Attempt 1 has no suffix so the first run's names read naturally. When too long,
 * plan name and step are shortened and a hash of both keeps names distinct.
 */
export function taskName(planName: string, planId: string, stepId: string, index: number, attempt = 1, maxLength = MAX_NAME): string {
  const short = shortPlanId(planId);
  const tail = `-${index}${attempt > 1 ? `-a${attempt}` : ''}`;
  const full = `${planName}-${short}-${stepId}${tail}`;
  if (full.length <= maxLength) return full;
  const hash = createHash('sha256').update(`${planName}\0${stepId}`).digest('hex').slice(0, 5);
  const room = maxLength - tail.length - short.length - hash.length - 3;
  const stepRoom = Math.min(stepId.length, Math.max(Math.floor(room / 2), room - planName.length));
  const nameRoom = room - stepRoom;
  return `${trimDashes(planName.slice(0, nameRoom))}-${short}-${trimDashes(stepId.slice(0, stepRoom))}-${hash}${tail}`;
}

/**
 * metadata.generateName for a task an engine creates once per attempt: the apiserver appends 5
 * random characters to at most 58 (apimachinery names.SimpleNameGenerator), so the prefix is
 * shortened like taskName to 57 characters plus a dash; the result stays a DNS-1123 label.
 */
export function taskGenerateName(planName: string, planId: string, stepId: string, index: number): string {
  return `${taskName(planName, planId, stepId, index, 1, MAX_NAME - 6)}-`;
}

export function configMapName(planId: string): string {
  return `sei-plan-${planId}`;
}

export function planSelector(planId: string): string {
  return `${LABELS.planId}=${planId}`;
}

export interface TaskKey {
  planName: string;
  planId: string;
  stepId: string;
  stepOrder: number;
  index: number;
  attempt: number;
  node: string;
  kind: string;
}

export function taskLabels(key: TaskKey): Record<string, string> {
  return {
    [LABELS.managedBy]: FIELD_MANAGER,
    [LABELS.node]: key.node,
    [LABELS.taskKind]: key.kind,
    [LABELS.planId]: key.planId,
    [LABELS.planStep]: key.stepId,
    [LABELS.planIndex]: String(key.index),
    [LABELS.planAttempt]: String(key.attempt),
  };
}

export function taskAnnotations(key: TaskKey): Record<string, string> {
  return {
    [ANNOTATIONS.planStepOrder]: String(key.stepOrder),
    [ANNOTATIONS.planName]: key.planName,
  };
}

/** Reads a task's plan key back from its labels (state recovery). */
export function keyOf(labels: Record<string, string> | undefined): { planId: string; stepId: string; index: number; attempt: number } | undefined {
  if (!labels) return undefined;
  const planId = labels[LABELS.planId];
  const stepId = labels[LABELS.planStep];
  const index = Number(labels[LABELS.planIndex]);
  const attempt = Number(labels[LABELS.planAttempt] ?? '1');
  if (!planId || !stepId || !Number.isInteger(index) || !Number.isInteger(attempt)) return undefined;
  return { planId, stepId, index, attempt };
}
