// Export structure against the engines' field names (ecosystem.md §5): Argo Workflows resource
// templates and Chaos Mesh Workflow templates, including the run-time pod-UID read of RestartPod.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parse } from 'yaml';
import { exportPlanWorkflow } from '../../src/services/plan-export.js';
import type { FleetNode } from '../../src/plan/types.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'plans');
const ID = '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c';
const fleet: FleetNode[] = Array.from({ length: 7 }, (_, i) => ({ name: `node-0${i}`, labels: { 'sei.io/chain': 'arctic-1' }, phase: 'Running', hasPeers: true }));

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- structural assertions over engine YAML

const ARGO_TEMPLATE_FIELDS = new Set(['name', 'inputs', 'outputs', 'resource', 'script', 'steps', 'dag', 'suspend', 'parallelism', 'failFast', 'retryStrategy', 'container', 'activeDeadlineSeconds']);
const CHAOS_TEMPLATE_FIELDS = new Set(['name', 'templateType', 'deadline', 'children', 'task', 'conditionalBranches', 'schedule']);
const CHAOS_TYPES = new Set(['Task', 'Serial', 'Parallel', 'Suspend', 'Schedule']);

async function argo(file: string): Promise<Rec> {
  return (await exportPlanWorkflow({ to: 'argo-workflows', file, fleet, namespace: 'arctic-1', planId: ID })).object as Rec;
}

function refsOf(templates: Rec[]): string[] {
  const refs: string[] = [];
  for (const t of templates) {
    for (const task of t.dag?.tasks ?? []) refs.push(task.template);
    for (const group of t.steps ?? []) for (const s of group) refs.push(s.template);
  }
  return refs;
}

describe('export to Argo Workflows', () => {
  it('refresh-peers: a DAG of resource templates testing status.phase, fan-out with withItems and parallelism', async () => {
    const wf = await argo('refresh-peers');
    expect(wf).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { generateName: 'refresh-peers-', namespace: 'arctic-1' }, spec: { entrypoint: 'sei-plan', serviceAccountName: 'kubectl-sei-plan' } });
    const templates: Rec[] = wf.spec.templates;
    const names = templates.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const ref of refsOf(templates)) expect(names).toContain(ref);
    for (const t of templates) for (const key of Object.keys(t)) expect(ARGO_TEMPLATE_FIELDS, `${t.name}.${key}`).toContain(key);
    const entry = templates.find((t) => t.name === wf.spec.entrypoint)!;
    expect(entry.dag.tasks.map((t: Rec) => [t.name, t.dependencies ?? []])).toEqual([['s0-discover', []], ['s1-restart', ['s0-discover']]]);

    const resources = templates.filter((t) => t.resource);
    expect(resources).toHaveLength(2);
    for (const r of resources) {
      expect(['create', 'apply']).toContain(r.resource.action);
      expect(r.resource.successCondition).toBe('status.phase == Complete');
      expect(r.resource.failureCondition).toBe('status.phase == Failed');
      const manifest = parse(r.resource.manifest);
      expect(manifest).toMatchObject({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { labels: { 'sei.io/plan-id': '{{workflow.uid}}' }, annotations: { 'sei.io/plan-name': 'refresh-peers' } } });
    }
    const discover = templates.find((t) => t.name === 's0-discover-items')!;
    expect(discover.parallelism).toBe(10);
    expect(discover.steps[0][0].withItems).toHaveLength(7);
    const restart = templates.find((t) => t.name === 's1-restart-items')!;
    expect(restart.parallelism).toBe(1);
  });

  it('RestartPod: the pod UID is read by a script step immediately before the resource step, and re-read on retry', async () => {
    const templates: Rec[] = (await argo('refresh-peers')).spec.templates;
    const item = templates.find((t) => t.name === 's1-restart-item')!;
    expect(item.steps).toHaveLength(2);
    expect(item.steps[0][0].template).toBe('s1-restart-read');
    expect(item.steps[1][0].template).toBe('s1-restart-create');
    expect(item.steps[1][0].arguments.parameters).toContainEqual({ name: 'late-value', value: '{{steps.read.outputs.result}}' });
    expect(item.retryStrategy).toMatchObject({ limit: '1', backoff: { duration: '5s' } });
    const reader = templates.find((t) => t.name === 's1-restart-read')!;
    expect(reader.script.source).toContain('kubectl get pod "{{inputs.parameters.node}}-0" -n arctic-1 -o jsonpath=\'{.metadata.uid}\'');
    const manifest = parse(templates.find((t) => t.name === 's1-restart-create')!.resource.manifest);
    expect(manifest.spec.restartPod.podUID).toBe('{{inputs.parameters.late-value}}');
    // Apply-once names: each attempt creates a new task (generateName), labelled with its attempt.
    expect(manifest.metadata.generateName).toBe('{{inputs.parameters.name-prefix}}');
    expect(manifest.metadata.labels['sei.io/plan-attempt']).toBe('{{inputs.parameters.attempt}}');
  });

  it('gov-upgrade: the proposal exports proposalId and every vote receives it unquoted (typed)', async () => {
    const templates: Rec[] = (await argo(join(FIXTURES, 'gov-upgrade.yaml'))).spec.templates;
    const propose = templates.find((t) => t.name === 's0-propose-create')!;
    expect(propose.outputs.parameters).toEqual([{ name: 'proposalId', valueFrom: { jsonPath: '{.status.outputs.govSoftwareUpgrade.proposalId}' } }]);
    const dag = templates.find((t) => t.name === 'sei-plan')!.dag.tasks as Rec[];
    expect(dag.find((t) => t.name === 's1-vote')!.arguments.parameters).toEqual([{ name: 'propose-proposalId', value: '{{tasks.s0-propose.outputs.parameters.proposalId}}' }]);
    const vote = templates.find((t) => t.name === 's1-vote-create')!;
    expect(vote.resource.manifest).toMatch(/proposalId: \{\{inputs\.parameters\.propose-proposalId\}\}\n/);
    expect(templates.find((t) => t.name === 's1-vote-items')!.parallelism).toBe(5);
  });

  it('an approval step becomes a suspend node the next steps depend on', async () => {
    const wf = await argo(join(FIXTURES, 'approval.yaml'));
    const templates: Rec[] = wf.spec.templates;
    expect(templates.find((t) => t.name === 's1-check-approval')).toEqual({ name: 's1-check-approval', suspend: {} });
    const dag = templates.find((t) => t.name === 'sei-plan')!.dag.tasks as Rec[];
    expect(dag.find((t) => t.name === 's2-restart')!.dependencies).toEqual(['s1-check']);
  });
});

describe('export to Chaos Mesh', () => {
  it('refresh-peers: a chain of Parallel batches of at most maxParallel Task containers running kubectl-sei', async () => {
    const wf = (await exportPlanWorkflow({ to: 'chaos-mesh', file: 'refresh-peers', fleet, namespace: 'arctic-1', planId: ID })).object as Rec;
    expect(wf).toMatchObject({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Workflow', spec: { entry: 'sei-plan' } });
    const templates: Rec[] = wf.spec.templates;
    const byName = new Map(templates.map((t) => [t.name, t]));
    expect(byName.size).toBe(templates.length);
    expect(byName.get(wf.spec.entry)).toMatchObject({ templateType: 'Serial', children: ['sei-from-0'] });
    for (const t of templates) {
      for (const key of Object.keys(t)) expect(CHAOS_TEMPLATE_FIELDS, `${t.name}.${key}`).toContain(key);
      expect(CHAOS_TYPES).toContain(t.templateType);
      for (const child of t.children ?? []) expect(byName.has(child), child).toBe(true);
    }
    const batches = (step: string) => templates.filter((t) => t.name.startsWith(`${step}-batch-`) && t.templateType === 'Parallel');
    expect(batches('s0-discover').every((b: Rec) => b.children.length <= 10)).toBe(true);
    expect(batches('s1-restart')).toHaveLength(7);
    expect(batches('s1-restart').every((b: Rec) => b.children.length === 1)).toBe(true);
    const task = byName.get('s1-restart-3')!;
    expect(task.templateType).toBe('Task');
    // The pod UID is read in the container right before kubectl-sei applies the RestartPod.
    expect(task.task.container.command[2]).toContain('kubectl-sei task apply -f -');
  });

  it('refuses what Chaos Mesh cannot express: approvals and outputs between steps', async () => {
    await expect(exportPlanWorkflow({ to: 'chaos-mesh', file: join(FIXTURES, 'approval.yaml'), fleet, namespace: 'arctic-1', planId: ID })).rejects.toThrow(/cannot wait for an approval/);
    await expect(exportPlanWorkflow({ to: 'chaos-mesh', file: join(FIXTURES, 'gov-upgrade.yaml'), fleet, namespace: 'arctic-1', planId: ID })).rejects.toThrow(/outputs/);
  });
});
