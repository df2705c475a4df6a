/**
 * Read-only views of a SeiNodeTask object for printers, progress and describe: phase, the
 * deciding condition, task id, outputs. Pure; it must not decide verdicts (src/watch does).
 */
import type { KubeObject } from '../cluster/types.js';
import { asRecord as record } from '../domain/seinodetask.js';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}



function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function spec(object: KubeObject): Record<string, unknown> {
  return record(object['spec']);
}

export function status(object: KubeObject): Record<string, unknown> {
  return record(object['status']);
}

export function conditions(object: KubeObject): Condition[] {
  const list = status(object)['conditions'];
  return Array.isArray(list) ? (list.filter((c) => typeof record(c)['type'] === 'string') as Condition[]) : [];
}

export function condition(object: KubeObject, type: string): Condition | undefined {
  return conditions(object).find((c) => c.type === type);
}

export function taskKind(object: KubeObject): string {
  return str(spec(object)['kind']) ?? '';
}

export function targetNode(object: KubeObject): string {
  return str(record(record(spec(object)['target'])['nodeRef'])['name']) ?? '';
}

export function requirePhase(object: KubeObject): string {
  return str(record(spec(object)['target'])['requirePhase']) ?? 'Running';
}

export function phase(object: KubeObject): string {
  return str(status(object)['phase']) ?? 'Pending';
}

export function isTerminal(object: KubeObject): boolean {
  const p = str(status(object)['phase']);
  return p === 'Complete' || p === 'Failed' || condition(object, 'Ready')?.status === 'True' || condition(object, 'Failed')?.status === 'True';
}

/** The reason a human wants in a table: Failed's, else Ready's, else TargetReady's. */
export function reason(object: KubeObject): string {
  const failed = condition(object, 'Failed');
  if (failed?.status === 'True') return failed.reason ?? 'Failed';
  const ready = condition(object, 'Ready');
  if (ready?.status === 'True') return ready.reason ?? 'TaskComplete';
  return condition(object, 'TargetReady')?.reason ?? '';
}

export function message(object: KubeObject): string {
  const failed = condition(object, 'Failed');
  if (failed?.status === 'True') return failed.message ?? '';
  const ready = condition(object, 'Ready');
  if (ready?.status === 'True') return ready.message ?? '';
  return condition(object, 'TargetReady')?.message ?? str(record(status(object)['task'])['err']) ?? '';
}

export function taskInfo(object: KubeObject): Record<string, unknown> {
  return record(status(object)['task']);
}

export function taskId(object: KubeObject): string {
  return str(taskInfo(object)['id']) ?? '';
}

export function outputs(object: KubeObject): Record<string, unknown> {
  return record(status(object)['outputs']);
}

export function ageMs(object: KubeObject, now = Date.now()): number | undefined {
  const created = object.metadata.creationTimestamp;
  return created ? now - Date.parse(created) : undefined;
}

/**
 * Where a kind keeps the height it waits for (spec.kind → path under spec). The controller
 * publishes no current height while such a task runs (status.outputs is written on Complete
 * only, and awaitNodesAtHeight.currentHeight by no version: upstream
 * internal/controller/nodetask/controller.go:407 populateOutputs (2d670ad)), so the current
 * height is read from the node itself (services/node-height.ts).
 */
const TARGET_HEIGHT: Readonly<Record<string, readonly string[]>> = {
  AwaitNodesAtHeight: ['awaitNodesAtHeight', 'targetHeight'],
  AwaitCondition: ['awaitCondition', 'height', 'targetHeight'],
};

/** The block height the task waits for, when its kind waits for one. */
export function targetHeight(object: KubeObject): number | undefined {
  const path = TARGET_HEIGHT[str(spec(object)['kind']) ?? ''];
  if (!path) return undefined;
  const value = path.reduce<unknown>((at, key) => record(at)[key], spec(object));
  const height = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  return height !== undefined && Number.isFinite(height) ? height : undefined;
}

/**
 * One line of live progress, e.g. "node-0-restart-pod-x: Pending, waiting for node-0 to reach
 * Running (PhaseNotMet)"; a task that waits for a height adds ", height 1000/1200" (the node's
 * current height when known, "?" when it cannot be read).
 */
export function progressText(object: KubeObject, currentHeight?: number): string {
  const { status, live } = progressParts(object, currentHeight);
  return live ? `${status}, ${live}` : status;
}

/** The status line in two parts: what changes with the task's state, and the height that moves on its own (Progress.update). */
export function progressParts(object: KubeObject, currentHeight?: number): { status: string; live?: string } {
  const target = targetHeight(object);
  if (target === undefined) return { status: phaseText(object) };
  if (currentHeight === undefined) return { status: `${phaseText(object)}, height ?/${target}` };
  return { status: phaseText(object), live: `height ${currentHeight}/${target}` };
}

function phaseText(object: KubeObject): string {
  const name = object.metadata.name ?? '';
  const p = phase(object);
  const target = condition(object, 'TargetReady');
  if (!isTerminal(object) && target?.status !== 'True' && (p === 'Pending' || target)) {
    const why = target?.reason ? ` (${target.reason})` : '';
    return `${name}: ${p}, waiting for ${targetNode(object)} to reach ${requirePhase(object)}${why}`;
  }
  const r = reason(object);
  return `${name}: ${p}${r ? ` (${r})` : ''}`;
}
