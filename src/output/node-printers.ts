/**
 * Printers for SeiNodes and SeiNodeTaskWorkflows: kubectl-style tables, the controller plan
 * as a table, and the `node describe` / `workflow describe` pages with what to do next.
 * Pure text from objects; no cluster access.
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../cluster/types.js';
import { humanDuration } from './human-duration.js';
import { failedTask, planOf, type TaskPlan } from '../watch/follow-plan.js';
import * as nodes from './node-view.js';
import { alignColumns, tableText, type TableOptions } from './printers.js';
import * as view from './task-view.js';

function field(label: string, value: unknown): string {
  return `${`${label}:`.padEnd(24)}${value === undefined || value === '' ? '<none>' : String(value)}`;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}

function age(object: KubeObject, now?: number): string {
  const ms = view.ageMs(object, now);
  return ms === undefined ? '<unknown>' : humanDuration(ms);
}

export function nodeTable(objects: readonly KubeObject[], options: TableOptions = {}): string {
  const header = ['NAME', 'PHASE', 'MODE', 'IMAGE', 'PLAN', 'WORKFLOW', 'AGE'];
  if (options.wide) header.splice(4, 0, 'CURRENT-IMAGE');
  if (options.allNamespaces) header.unshift('NAMESPACE');
  const rows = objects.map((node) => {
    const image = String(view.spec(node)['image'] ?? '');
    const current = String(view.status(node)['currentImage'] ?? '');
    const row = [
      node.metadata.name ?? '',
      nodes.nodePhase(node) || '<none>',
      nodes.nodeMode(node) || '<none>',
      // The short table shows the running image when they differ, so a stuck roll is visible.
      options.wide || !current || current === image ? image : `${image} (running ${current})`,
      nodes.planSummary(node) || '<none>',
      nodes.adoptedWorkflow(node)?.name ?? '<none>',
      age(node, options.now),
    ];
    if (options.wide) row.splice(4, 0, current || '<none>');
    if (options.allNamespaces) row.unshift(node.metadata.namespace ?? '');
    return row;
  });
  return tableText(header, rows, objects, options);
}

export function workflowTable(objects: readonly KubeObject[], options: TableOptions = {}): string {
  const header = ['NAME', 'KIND', 'TARGET', 'PHASE', 'REASON', 'STEP', 'AGE'];
  if (options.wide) header.push('MIGRATION', 'MESSAGE');
  if (options.allNamespaces) header.unshift('NAMESPACE');
  const rows = objects.map((w) => {
    const row = [
      w.metadata.name ?? '',
      String(view.spec(w)['kind'] ?? ''),
      nodes.workflowTarget(w),
      nodes.workflowPhase(w) || '<none>',
      nodes.workflowReason(w) || '<none>',
      nodes.planSummary(w) || '<none>',
      age(w, options.now),
    ];
    if (options.wide) row.push(nodes.workflowMigration(w) || '<none>', nodes.workflowMessage(w).replace(/\s+/g, ' ').slice(0, 80) || '<none>');
    if (options.allNamespaces) row.unshift(w.metadata.namespace ?? '');
    return row;
  });
  return tableText(header, rows, objects, options);
}

/** The controller plan as a table: index, task type, status, retries n/max, submitted, error. */
export function planTable(plan: TaskPlan): string {
  const rows = plan.tasks.map((t, i) => [String(i), t.type, t.status ?? 'Pending', `${t.retryCount ?? 0}/${t.maxRetries ?? 0}`, t.submittedAt ?? '', (t.error ?? '').replace(/\s+/g, ' ')]);
  return alignColumns([['#', 'TASK', 'STATUS', 'RETRIES', 'SUBMITTED', 'ERROR'], ...rows]);
}

function planSection(object: KubeObject, what: string): string[] {
  const plan = planOf(object);
  if (!plan) return ['', `${what}:`, '  <none> (no plan in progress; the controller clears a plan once it ends)'];
  const lines = ['', `${what}:`, indent(field('ID', plan.id)), indent(field('Phase', plan.phase))];
  if (plan.targetPhase) lines.push(indent(field('Target Phase', plan.targetPhase)));
  if (plan.failedPhase) lines.push(indent(field('Failed Phase', plan.failedPhase)));
  if (plan.phase === 'Failed') {
    const { index, detail } = failedTask(plan);
    lines.push(indent(field('Failed Task Index', index)));
    if (detail) lines.push(indent(field('Failed Task Detail', `${detail.type}: ${detail.error ?? ''} (retries ${detail.retryCount ?? 0}/${detail.maxRetries ?? 0})`)));
  }
  lines.push(indent(planTable(plan).trimEnd()));
  return lines;
}

function conditionsSection(object: KubeObject): string[] {
  const conditions = view.conditions(object);
  return ['', 'Conditions:', conditions.length === 0 ? '  <none>' : indent(alignColumns([['TYPE', 'STATUS', 'REASON', 'LAST TRANSITION', 'MESSAGE'], ...conditions.map((c) => [c.type, c.status, c.reason ?? '', c.lastTransitionTime ?? '', c.message ?? ''])]).trimEnd())];
}

function eventsSection(events: readonly KubeObject[]): string[] {
  if (events.length === 0) return ['', 'Events:', '  <none>'];
  const rows = events.map((e) => [String(e['type'] ?? ''), String(e['reason'] ?? ''), String(e['lastTimestamp'] ?? e['eventTime'] ?? e.metadata.creationTimestamp ?? ''), String(e['message'] ?? '')]);
  return ['', 'Events:', indent(alignColumns([['TYPE', 'REASON', 'LAST SEEN', 'MESSAGE'], ...rows]).trimEnd())];
}

/** What an operator does next for a node, from its plan, phase and workflow conditions. */
export function nodeNextSteps(node: KubeObject): string[] {
  const name = node.metadata.name ?? '';
  const ns = node.metadata.namespace ?? 'default';
  const plan = planOf(node);
  const steps: string[] = [];
  if (plan?.phase === 'Failed') {
    const { detail } = failedTask(plan);
    steps.push(`The plan failed at ${detail?.type ?? 'a task'}${detail?.error ? ` (${detail.error})` : ''}. Fix the cause (kubectl logs ${name}-0 -c sei-sidecar -n ${ns}); a node in phase ${nodes.nodePhase(node) || '?'} ${nodes.nodePhase(node) === 'Failed' ? 'must be deleted and recreated to retry (the controller does not re-plan a Failed node)' : 'gets a new plan on the next reconcile'}.`);
  } else if (plan) {
    steps.push(`Follow the plan task by task: kubectl sei node wait ${name} -n ${ns} --for plan`);
  }
  const held = view.condition(node, 'WorkflowInProgress');
  const adopted = nodes.adoptedWorkflow(node);
  if (held?.status === 'True' && held.reason === 'WorkflowFailedHeld' && adopted) {
    steps.push(`Workflow ${adopted.name} failed and holds the node (no drift plans, no new workflows): see kubectl sei workflow describe ${adopted.name} -n ${ns}; release it with kubectl sei workflow delete ${adopted.name} --force -n ${ns} (seid may start on partly reset data)`);
  } else if (adopted) {
    steps.push(`Workflow ${adopted.name} drives the node: kubectl sei workflow wait ${adopted.name} -n ${ns}`);
  }
  if (nodes.isPaused(node)) steps.push(`The node is paused (spec.paused): the controller does nothing on it until it is unpaused.`);
  if (steps.length === 0) steps.push(nodes.nodePhase(node) === 'Running' ? 'Nothing to do: the node is Running with no plan in progress.' : `Wait for it: kubectl sei node wait ${name} -n ${ns} --for running`);
  return steps;
}

export function describeNode(data: { node: KubeObject; events: readonly KubeObject[]; tasks: readonly KubeObject[]; workflows: readonly KubeObject[] }): string {
  const { node } = data;
  const status = view.status(node);
  const adopted = nodes.adoptedWorkflow(node);
  const lines = [
    field('Name', node.metadata.name),
    field('Namespace', node.metadata.namespace),
    field('Mode', nodes.nodeMode(node)),
    field('Chain', view.spec(node)['chainId']),
    field('Phase', nodes.nodePhase(node)),
    field('Paused', nodes.isPaused(node) ? 'true' : 'false'),
    field('Image', view.spec(node)['image']),
    field('Current Image', status['currentImage']),
    field('Adopted Workflow', adopted ? `${adopted.name}${adopted.adoptedAt ? ` (since ${adopted.adoptedAt})` : ''}` : undefined),
    field('State Syncers', nodes.resolvedStateSyncers(node).join(', ')),
    ...planSection(node, 'Plan'),
    ...conditionsSection(node),
  ];
  lines.push('', 'Tasks targeting it:');
  lines.push(data.tasks.length === 0 ? '  <none>' : indent(alignColumns([['NAME', 'KIND', 'PHASE', 'REASON'], ...data.tasks.map((t) => [t.metadata.name ?? '', view.taskKind(t), view.phase(t), view.reason(t) || '<none>'])]).trimEnd()));
  lines.push('', 'Workflows targeting it:');
  lines.push(data.workflows.length === 0 ? '  <none>' : indent(alignColumns([['NAME', 'KIND', 'PHASE', 'REASON'], ...data.workflows.map((w) => [w.metadata.name ?? '', String(view.spec(w)['kind'] ?? ''), nodes.workflowPhase(w) || '<none>', nodes.workflowReason(w) || '<none>'])]).trimEnd()));
  lines.push(...eventsSection(data.events));
  lines.push('', 'Next:', ...nodeNextSteps(node).map((s) => `  ${s}`));
  return `${lines.join('\n')}\n`;
}

export function workflowNextSteps(workflow: KubeObject, node?: KubeObject): string[] {
  const name = workflow.metadata.name ?? '';
  const ns = workflow.metadata.namespace ?? 'default';
  const target = nodes.workflowTarget(workflow);
  const reason = nodes.workflowReason(workflow);
  const phase = nodes.workflowPhase(workflow);
  if (phase === 'Complete') {
    return [`The recipe ran to mark-ready: SeiNode ${target} was released to re-bootstrap. Complete does NOT mean caught up: check the node's sync (RPC /status catching_up) before routing traffic to it.`];
  }
  if (phase === 'Failed') {
    switch (reason) {
      case 'TargetRejected':
        return [`SeiNode ${target} is not a full node: workflows target full/RPC nodes only. Delete this workflow: kubectl sei workflow delete ${name} -n ${ns}`];
      case 'PlanBuildFailed':
        return [`Give the recipe two witnesses (--rpc-servers host:port twice) or fix SeiNode ${target}'s state-sync sources, then run a new workflow (the node was not held).`];
      case 'TargetPhaseTimeout':
        return [`SeiNode ${target} did not reach ${nodes.workflowRequirePhase(workflow)} in time; once it does, run a new workflow (the node was not held).`];
      default:
        return [
          `The recipe failed and SeiNode ${target} stays held (WorkflowInProgress True/WorkflowFailedHeld): no drift plans, no other workflow runs on it.`,
          `Release it: kubectl sei workflow delete ${name} --force -n ${ns} (no data verification: seid may start on partly reset data), then run a new workflow.`,
        ];
    }
  }
  const adopted = view.condition(workflow, 'Adopted');
  const holder = node ? nodes.adoptedWorkflow(node)?.name : undefined;
  if (!workflow['status'] && holder && holder !== name) return [`No status yet: SeiNode ${target} is held by workflow ${holder}; the controller writes this one's status only once ${holder} releases the node. See kubectl sei workflow describe ${holder} -n ${ns}`];
  if (adopted?.reason === 'QueuedBehindActive') return [`Queued behind ${holder ?? 'the active workflow'} on SeiNode ${target}: it starts when that one completes. Follow it: kubectl sei workflow wait ${name} -n ${ns}`];
  if (adopted?.reason === 'TargetNotReady') return [`Waiting for SeiNode ${target}: ${adopted.message ?? ''}. Follow it: kubectl sei workflow wait ${name} -n ${ns}`];
  return [`Follow it: kubectl sei workflow wait ${name} -n ${ns}`];
}

export function describeWorkflow(data: { workflow: KubeObject; node?: KubeObject; events: readonly KubeObject[] }): string {
  const { workflow } = data;
  const status = view.status(workflow);
  const target = view.spec(workflow)['target'] as Record<string, unknown> | undefined;
  const finalizers = Array.isArray(workflow.metadata['finalizers']) ? (workflow.metadata['finalizers'] as string[]) : [];
  const lines = [
    field('Name', workflow.metadata.name),
    field('Namespace', workflow.metadata.namespace),
    field('Kind', view.spec(workflow)['kind']),
    field('Target', nodes.workflowTarget(workflow)),
    field('Require Phase', `${nodes.workflowRequirePhase(workflow)} (within ${typeof target?.['requirePhaseTimeout'] === 'string' ? target['requirePhaseTimeout'] : '5m'})`),
    field('Migration', nodes.workflowMigration(workflow) || 'none (plain re-bootstrap)'),
    field('Phase', nodes.workflowPhase(workflow) || (workflow['status'] ? '' : 'no status yet')),
    field('Finalizers', finalizers.join(', ')),
    field('Deleting', workflow.metadata.deletionTimestamp ? `since ${workflow.metadata.deletionTimestamp}` : undefined),
    field('Target First Observed', status['targetFirstObservedAt']),
  ];
  const spec = view.spec(workflow)['stateSync'];
  if (spec !== undefined) lines.push('', 'Recipe (spec.stateSync):', indent(stringify(spec, { lineWidth: 0 }).trimEnd()));
  lines.push(...planSection(workflow, 'Plan (status.plan)'), ...conditionsSection(workflow), ...eventsSection(data.events));
  lines.push('', 'Next:', ...workflowNextSteps(workflow, data.node).map((s) => `  ${s}`));
  return `${lines.join('\n')}\n`;
}
