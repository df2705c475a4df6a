/**
 * Read-only views of SeiNodes and SeiNodeTaskWorkflows for printers, progress and preflight:
 * the node's mode (the spec sub-struct that is set, as upstream's ineligibleWorkflowRole reads
 * it), images, plan, adopted workflow; a workflow's phase, Adopted reason and plan. Pure.
 */
import type { KubeObject } from '../cluster/types.js';
import { currentTaskIndex, planOf } from '../watch/follow-plan.js';
import { condition, spec, status } from './task-view.js';

export { planOf };

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The SeiNode spec's mode sub-structs, in upstream's order (seinode_types.go). */
export const NODE_MODES = ['fullNode', 'archive', 'replayer', 'validator', 'seed'] as const;

/** fullNode, validator, archive, replayer, seed, or '' when none is set. */
export function nodeMode(node: KubeObject): string {
  const s = spec(node);
  return NODE_MODES.find((mode) => s[mode] !== undefined && s[mode] !== null) ?? '';
}

export function nodePhase(node: KubeObject): string {
  return str(status(node)['phase']) ?? '';
}

export function isPaused(node: KubeObject): boolean {
  return spec(node)['paused'] === true;
}

export function adoptedWorkflow(node: KubeObject): { name: string; uid?: string; adoptedAt?: string } | undefined {
  const ref = record(status(node)['adoptedWorkflow']);
  const name = str(ref['name']);
  return name ? { name, ...(str(ref['uid']) ? { uid: ref['uid'] as string } : {}), ...(str(ref['adoptedAt']) ? { adoptedAt: ref['adoptedAt'] as string } : {}) } : undefined;
}

export function resolvedStateSyncers(node: KubeObject): string[] {
  const list = status(node)['resolvedStateSyncers'];
  return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [];
}

/** "Active: reset-data (3/6)", "Failed at config-patch", "Complete", or '' without a plan. */
export function planSummary(object: KubeObject): string {
  const plan = planOf(object);
  if (!plan) return '';
  const phase = plan.phase ?? 'Active';
  if (phase === 'Failed') {
    const index = typeof plan.failedTaskIndex === 'number' ? plan.failedTaskIndex : plan.tasks.findIndex((t) => t.status === 'Failed');
    const task = plan.failedTaskDetail?.type ?? plan.tasks[index]?.type;
    return `Failed${task ? ` at ${task}` : ''}`;
  }
  if (phase === 'Complete') return 'Complete';
  const index = currentTaskIndex(plan);
  return index === undefined ? phase : `${phase}: ${plan.tasks[index]?.type} (${index + 1}/${plan.tasks.length})`;
}

export function workflowPhase(workflow: KubeObject): string {
  return str(status(workflow)['phase']) ?? '';
}

export function workflowTarget(workflow: KubeObject): string {
  return str(record(record(spec(workflow)['target'])['nodeRef'])['name']) ?? '';
}

export function workflowRequirePhase(workflow: KubeObject): string {
  return str(record(spec(workflow)['target'])['requirePhase']) ?? 'Running';
}

export function isWorkflowTerminal(workflow: KubeObject): boolean {
  const phase = workflowPhase(workflow);
  return phase === 'Complete' || phase === 'Failed';
}

/** The migration a StateSync workflow runs: "GigaStore(pebbledb)", or '' for a plain re-bootstrap. */
export function workflowMigration(workflow: KubeObject): string {
  const migration = record(record(spec(workflow)['stateSync'])['migration']);
  const kind = str(migration['kind']);
  if (!kind) return '';
  const backend = str(record(migration['gigaStore'])['backend']);
  return backend ? `${kind}(${backend})` : kind;
}

/** The deciding reason: Failed's, Ready's, else Adopted's. */
export function workflowReason(workflow: KubeObject): string {
  const failed = condition(workflow, 'Failed');
  if (failed?.status === 'True') return failed.reason ?? 'Failed';
  const ready = condition(workflow, 'Ready');
  if (ready?.status === 'True') return ready.reason ?? 'WorkflowComplete';
  return condition(workflow, 'Adopted')?.reason ?? '';
}

export function workflowMessage(workflow: KubeObject): string {
  const failed = condition(workflow, 'Failed');
  if (failed?.status === 'True') return failed.message ?? '';
  const ready = condition(workflow, 'Ready');
  if (ready?.status === 'True') return ready.message ?? '';
  return condition(workflow, 'Adopted')?.message ?? '';
}
