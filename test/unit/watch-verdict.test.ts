// Verdicts over one observed SeiNodeTask: generation gate, latched conditions, Failed beats
// everything, phase as fallback; and the pod milestones of restart-pod.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/types.js';
import { podStep, type PodProgress } from '../../src/watch/follow-pod.js';
import { satisfies, taskVerdict } from '../../src/watch/verdict.js';
import { watchScope } from '../../src/watch/wait-for-tasks.js';

type Condition = { type: string; status: string; reason?: string; message?: string; observedGeneration?: number };

function task(options: { generation?: number; observedGeneration?: number; phase?: string; conditions?: Condition[]; err?: string } = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name: 't', namespace: 'ns', generation: options.generation ?? 1 },
    spec: {},
    status: {
      ...(options.phase ? { phase: options.phase } : {}),
      ...(options.observedGeneration !== undefined ? { observedGeneration: options.observedGeneration } : {}),
      ...(options.conditions ? { conditions: options.conditions } : {}),
      ...(options.err ? { task: { err: options.err } } : {}),
    },
  };
}

const ready = (extra: Partial<Condition> = {}): Condition => ({ type: 'Ready', status: 'True', reason: 'TaskComplete', ...extra });
const failed = (reason = 'TaskFailed', extra: Partial<Condition> = {}): Condition => ({ type: 'Failed', status: 'True', reason, message: `boom: ${reason}`, ...extra });

describe('taskVerdict', () => {
  it.each([
    { scenario: 'no status yet is pending', object: task(), want: { state: 'pending' } },
    { scenario: 'Running is pending', object: task({ phase: 'Running', observedGeneration: 1 }), want: { state: 'pending', phase: 'Running' } },
    { scenario: 'Ready=True completes with its reason', object: task({ phase: 'Complete', observedGeneration: 1, conditions: [ready()] }), want: { state: 'Complete', reason: 'TaskComplete' } },
    { scenario: 'Ready reason Confirmed (gov kinds) is kept', object: task({ observedGeneration: 1, conditions: [ready({ reason: 'Confirmed' })] }), want: { state: 'Complete', reason: 'Confirmed' } },
    { scenario: 'Failed=True fails with reason and message', object: task({ phase: 'Failed', observedGeneration: 1, conditions: [failed('ParamsBuildFailed')] }), want: { state: 'Failed', reason: 'ParamsBuildFailed', message: 'boom: ParamsBuildFailed' } },
    { scenario: 'Failed beats a Ready that is also True', object: task({ observedGeneration: 1, conditions: [ready(), failed('Timeout')] }), want: { state: 'Failed', reason: 'Timeout' } },
    { scenario: 'Ready=False is not terminal', object: task({ observedGeneration: 1, phase: 'Running', conditions: [{ type: 'Ready', status: 'False', reason: 'InProgress' }] }), want: { state: 'pending' } },
    { scenario: 'condition types are case-sensitive (ready ≠ Ready)', object: task({ observedGeneration: 1, phase: 'Running', conditions: [{ type: 'ready', status: 'True' }] }), want: { state: 'pending' } },
    // upstream internal/controller/nodetask/controller.go:115 (both versions): a terminal task is
    // never written again, so its latched verdict is final whatever observedGeneration says.
    { scenario: 'a latched Ready is final after a spec edit (status for an older generation)', object: task({ generation: 2, observedGeneration: 1, phase: 'Complete', conditions: [ready()] }), want: { state: 'Complete' } },
    { scenario: 'a latched Failed is final whatever its condition generation', object: task({ generation: 2, observedGeneration: 2, phase: 'Failed', conditions: [failed('TaskFailed', { observedGeneration: 1 })] }), want: { state: 'Failed' } },
    { scenario: 'a running task not yet observed at our generation says so', object: task({ generation: 2, observedGeneration: 1, phase: 'Running' }), want: { state: 'pending', waitingFor: 'the controller to observe generation 2 (status is for generation 1)' } },
    { scenario: 'current condition generation counts even if status lags', object: task({ generation: 2, observedGeneration: 1, conditions: [ready({ observedGeneration: 2 })] }), want: { state: 'Complete' } },
    { scenario: 'latched: a newer generation than the apply still counts', object: task({ generation: 3, observedGeneration: 3, conditions: [failed('TaskFailed')] }), minGeneration: 2, want: { state: 'Failed' } },
    { scenario: 'minGeneration above what the status observed: a latched Ready still counts', object: task({ generation: 1, observedGeneration: 1, conditions: [ready()] }), minGeneration: 2, want: { state: 'Complete' } },
    { scenario: 'no observedGeneration anywhere cannot be gated (kubectl)', object: task({ generation: 5, conditions: [ready()] }), want: { state: 'Complete' } },
    { scenario: 'phase Complete without conditions', object: task({ phase: 'Complete', observedGeneration: 1 }), want: { state: 'Complete', reason: 'TaskComplete' } },
    { scenario: 'phase Failed without conditions takes status.task.err', object: task({ phase: 'Failed', observedGeneration: 1, err: 'pod not found' }), want: { state: 'Failed', reason: 'TaskFailed', message: 'pod not found' } },
    { scenario: 'phase Failed from an older generation is final', object: task({ generation: 2, phase: 'Failed', observedGeneration: 1 }), want: { state: 'Failed' } },
  ])('$scenario', ({ object, minGeneration, want }) => {
    expect(taskVerdict(object, { minGeneration })).toMatchObject(want);
  });

  it.each(['ready', 'failed', 'terminal'] as const)('for=%s: a failed task is a Failed verdict at once', (waitFor) => {
    expect(taskVerdict(task({ observedGeneration: 1, conditions: [failed('TaskFailed')] }), { for: waitFor }).state).toBe('Failed');
  });
});

describe('satisfies', () => {
  it.each([
    { outcome: 'Complete', for: 'ready', want: true },
    { outcome: 'Failed', for: 'ready', want: false },
    { outcome: 'Failed', for: 'failed', want: true },
    { outcome: 'Complete', for: 'failed', want: false },
    { outcome: 'Complete', for: 'terminal', want: true },
    { outcome: 'Failed', for: 'terminal', want: true },
    { outcome: 'Timeout', for: 'terminal', want: false },
    { outcome: 'Deleted', for: 'ready', want: false },
  ] as const)('$outcome for=$for → $want', ({ outcome, for: waitFor, want }) => {
    expect(satisfies(outcome, waitFor)).toBe(want);
  });
});

describe('watchScope: one watch whatever the number of tasks', () => {
  it.each([
    { scenario: 'one name → field selector', request: { names: ['a'] }, want: { fieldSelector: 'metadata.name=a' } },
    { scenario: 'several names → namespace-wide', request: { names: ['a', 'b'] }, want: {} },
    { scenario: 'label selector wins over names', request: { names: ['a'], labelSelector: 'sei.io/plan-id=p' }, want: { labelSelector: 'sei.io/plan-id=p' } },
    { scenario: 'nothing → namespace-wide', request: {}, want: {} },
  ])('$scenario', ({ request, want }) => {
    expect(watchScope(request)).toEqual(want);
  });
});

describe('podStep (restart-pod follows the pod)', () => {
  const pod = (uid: string, options: { ready?: boolean; deleting?: boolean } = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'node-0', uid, ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    status: { conditions: [{ type: 'Ready', status: options.ready ? 'True' : 'False' }] },
  });
  const run = (events: Array<['ADDED' | 'MODIFIED' | 'DELETED', KubeObject]>) => {
    let progress: PodProgress = { seen: [] };
    const reached: string[] = [];
    for (const [type, object] of events) {
      const step = podStep(progress, 'old', type, object);
      progress = step.progress;
      reached.push(...step.reached);
    }
    return { reached, replacementUid: progress.replacementUid };
  };

  it.each([
    { scenario: 'the old pod listed Ready is no milestone', events: [['ADDED', pod('old', { ready: true })]], want: [] },
    { scenario: 'delete, replace, ready in order', events: [['ADDED', pod('old', { ready: true })], ['DELETED', pod('old')], ['ADDED', pod('new')], ['MODIFIED', pod('new', { ready: true })]], want: ['deleted', 'replaced', 'ready'] },
    { scenario: 'terminating counts as deleted', events: [['MODIFIED', pod('old', { deleting: true })]], want: ['deleted'] },
    { scenario: 'missed DELETED: a new uid implies it', events: [['ADDED', pod('new', { ready: true })]], want: ['deleted', 'replaced', 'ready'] },
    { scenario: 'the old uid Ready again is not the replacement', events: [['MODIFIED', pod('old', { ready: true })]], want: [] },
  ] as const)('$scenario', ({ events, want }) => {
    expect(run(events as unknown as Array<['ADDED' | 'MODIFIED' | 'DELETED', KubeObject]>).reached).toEqual(want);
  });
});
