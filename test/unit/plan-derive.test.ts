// State derivation from task objects (what resume and status rely on) and simulation classes.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import type { KubeObject } from '../../src/cluster/types.js';
import { derive, type PlanRun } from '../../src/plan/derive.js';
import { parsePlanText } from '../../src/plan/load.js';
import { taskLabels, taskName } from '../../src/plan/naming.js';
import { simulate } from '../../src/plan/simulate.js';
import { kindLookup } from '../../src/plan/tasks.js';
import type { FleetNode, PlanManifest } from '../../src/plan/types.js';

const catalog = loadCatalog();
const kinds = kindLookup(catalog);
const ID = '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c';

const PLAN = `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: p}
spec:
  inputs:
    image: {type: string, default: ""}
  steps:
    - id: propose
      kind: GovSoftwareUpgrade
      node: n0
      params: {chainId: c, title: t, description: d, upgradeName: u, upgradeHeight: 10, initialDeposit: 1usei, fees: 1usei, gas: 1}
    - id: vote
      kind: GovVote
      forEach: {nodes: [n0, n1, n2]}
      maxParallel: 2
      params: {chainId: c, proposalId: "{{ steps.propose.outputs.proposalId }}", option: "yes", fees: 1usei, gas: 1}
    - id: restart
      kind: RestartPod
      forEach: {step: vote}
      maxParallel: 1
      failurePolicy: {maxAttempts: 2, backoffSeconds: 10}
    - id: gate
      approval: {message: go}
    - id: upgrade
      kind: UpdateNodeImage
      when: "{{ inputs.image }}"
      forEach: {step: vote}
      params: {image: "{{ inputs.image }}"}
`;
const manifest = parsePlanText(PLAN, 'p.yaml').loaded.manifest as PlanManifest;
const run = (over: Partial<PlanRun> = {}): PlanRun => ({ planId: ID, namespace: 'sei', manifest, inputs: { image: '' }, approvals: {}, items: {}, ...over });
const items = { propose: [{ index: 0, node: 'n0' }], vote: [0, 1, 2].map((index) => ({ index, node: `n${index}` })), restart: [0, 1, 2].map((index) => ({ index, node: `n${index}` })), upgrade: [0, 1, 2].map((index) => ({ index, node: `n${index}` })) };

function task(step: string, index: number, attempt: number, phase?: 'Complete' | 'Failed' | 'Running', extra: Record<string, unknown> = {}): KubeObject {
  const kind = manifest.spec.steps.find((s) => s.id === step)!.kind!;
  const conditions = phase === 'Complete' ? [{ type: 'Ready', status: 'True', reason: 'TaskComplete' }] : phase === 'Failed' ? [{ type: 'Failed', status: 'True', reason: 'TaskFailed', message: 'boom', lastTransitionTime: '2026-01-01T00:00:00Z' }] : [];
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name: taskName('p', ID, step, index, attempt), namespace: 'sei', generation: 1, labels: taskLabels({ planName: 'p', planId: ID, stepId: step, stepOrder: 0, index, attempt, node: `n${index}`, kind }) },
    spec: { kind },
    ...(phase ? { status: { phase, observedGeneration: 1, conditions, ...extra } } : {}),
  };
}

describe('derive: plan state from tasks alone', () => {
  it('a fresh run resolves the first step and launches nothing before that', () => {
    const d = derive(run(), [], 0, kinds);
    expect(d.toResolve.map((g) => g.step.id)).toEqual(['propose']);
    expect(d.launchable).toHaveLength(0);
    expect(d.verdict.phase).toBe('Pending');
  });

  it('outputs of the proposal feed the votes, maxParallel caps the launch', () => {
    const proposal = task('propose', 0, 1, 'Complete', { outputs: { govSoftwareUpgrade: { proposalId: 17, txHash: 'AB', height: 5 } } });
    const d = derive(run({ items }), [proposal], 0, kinds);
    expect(d.launchable.map((l) => [l.step.step.id, l.item.index, l.name])).toEqual([
      ['vote', 0, taskName('p', ID, 'vote', 0)],
      ['vote', 1, taskName('p', ID, 'vote', 1)],
    ]);
    expect(d.launchable[0]!.context.steps!['propose']!.outputs['proposalId']).toBe(17);
  });

  it.each([
    {
      scenario: 'a failure with retries left is pending until backoff, as attempt 2',
      tasks: [task('restart', 0, 1, 'Failed')],
      now: Date.parse('2026-01-01T00:00:05Z'),
      want: { state: 'pending', attempts: 1, nextAttemptAt: Date.parse('2026-01-01T00:00:10Z') },
      launch: [] as string[],
    },
    {
      scenario: 'after the backoff the retry launches under a new name',
      tasks: [task('restart', 0, 1, 'Failed')],
      now: Date.parse('2026-01-01T00:00:11Z'),
      want: { state: 'pending', attempts: 1 },
      launch: [taskName('p', ID, 'restart', 0, 2)],
    },
    {
      scenario: 'the second failure is final: failedTaskDetail with attempts 2/2',
      tasks: [task('restart', 0, 1, 'Failed'), task('restart', 0, 2, 'Failed')],
      now: Date.parse('2026-01-01T00:01:00Z'),
      want: { state: 'failed', attempts: 2 },
      launch: [],
    },
    {
      scenario: 'a running attempt is re-attached, not re-launched (crash recovery is no attempt)',
      tasks: [task('restart', 0, 1, 'Running')],
      now: 0,
      want: { state: 'running', attempts: 1 },
      launch: [],
    },
  ])('$scenario', ({ tasks, now, want, launch }) => {
    const done = [task('propose', 0, 1, 'Complete', { outputs: { govSoftwareUpgrade: { proposalId: 1 } } }), ...[0, 1, 2].map((i) => task('vote', i, 1, 'Complete'))];
    const d = derive(run({ items }), [...done, ...tasks], now, kinds);
    const restart = d.verdict.steps.find((s) => s.id === 'restart')!;
    expect(restart.items[0]).toMatchObject(want);
    expect(d.launchable.filter((l) => l.item.index === 0).map((l) => l.name)).toEqual(launch);
    if (want.state === 'failed') {
      expect(d.verdict.phase).toBe('Failed');
      expect(d.verdict).toMatchObject({ failedStep: 'restart', failedIndex: 0, failedTaskDetail: { attempts: 2, maxAttempts: 2, reason: 'TaskFailed', message: 'boom' } });
    }
  });

  it('an approval gates the rest: WaitingApproval, then approved, and `when` false skips', () => {
    const done = [task('propose', 0, 1, 'Complete', { outputs: { govSoftwareUpgrade: { proposalId: 1 } } }), ...[0, 1, 2].flatMap((i) => [task('vote', i, 1, 'Complete'), task('restart', i, 1, 'Complete')])];
    const waiting = derive(run({ items }), done, 0, kinds);
    expect(waiting.verdict.phase).toBe('WaitingApproval');
    expect(waiting.verdict.waitingFor).toEqual({ step: 'gate', message: 'go' });
    const approved = derive(run({ items, approvals: { gate: { approvedAt: 'now' } } }), done, 0, kinds);
    expect(approved.verdict.steps.map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'approved', 'skipped']);
    expect(approved.verdict.phase).toBe('Complete');
  });

  it('a gov kind is not retried by a plan-level policy', () => {
    const done = [task('propose', 0, 1, 'Failed')];
    const d = derive(run({ items, manifest: { ...manifest, spec: { ...manifest.spec, failurePolicy: { maxAttempts: 3 } } } }), done, Date.now(), kinds);
    expect(d.verdict.phase).toBe('Failed');
    expect(d.verdict.failedTaskDetail).toMatchObject({ kind: 'GovSoftwareUpgrade', attempts: 1, maxAttempts: 1 });
  });

  // upstream internal/controller/nodetask/controller.go:322-354 (2d670ad): TxFailed is on chain,
  // InclusionUndetermined may be: a retry broadcasts again, so no policy retries them.
  it.each(['TxFailed', 'InclusionUndetermined'])('%s is never retried, even under an explicit step policy', (reason) => {
    const withPolicy = { ...manifest, spec: { ...manifest.spec, steps: manifest.spec.steps.map((s) => (s.id === 'propose' ? { ...s, failurePolicy: { maxAttempts: 3 } } : s)) } };
    const failed = task('propose', 0, 1, 'Failed', { conditions: [{ type: 'Failed', status: 'True', reason, message: 'tx ABC', lastTransitionTime: '2026-01-01T00:00:00Z' }] });
    const d = derive(run({ items, manifest: withPolicy }), [failed], Date.now(), kinds);
    expect(d.verdict.phase).toBe('Failed');
    expect(d.launchable).toHaveLength(0);
    expect(d.verdict.failedTaskDetail).toMatchObject({ reason, attempts: 1 });
  });

  // upstream internal/controller/nodetask/controller.go:115: a terminal task is never written
  // again, so its status stays at the old generation after a spec edit and is still final.
  it('a terminal status behind observedGeneration (a spec edit after it finished) is final', () => {
    const edited = task('propose', 0, 1, 'Complete');
    edited.metadata.generation = 2;
    const d = derive(run({ items }), [edited], 0, kinds);
    expect(d.verdict.steps[0]!.items[0]!.state).toBe('succeeded');
  });
});

describe('simulate: classification without writing', () => {
  const fleet: FleetNode[] = [
    { name: 'n0', labels: {}, phase: 'Running', hasPeers: true },
    { name: 'n1', labels: {}, phase: 'Initializing', hasPeers: true },
    { name: 'n2', labels: {}, phase: 'Running', hasPeers: false },
  ];
  const prepared = { catalog, kinds, loaded: { manifest, source: PLAN, file: 'p.yaml' }, inputs: { image: '' } };

  it.each([
    { scenario: 'ready target', step: 'vote', index: 0, want: { class: 'pending' } },
    { scenario: 'target not in requirePhase', step: 'vote', index: 1, want: { class: 'blocked', reason: 'PhaseNotMet' } },
    { scenario: 'when is false', step: 'upgrade', index: 0, want: { class: 'skipped' } },
  ])('$scenario → $want.class', ({ step, index, want }) => {
    const result = simulate(prepared, fleet, 'sei');
    expect(result.steps.find((s) => s.id === step)!.items[index]).toMatchObject(want);
  });

  it('approval steps require approval; unserved kinds and missing targets are blocked', () => {
    const result = simulate(prepared, fleet.filter((n) => n.name !== 'n2'), 'sei', new Set(['GovSoftwareUpgrade', 'GovVote']));
    expect(result.steps.find((s) => s.id === 'gate')!.class).toBe('requires-approval');
    expect(result.steps.find((s) => s.id === 'vote')!.items[2]).toMatchObject({ class: 'blocked', reason: 'TargetResolveFailed' });
    expect(result.steps.find((s) => s.id === 'restart')!.items[0]).toMatchObject({ class: 'blocked', reason: 'UnsupportedKind' });
  });

  it('DiscoverPeers on a node without peers → ParamsBuildFailed', () => {
    const text = PLAN.replace(/  steps:[\s\S]*/, '  steps:\n    - id: d\n      kind: DiscoverPeers\n      forEach: {nodes: [n0, n2]}\n');
    const m = parsePlanText(text, 'd.yaml').loaded.manifest as PlanManifest;
    const result = simulate({ ...prepared, loaded: { manifest: m, source: text, file: 'd.yaml' } }, fleet, 'sei');
    expect(result.steps[0]!.items.map((i) => [i.node, i.class, i.reason])).toEqual([['n0', 'pending', undefined], ['n2', 'blocked', 'ParamsBuildFailed']]);
  });
});
