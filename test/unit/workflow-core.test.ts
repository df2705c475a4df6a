// Workflow kinds as data, rendering and offline validation (upstream's CRD as the oracle), the
// preflight decisions against upstream's SeiNode controller, the node-plan follower's pure
// half and the node/workflow printers. Upstream = sei-protocol/sei-k8s-controller at 2d670ad.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadWorkflowCatalog } from '../../src/catalog/index.js';
import type { KubeObject } from '../../src/cluster/types.js';
import { describeNode, describeWorkflow, planTable, workflowTable } from '../../src/output/node-printers.js';
import { nodeDecision } from '../../src/services/nodes.js';
import { renderWorkflow } from '../../src/services/workflows.js';
import { workflowFindings } from '../../src/services/workflow-preflight.js';
import { failingStep, waitingText, workflowVerdictsToError } from '../../src/services/follow-workflows.js';
import { compileCrdValidator, type CrdDocument } from '../../src/validate/index.js';
import { describePlanEvent, planEvents, PlanTracker, type TaskPlan } from '../../src/watch/follow-plan.js';
import { stateSyncSet } from '../../src/cli/workflow-flags.js';
import { refusal } from '../support/refusal.js';

const upstreamCrd = parse(readFileSync('/work/shared/crds/latest/sei.io_seinodetaskworkflows.yaml', 'utf8')) as CrdDocument;
const upstream = compileCrdValidator(upstreamCrd);

const render = (set: string[]) => renderWorkflow({ kind: 'state-sync', node: 'rpc-0', namespace: 'sei', set });

describe('state-sync renders what upstream\'s CRD accepts', () => {
  it.each([
    ['a plain re-bootstrap', [] as string[], { stateSync: {} }],
    ['the giga-store migration with rocksdb', stateSyncSet({ migration: 'giga-store', backend: 'rocksdb' }), { stateSync: { migration: { kind: 'GigaStore', gigaStore: { backend: 'rocksdb' } } } }],
    ['giga-store with the default backend (pebbledb)', stateSyncSet({ migration: 'giga-store' }), { stateSync: { migration: { kind: 'GigaStore', gigaStore: { backend: 'pebbledb' } } } }],
    ['two witnesses and a phase gate', stateSyncSet({ 'rpc-servers': ['a:26657', 'b.example:1'], 'require-phase': 'Running', 'require-phase-timeout': '10m' }), { stateSync: { rpcServers: ['a:26657', 'b.example:1'] } }],
  ])('%s', async (_label, set, expected) => {
    const { object, spec } = await render(set);
    expect(spec.resource).toBe('SeiNodeTaskWorkflow');
    expect(object.kind).toBe('SeiNodeTaskWorkflow');
    expect(object['spec']).toMatchObject({ kind: 'StateSync', target: { nodeRef: { name: 'rpc-0' } }, ...expected });
    // The oracle: upstream's own CRD (schema + CEL) accepts exactly what we render.
    expect(upstream.validate(object, { fieldValidation: 'Strict' }).causes).toEqual([]);
  });

  it('refuses (exit 2) what upstream\'s CRD refuses: a URL witness, one witness, an unknown backend', async () => {
    const url = await refusal(render(['rpcServers=["a:26657","http://b:1"]']));
    expect(url.exitCode).toBe(2);
    expect(url.causes.map((c) => c.field)).toContain('spec.stateSync.rpcServers[1]');
    expect(() => stateSyncSet({ 'rpc-servers': ['a:26657'] })).toThrow(/at least two witnesses/);
    const backend = await refusal(render(['migration=GigaStore', 'backend=leveldb']));
    expect(backend.exitCode).toBe(2);
    expect(`${backend.message} ${backend.causes.map((c) => `${c.field}: ${c.message}`).join()}`).toMatch(/backend/);
    // Upstream agrees on each (the same objects, written by hand).
    const base = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTaskWorkflow', metadata: { name: 'w', namespace: 'sei' } };
    expect(upstream.validate({ ...base, spec: { kind: 'StateSync', target: { nodeRef: { name: 'n' } }, stateSync: { rpcServers: ['a:1'] } } }).causes.length).toBeGreaterThan(0);
    expect(upstream.validate({ ...base, spec: { kind: 'StateSync', target: { nodeRef: { name: 'n' } } } }).causes.map((c) => c.message).join()).toMatch(/exactly one recipe \(stateSync\) must be set/);
  });

  it('lists the recipe steps upstream\'s planner compiles, in order', () => {
    // upstream internal/planner/workflow.go BuildPlan (2d670ad): mark-not-ready, stop-seid,
    // reset-data, [config-patch when a migration is set], configure-state-sync, mark-ready.
    const spec = loadWorkflowCatalog().require('state-sync');
    expect(spec.steps).toEqual(['mark-not-ready', 'stop-seid', 'reset-data', 'config-patch', 'configure-state-sync', 'mark-ready']);
    expect(spec.destructive).toBe(true);
    expect(spec.apis).toEqual(['latest']);
    expect(() => loadWorkflowCatalog().require('state-synk')).toThrow(/unknown workflow kind "state-synk"; did you mean state-sync/);
  });
});

function node(name: string, spec: Record<string, unknown>, status: Record<string, unknown> = { phase: 'Running' }): KubeObject {
  return { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name, namespace: 'sei' }, spec: { chainId: 'c', image: 'i', ...spec }, status };
}
function workflow(name: string, target: string, extra: Record<string, unknown> = {}, status?: Record<string, unknown>, created = '2026-01-01T00:00:00Z'): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTaskWorkflow',
    metadata: { name, namespace: 'sei', creationTimestamp: created },
    spec: { kind: 'StateSync', target: { nodeRef: { name: target } }, stateSync: extra },
    ...(status ? { status } : {}),
  };
}
const witnesses = { rpcServers: ['a:26657', 'b:26657'] };

describe('preflight decides as the SeiNode controller would', () => {
  it('refuses a target that is not a full node: TargetRejected, with the role', () => {
    // upstream internal/controller/node/workflow.go:253-258 + 614-631 ineligibleWorkflowRole
    for (const [mode, role] of [['validator', 'validator'], ['archive', 'archive'], ['replayer', 'replayer'], ['seed', 'seed']] as const) {
      const found = workflowFindings(workflow('w', 'n', witnesses), node('n', { [mode]: {} }), []);
      expect(found.refusal?.reason).toBe('TargetRejected');
      expect(found.refusal?.message).toContain(`${role} target is ineligible; workflows target full/RPC nodes only`);
      expect(found.refusal?.exitCode).toBe(2);
    }
    expect(workflowFindings(workflow('w', 'n', witnesses), node('n', {}), []).refusal?.message).toContain('non-full target is ineligible');
    expect(workflowFindings(workflow('w', 'n', witnesses), node('n', { fullNode: {} }), []).refusal).toBeUndefined();
  });

  it('needs two witnesses: spec rpcServers, else status.resolvedStateSyncers (PlanBuildFailed)', () => {
    // upstream internal/planner/workflow.go BuildPlan: minStateSyncWitnesses = 2, the message word for word
    const none = workflowFindings(workflow('w', 'n'), node('n', { fullNode: {} }, { phase: 'Running', resolvedStateSyncers: ['only:1'] }), []);
    expect(none.refusal?.reason).toBe('PlanBuildFailed');
    expect(none.refusal?.message).toContain('stateSync workflow fail-closed: need >=2 resolved witnesses (recipe rpcServers or node.status.resolvedStateSyncers), have 1');
    expect(workflowFindings(workflow('w', 'n'), node('n', { fullNode: {} }, { phase: 'Running', resolvedStateSyncers: ['a:1', 'b:1'] }), []).refusal).toBeUndefined();
  });

  it('refuses while a Failed workflow holds the node, naming it and the release', () => {
    // upstream workflow.go:108-121: a Failed adopted workflow parks the node held; nothing else is adopted
    const held = node('n', { fullNode: {} }, { phase: 'Running', adoptedWorkflow: { name: 'old', uid: 'u' } });
    const found = workflowFindings(workflow('new', 'n', witnesses), held, [workflow('old', 'n', witnesses, { phase: 'Failed' })]);
    expect(found.refusal?.reason).toBe('WorkflowFailedHeld');
    expect(found.refusal?.message).toContain('"old"');
    expect(found.refusal?.hints.join('\n')).toContain('kubectl sei workflow delete old --force -n sei');
  });

  it('refuses a paused node and warns about queueing behind an active workflow', () => {
    // upstream workflow.go:267-272 (paused: TargetNotReady "target is paused"), 262-266 + 527-558 (QueuedBehindActive, first wins)
    expect(workflowFindings(workflow('w', 'n', witnesses), node('n', { fullNode: {}, paused: true }), []).refusal?.reason).toBe('TargetPaused');
    const active = node('n', { fullNode: {} }, { phase: 'Running', adoptedWorkflow: { name: 'first', uid: 'u' } });
    const found = workflowFindings(workflow('second', 'n', witnesses), active, [workflow('first', 'n', witnesses, { phase: 'Running' })]);
    expect(found.refusal).toBeUndefined();
    expect(found.warnings.join('\n')).toMatch(/workflow "first" adopted: this one will queue behind it/);
    const initializing = workflowFindings(workflow('w', 'n', witnesses), node('n', { fullNode: {} }, { phase: 'Initializing' }), []);
    expect(initializing.warnings.join('\n')).toMatch(/is Initializing, not Running.*TargetPhaseTimeout/);
  });
});

const plan = (tasks: Array<[string, string, Record<string, unknown>?]>, extra: Partial<TaskPlan> = {}): TaskPlan => ({ id: '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c', phase: 'Active', tasks: tasks.map(([type, status, more]) => ({ type, status, ...(more ?? {}) })), ...extra });

describe('the node-plan follower (pure half)', () => {
  it('tells a new plan, every task transition, a retry and the failure with failedTaskDetail', () => {
    const p1 = plan([['mark-not-ready', 'Pending'], ['stop-seid', 'Pending']]);
    const p2 = plan([['mark-not-ready', 'Complete'], ['stop-seid', 'Running', { maxRetries: 3 }]]);
    const p3 = plan([['mark-not-ready', 'Complete'], ['stop-seid', 'Pending', { maxRetries: 3, retryCount: 1 }]]);
    const p4 = plan([['mark-not-ready', 'Complete'], ['stop-seid', 'Failed', { maxRetries: 3, retryCount: 3, error: 'seid did not stop' }]], {
      phase: 'Failed',
      failedTaskIndex: 1,
      failedTaskDetail: { type: 'stop-seid', id: 'x', error: 'seid did not stop', retryCount: 3, maxRetries: 3 },
    });
    expect(planEvents(undefined, p1).map((e) => e.type)).toEqual(['plan-started']);
    expect(planEvents(p1, p2).map((e) => describePlanEvent(e))).toEqual(['  mark-not-ready (1/2) Complete', '  stop-seid (2/2) Running']);
    expect(planEvents(p2, p3).map((e) => e.type)).toEqual(['task-retry', 'task']);
    const failed = planEvents(p3, p4);
    expect(failed.map((e) => describePlanEvent(e))).toEqual(['  stop-seid (2/2) Failed (retry 3/3): seid did not stop', 'plan 3f2b8c1e Failed at task 1 (stop-seid): seid did not stop']);
    expect(planEvents(p4, undefined)).toEqual([]);
    expect(planEvents(p2, undefined).map((e) => e.type)).toEqual(['plan-cleared']);
  });

  it('node verdicts: Running; a failed init plan kept on the Failed node; an update plan cleared with UpdateFailed', () => {
    const running = node('n', { fullNode: {} }, { phase: 'Running' });
    expect(nodeDecision(running, 'running', undefined)?.outcome).toBe('Complete');
    expect(nodeDecision(running, 'plan', undefined)?.reason).toBe('NoPlan');
    // upstream internal/planner/executor.go:205-235 failTask + controller.go:131 (a Failed node keeps its plan)
    const failedInit = node('n', { fullNode: {} }, { phase: 'Failed', plan: { ...plan([['ensure-data-pvc', 'Complete'], ['configure-state-sync', 'Failed', { error: 'boom' }]]), phase: 'Failed', failedPhase: 'Failed', targetPhase: 'Running', failedTaskIndex: 1, failedTaskDetail: { type: 'configure-state-sync', id: 'i', error: 'boom', retryCount: 0, maxRetries: 0 } } });
    const verdict = nodeDecision(failedInit, 'running', undefined);
    expect(verdict?.outcome).toBe('Failed');
    expect(verdict?.message).toContain('failedTaskIndex 1 (configure-state-sync): boom');
    // upstream internal/planner/planner.go:229-235: the failed update plan is cleared, UpdateFailed stays
    const cleared = node('n', { fullNode: {} }, { phase: 'Running', conditions: [{ type: 'NodeUpdateInProgress', status: 'False', reason: 'UpdateFailed', message: 'plan p failed: replace-pod: pod never ready' }] });
    const tracker = new PlanTracker();
    tracker.observe(node('n', { fullNode: {} }, { phase: 'Running', plan: plan([['replace-pod', 'Running']]) }));
    tracker.observe(cleared);
    expect(nodeDecision(cleared, 'plan', tracker.lastSeen)).toMatchObject({ outcome: 'Failed', reason: 'UpdateFailed', message: 'plan p failed: replace-pod: pod never ready' });
  });
});

describe('printers and verdict texts', () => {
  const failedWf = workflow('w', 'rpc-0', witnesses, {
    phase: 'Failed',
    plan: { ...plan([['mark-not-ready', 'Complete'], ['stop-seid', 'Complete'], ['reset-data', 'Failed', { error: 'disk busy' }]]), phase: 'Failed', failedTaskIndex: 2, failedTaskDetail: { type: 'reset-data', id: 'x', error: 'disk busy', retryCount: 0, maxRetries: 0 } },
    conditions: [{ type: 'Failed', status: 'True', reason: 'WorkflowFailed', message: 'task reset-data: disk busy' }, { type: 'Adopted', status: 'True', reason: 'Adopted', message: 'plan compiled and persisted' }],
  });

  it('the plan table and describe pages pick out the failed task and what to do', () => {
    const table = planTable(failedWf['status'] ? ((failedWf['status'] as Record<string, unknown>)['plan'] as TaskPlan) : plan([]));
    expect(table.split('\n')[0]).toMatch(/^#\s+TASK\s+STATUS\s+RETRIES\s+SUBMITTED\s+ERROR$/);
    expect(table).toMatch(/2\s+reset-data\s+Failed\s+0\/0\s+disk busy/);
    const page = describeWorkflow({ workflow: failedWf, events: [] });
    expect(page).toMatch(/Failed Task Index:\s+2/);
    expect(page).toMatch(/Failed Task Detail:\s+reset-data: disk busy/);
    expect(page).toContain('kubectl sei workflow delete w --force -n sei');
    const nodePage = describeNode({ node: node('rpc-0', { fullNode: {} }, { phase: 'Failed', plan: (failedWf['status'] as Record<string, unknown>)['plan'] }), events: [], tasks: [], workflows: [failedWf] });
    expect(nodePage).toMatch(/Failed Task Index:\s+2/);
    expect(nodePage).toMatch(/w\s+StateSync\s+Failed\s+WorkflowFailed/);
    expect(workflowTable([failedWf])).toMatch(/w\s+StateSync\s+rpc-0\s+Failed\s+WorkflowFailed\s+Failed at reset-data/);
  });

  it('a failed verdict is exit 1 naming the reason and the failing step; no status while another holds the node says so', () => {
    expect(failingStep(failedWf)).toBe('step reset-data (3/3): disk busy');
    const error = workflowVerdictsToError([{ name: 'w', namespace: 'sei', outcome: 'Failed', reason: 'WorkflowFailed', message: 'task reset-data: disk busy', object: failedWf, durationMs: 1 }], 'sei');
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toContain('(WorkflowFailed): task reset-data: disk busy; SeiNode rpc-0 stays held');
    expect(waitingText(workflow('second', 'rpc-0'), 'first')).toContain('no status yet: SeiNode rpc-0 is held by workflow first');
    const queued = workflow('second', 'rpc-0', {}, { phase: 'Pending', conditions: [{ type: 'Adopted', status: 'False', reason: 'QueuedBehindActive', message: 'another workflow is queued ahead on this node' }] });
    expect(waitingText(queued, 'first')).toBe('second: Pending — QueuedBehindActive: another workflow is queued ahead on this node (the active workflow is first)');
  });
});

describe('plans with workflow steps', () => {
  const fleet = [
    { name: 'rpc-0', labels: { 'sei.io/chain': 'arctic-1' }, phase: 'Running', hasPeers: true, mode: 'fullNode', stateSyncers: 2 },
    { name: 'rpc-1', labels: { 'sei.io/chain': 'arctic-1' }, phase: 'Running', hasPeers: true, mode: 'fullNode', stateSyncers: 2, workflow: { name: 'old', failedHeld: true } },
    { name: 'val-0', labels: { 'sei.io/chain': 'arctic-1' }, phase: 'Running', hasPeers: true, mode: 'validator', stateSyncers: 2 },
  ];

  it('the Argo export creates SeiNodeTaskWorkflows judged by status.phase, with no retry (a retry wipes the node again)', async () => {
    const { exportPlanWorkflow } = await import('../../src/services/plan-export.js');
    const wf = (await exportPlanWorkflow({ to: 'argo-workflows', file: 'giga-store-migration', fleet, namespace: 'sei', planId: '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c' })).object as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- engine YAML
    const migrate = (wf['spec'].templates as Array<Record<string, any>>).find((t) => t['name'] === 's1-migrate-create')!; // eslint-disable-line @typescript-eslint/no-explicit-any
    const manifest = parse(migrate['resource'].manifest as string) as KubeObject;
    expect(manifest.kind).toBe('SeiNodeTaskWorkflow');
    expect(manifest['spec']).toMatchObject({ kind: 'StateSync', stateSync: { migration: { kind: 'GigaStore', gigaStore: { backend: 'pebbledb' } } } });
    expect(migrate['resource']).toMatchObject({ action: 'create', successCondition: 'status.phase == Complete', failureCondition: 'status.phase == Failed' });
    expect(migrate['retryStrategy']).toBeUndefined();
    // Only the full nodes (forEach.mode: fullNode); the offline fleet's validator is left out.
    expect(JSON.stringify(wf['spec'])).not.toContain('val-0');
  });

  it('simulate predicts TargetRejected, a held node and queueing from the fleet; no implicit retry even with a plan failurePolicy', async () => {
    const { simulatePlan } = await import('../../src/services/plan-simulate.js');
    const result = await simulatePlan({ file: 'giga-store-migration', set: ['nodeMode='], fleet, namespace: 'sei' });
    const items = result.steps.find((s) => s.id === 'migrate')!.items;
    expect(items.map((i) => `${i.node}:${i.class}:${i.reason ?? ''}`)).toEqual(['rpc-0:pending:', 'rpc-1:blocked:WorkflowFailedHeld', 'val-0:blocked:TargetRejected']);
    const { buildGraph } = await import('../../src/plan/graph.js');
    const { kindLookup } = await import('../../src/plan/tasks.js');
    const { catalogFor } = await import('../../src/services/plan-prepare.js');
    const kinds = kindLookup(await catalogFor());
    const manifest = { apiVersion: 'cli.sei.io/v1alpha1' as const, kind: 'SeiTaskPlan' as const, metadata: { name: 'p' }, spec: { failurePolicy: { maxAttempts: 3 }, steps: [{ id: 'a', kind: 'StateSync', node: 'rpc-0' }, { id: 'b', kind: 'StateSync', node: 'rpc-0', failurePolicy: { maxAttempts: 2 } }, { id: 'c', kind: 'MarkReady', node: 'rpc-0' }] } };
    expect(buildGraph(manifest, kinds).map((g) => g.maxAttempts)).toEqual([1, 2, 3]);
  });
});
