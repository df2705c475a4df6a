/**
 * `task describe`: a human page about one SeiNodeTask — target, conditions, task id, timeline,
 * outputs, and what to do next given its state. Pure text from the object; no cluster access.
 */
import { toSafeYaml } from '../domain/yaml.js';
import type { KubeObject } from '../cluster/types.js';
import { alignColumns } from './printers.js';
import { TASK_REASONS } from '../domain/task-reasons.js';
import * as view from './task-view.js';
import { asRecord as rec } from '../domain/seinodetask.js';



function field(label: string, value: unknown): string {
  return `${`${label}:`.padEnd(22)}${value === undefined || value === '' ? '<none>' : String(value)}`;
}

const NEXT_STEPS: Record<string, (name: string, ns: string, node: string) => string[]> = {
  ParamsBuildFailed: (_n, ns, node) => [
    `The controller could not build the task's parameters. For DiscoverPeers: give SeiNode ${node} a peer source (kubectl edit seinode ${node} -n ${ns}) or make its label selector match nodes.`,
  ],
  TargetResolveFailed: (_n, ns, node) => [`SeiNode ${node} was missing or not in the required phase in time: kubectl get seinode ${node} -n ${ns}`],
  Timeout: (name, ns, node) => [
    `The task ran longer than spec.timeoutSeconds. Check the target: kubectl get pods -n ${ns} -l sei.io/node=${node}`,
    `Run it again with a new task: kubectl sei task <kind> ${node} -n ${ns} --replace --name ${name}`,
  ],
  TaskFailed: (name, ns) => [`Read the sidecar's error above (status.task.err); after fixing the cause run it again with --replace --name ${name} -n ${ns}.`],
  TaskTerminalError: (name, ns) => [`The controller refused the task permanently; fix the cause, then --replace --name ${name} -n ${ns}.`],
  TxFailed: (name, ns) => TASK_REASONS['TxFailed']!.next(name, ns),
  InclusionUndetermined: (name, ns) => TASK_REASONS['InclusionUndetermined']!.next(name, ns),
};

export function nextSteps(object: KubeObject): string[] {
  const name = object.metadata.name ?? '';
  const ns = object.metadata.namespace ?? 'default';
  const node = view.targetNode(object);
  const p = view.phase(object);
  if (p === 'Complete') {
    const outs = Object.keys(view.outputs(object));
    const explained = TASK_REASONS[view.condition(object, 'Ready')?.reason ?? ''];
    return [
      ...(explained ? [`${view.condition(object, 'Ready')?.reason}: ${explained.summary}.`] : []),
      outs.length > 0 ? `Use its outputs in the next step: kubectl sei task get ${name} -n ${ns} -o json | jq .status.outputs (or --output-env KEY={.status.outputs...} --env-file F on the paved road)` : 'Nothing to do: the task is Complete.',
      `Tasks are apply-once and not pruned: remove it when done with kubectl sei task delete ${name} -n ${ns}`,
    ];
  }
  if (p === 'Failed') {
    const reason = view.reason(object);
    return (NEXT_STEPS[reason] ?? ((n: string, s: string) => [`Inspect the reason above; to run it again: --replace --name ${n} -n ${s}`]))(name, ns, node);
  }
  const target = view.condition(object, 'TargetReady');
  if (target && target.status !== 'True') {
    return [`Waiting for SeiNode ${node} to reach ${view.requirePhase(object)}: kubectl get seinode ${node} -n ${ns}`, `Follow it: kubectl sei task wait ${name} -n ${ns}`];
  }
  return [`Follow it: kubectl sei task wait ${name} -n ${ns}`];
}

/** A core/v1 Event about the task, as `kubectl describe` lists them. */
export interface TaskEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  source?: { component?: string };
}

export function describeTask(object: KubeObject, now = Date.now(), events: TaskEvent[] = []): string {
  const status = view.status(object);
  const task = view.taskInfo(object);
  const spec = view.spec(object);
  const target = rec(spec['target']);
  const lines: string[] = [
    field('Name', object.metadata.name),
    field('Namespace', object.metadata.namespace),
    field('Kind', view.taskKind(object)),
    field('Target', view.targetNode(object)),
    field('Require Phase', `${view.requirePhase(object)} (within ${typeof target['requirePhaseTimeout'] === 'string' ? target['requirePhaseTimeout'] : '5m'})`),
    field('Timeout Seconds', spec['timeoutSeconds'] ?? '<controller default>'),
    field('Phase', view.phase(object)),
    field('Generation', `${object.metadata.generation ?? '?'} (observed ${status['observedGeneration'] ?? 'not yet'})`),
    // The id the node's sidecar knows the task by (UUIDv5 of "<uid>/<Kind>/0").
    field('Sidecar Task ID', task['id']),
    field('Task Status', task['status']),
  ];
  if (typeof task['err'] === 'string' && task['err'] !== '') lines.push(field('Task Error', task['err']));
  if (typeof task['restartedPodUID'] === 'string') lines.push(field('Restarted Pod UID', task['restartedPodUID']));
  const labels = object.metadata.labels ?? {};
  lines.push(field('Labels', Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')));

  const payloadKey = Object.keys(spec).find((k) => !['kind', 'target', 'timeoutSeconds'].includes(k));
  if (payloadKey) lines.push('', `Payload (spec.${payloadKey}):`, indent(toSafeYaml(spec[payloadKey]).trimEnd()));

  const conditions = view.conditions(object);
  lines.push('', 'Conditions:');
  lines.push(conditions.length === 0 ? '  <none>' : indent(alignColumns([['TYPE', 'STATUS', 'REASON', 'LAST TRANSITION', 'MESSAGE'], ...conditions.map((c) => [c.type, c.status, c.reason ?? '', c.lastTransitionTime ?? '', c.message ?? ''])]).trimEnd()));

  const timeline: Array<[string, unknown]> = [
    ['Created', object.metadata.creationTimestamp],
    ['Target first observed', status['targetFirstObservedAt']],
    ['Started', status['startedAt']],
    ['Submitted', task['submittedAt']],
    ['Execution started', task['executionStartedAt']],
    ['Phase changed', status['phaseTransitionTime']],
  ];
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  lines.push('', 'Timeline:');
  for (const [label, at] of timeline) {
    if (typeof at !== 'string') continue;
    const offset = Number.isNaN(created) ? '' : ` (+${Math.max(0, (Date.parse(at) - created) / 1000).toFixed(1)}s)`;
    lines.push(`  ${`${label}:`.padEnd(24)}${at}${label === 'Created' ? '' : offset}`);
  }
  if (!view.isTerminal(object) && !Number.isNaN(created)) lines.push(`  ${'Running for:'.padEnd(24)}${((now - created) / 1000).toFixed(0)}s`);

  const outputs = view.outputs(object);
  lines.push('', 'Outputs:', Object.keys(outputs).length === 0 ? '  <none>' : indent(toSafeYaml(outputs).trimEnd()));
  lines.push('', 'Events:');
  lines.push(
    events.length === 0
      ? '  <none>'
      : indent(alignColumns([['TYPE', 'REASON', 'COUNT', 'LAST SEEN', 'FROM', 'MESSAGE'], ...events.map((e) => [e.type ?? '', e.reason ?? '', String(e.count ?? 1), e.lastTimestamp ?? '', e.source?.component ?? '', e.message ?? ''])]).trimEnd()),
  );
  lines.push('', 'Next:', ...nextSteps(object).map((s) => `  ${s}`));
  return `${lines.join('\n')}\n`;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}
