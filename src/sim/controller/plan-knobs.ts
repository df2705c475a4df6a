/**
 * The SeiNode annotations that shape the controller's own plans (init, image roll, a workflow's):
 * a task type to fail or to stall at; the sidecar's health is the shared `sim.sei.io/sidecar`
 * knob (knobs.ts), read here for the plans. Reading only.
 */
import type { KubeObject } from '../types.js';
import { readKnobs } from './knobs.js';
import type { SidecarHealth } from './plans.js';

export const PLAN_KNOBS = {
  /** The node's controller plans fail at this task type, with retries counted as upstream. */
  failPlanTask: 'sim.sei.io/fail-plan-task',
  /** The node's controller plans hold at this task type (submitted, never finished). */
  stallPlanTask: 'sim.sei.io/stall-plan-task',
} as const;

export interface PlanKnobs {
  failTask?: { type: string; error: string };
  stallTask?: string;
  sidecar: SidecarHealth;
}

function annotation(node: KubeObject, key: string): string | undefined {
  const value = node.metadata.annotations?.[key];
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed === '' ? undefined : trimmed;
}

export function readPlanKnobs(node: KubeObject): PlanKnobs {
  const fail = annotation(node, PLAN_KNOBS.failPlanTask);
  return {
    failTask: fail ? { type: fail, error: `simulated failure: SeiNode "${node.metadata.name ?? ''}" names ${fail} in annotation ${PLAN_KNOBS.failPlanTask}` } : undefined,
    stallTask: annotation(node, PLAN_KNOBS.stallPlanTask),
    sidecar: readKnobs(node).sidecar,
  };
}
