/**
 * Preflight for SeiNodeTaskWorkflows: refuses (exit 2, nothing written) what the SeiNode
 * controller would refuse or fail, reading the target node and the workflows aimed at it.
 * The decisions are pure (workflowFindings) so each rule is tested against upstream's code:
 *   - a target that is not a full node → TargetRejected
 *     (upstream internal/controller/node/workflow.go:253 ineligibleWorkflowRole, 2d670ad);
 *   - fewer than two witnesses (spec rpcServers, else node.status.resolvedStateSyncers) →
 *     PlanBuildFailed (internal/planner/workflow.go BuildPlan, minStateSyncWitnesses = 2);
 *   - a Failed workflow still holding the node (node.status.adoptedWorkflow; the controller
 *     parks it WorkflowFailedHeld and adopts nothing else, workflow.go:108-121);
 *   - a paused node (workflow.go:269 "target is paused"; pause freezes the node reconcile);
 * and warns when the workflow will queue (QueuedBehindActive, first wins by creationTimestamp
 * then name, workflow.go:527) or wait for the node's phase (TargetNotReady).
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import * as nodes from '../output/node-view.js';
import { requireNode } from './preflight.js';

export const WORKFLOW_API = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTaskWorkflow' } as const;
export const NODE_API = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode' } as const;
export const FORCE_DELETE_ANNOTATION = 'sei.io/force-delete-workflow';
export const WORKFLOW_FINALIZER = 'sei.io/seinodetaskworkflow-finalizer';
const MIN_WITNESSES = 2;

export interface WorkflowFindings {
  /** The first refusal, in the order the controller would hit them. */
  refusal?: SeiError;
  warnings: string[];
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function rpcServers(workflow: KubeObject): string[] {
  const list = rec(rec(workflow['spec'])['stateSync'])['rpcServers'];
  return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [];
}

function createdBefore(a: KubeObject, b: KubeObject): boolean {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return ta === tb ? (a.metadata.name ?? '') < (b.metadata.name ?? '') : ta < tb;
}

/**
 * The decisions for one workflow about to be created on `node`, given the workflows that
 * already target it. Pure: no I/O.
 */
export function workflowFindings(workflow: KubeObject, node: KubeObject, others: readonly KubeObject[]): WorkflowFindings {
  const warnings: string[] = [];
  const name = workflow.metadata.name ?? '';
  const namespace = workflow.metadata.namespace ?? node.metadata.namespace ?? '';
  const nodeName = node.metadata.name ?? '';
  const ns = namespace ? ` -n ${namespace}` : '';

  const mode = nodes.nodeMode(node);
  if (mode !== 'fullNode') {
    const role = mode === '' ? 'non-full' : mode === 'fullNode' ? '' : mode;
    return {
      warnings,
      refusal: SeiError.preflight('TargetRejected', `SeiNode "${nodeName}" is a ${role} node: ${role} target is ineligible; workflows target full/RPC nodes only (the controller would fail this workflow TargetRejected)`, [
        `pick a full node: kubectl sei node get${ns}`,
      ]),
    };
  }

  const adopted = nodes.adoptedWorkflow(node);
  const holder = adopted ? others.find((w) => w.metadata.name === adopted.name) : undefined;
  if (adopted && adopted.name !== name && holder && nodes.workflowPhase(holder) === 'Failed') {
    return {
      warnings,
      refusal: SeiError.preflight('WorkflowFailedHeld', `SeiNode "${nodeName}" is held by the Failed workflow "${adopted.name}": the controller adopts nothing else until it is released, so this workflow would never start`, [
        `see why it failed: kubectl sei workflow describe ${adopted.name}${ns}`,
        `release the node (seid may start on partly reset data): kubectl sei workflow delete ${adopted.name} --force${ns}`,
      ]),
    };
  }

  if (nodes.isPaused(node)) {
    return {
      warnings,
      refusal: SeiError.preflight('TargetPaused', `SeiNode "${nodeName}" is paused (spec.paused): the controller freezes every action on it, so the workflow would wait (Adopted False/TargetNotReady "target is paused")`, [
        `unpause it first: kubectl patch seinode ${nodeName}${ns} --type merge -p '{"spec":{"paused":false}}'`,
      ]),
    };
  }

  const given = rpcServers(workflow);
  const witnesses = given.length > 0 ? given : nodes.resolvedStateSyncers(node);
  if (witnesses.length < MIN_WITNESSES) {
    return {
      warnings,
      refusal: SeiError.preflight('PlanBuildFailed', `stateSync workflow fail-closed: need >=${MIN_WITNESSES} resolved witnesses (recipe rpcServers or node.status.resolvedStateSyncers), have ${witnesses.length}: SeiNode "${nodeName}" resolves ${nodes.resolvedStateSyncers(node).length} state syncers`, [
        'pass two witnesses: --rpc-servers host1:26657 --rpc-servers host2:26657',
      ]),
    };
  }

  const active = others.filter((w) => w.metadata.name !== name && !w.metadata.deletionTimestamp && !nodes.isWorkflowTerminal(w));
  const ahead = adopted && adopted.name !== name ? adopted.name : active.filter((w) => !workflow.metadata.creationTimestamp || createdBefore(w, workflow))[0]?.metadata.name ?? active[0]?.metadata.name;
  if (ahead) {
    warnings.push(`SeiNode "${nodeName}" already has workflow "${ahead}" ${adopted?.name === ahead ? 'adopted' : 'queued'}: this one will queue behind it (first wins by creationTimestamp, then name) and start after it completes`);
  }
  const wanted = nodes.workflowRequirePhase(workflow);
  const phase = nodes.nodePhase(node) || 'Pending';
  if (phase !== wanted) warnings.push(`SeiNode "${nodeName}" is ${phase}, not ${wanted}: the workflow waits up to spec.target.requirePhaseTimeout (default 5m), then fails TargetPhaseTimeout`);
  return { warnings };
}

export interface WorkflowPreflight {
  node?: KubeObject;
  /** A same-named workflow that is still running: follow it instead of writing. */
  attach?: KubeObject;
}

/** Workflows in the namespace that target the node (the controller's field index). */
export async function workflowsOnNode(client: ClusterClient, node: string, namespace: string): Promise<KubeObject[]> {
  const list = await client.list(WORKFLOW_API.apiVersion, WORKFLOW_API.kind, { namespace });
  return list.items.filter((w) => nodes.workflowTarget(w) === node);
}

export async function preflightWorkflow(
  client: ClusterClient,
  workflow: KubeObject,
  options: { targetChecks: boolean; warn: (message: string) => void },
): Promise<WorkflowPreflight> {
  const name = workflow.metadata.name ?? '';
  const namespace = workflow.metadata.namespace ?? client.namespace;
  const existing = await client.get({ ...WORKFLOW_API, name, namespace });
  if (existing) {
    const same = JSON.stringify(rec(existing['spec'])['stateSync'] ?? {}) === JSON.stringify(rec(workflow['spec'])['stateSync'] ?? {}) && nodes.workflowTarget(existing) === nodes.workflowTarget(workflow);
    if (!same) {
      throw SeiError.preflight('AlreadyExists', `SeiNodeTaskWorkflow "${name}" already exists in "${namespace}" with another spec (a workflow's spec is immutable)`, ['choose another name with --name']);
    }
    if (nodes.isWorkflowTerminal(existing)) {
      throw SeiError.preflight('AlreadyTerminal', `SeiNodeTaskWorkflow "${name}" already ran to ${nodes.workflowPhase(existing)}${nodes.workflowReason(existing) ? ` (${nodes.workflowReason(existing)})` : ''}; workflows are apply-once by name`, [
        `see what happened: kubectl sei workflow describe ${name} -n ${namespace}`,
        'to run it again, choose a new --name',
      ]);
    }
    options.warn(`SeiNodeTaskWorkflow "${name}" already exists (${nodes.workflowPhase(existing) || 'no status yet'}): following it instead of creating a duplicate`);
    return { attach: existing };
  }
  const nodeName = nodes.workflowTarget(workflow);
  if (!options.targetChecks) {
    options.warn(`--no-preflight: not checking SeiNode "${nodeName}"; the controller decides`);
    return {};
  }
  const node = await requireNode(client, nodeName, namespace);
  const findings = workflowFindings(workflow, node, await workflowsOnNode(client, nodeName, namespace));
  if (findings.refusal) throw findings.refusal;
  findings.warnings.forEach(options.warn);
  return { node };
}
