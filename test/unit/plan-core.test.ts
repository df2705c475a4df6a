import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, evaluateDeep, templateRefs, truthy } from '../../src/plan/expressions.js';
import { keyOf, taskLabels, taskName } from '../../src/plan/naming.js';
import { INITIAL, IllegalTransition, transition, type RetryEvent, type RetryState } from '../../src/plan/retry.js';
import { buildGraph, expandItems, selectNodes } from '../../src/plan/graph.js';
import { resolveInputs } from '../../src/plan/inputs.js';
import type { FleetNode, PlanManifest } from '../../src/plan/types.js';

const ID = '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c';
const ID2 = 'a1b2c3d4-0000-4000-8000-000000000000';

describe('task naming', () => {
  it.each([
    { scenario: 'first attempt has no suffix', args: ['refresh-peers', ID, 'discover', 3, 1], want: 'refresh-peers-3f2b8c1ef692b2-discover-3' },
    { scenario: 'a retry carries the attempt', args: ['refresh-peers', ID, 'restart', 0, 2], want: 'refresh-peers-3f2b8c1ef692b2-restart-0-a2' },
    { scenario: 'another run, another name', args: ['refresh-peers', ID2, 'discover', 3, 1], want: 'refresh-peers-a1b2c3d4f00f7c-discover-3' },
    // Two ids sharing their first 8 hex digits once shared every task name (issue 13, defect 3).
    { scenario: 'an id sharing the first 8 digits, another name', args: ['refresh-peers', '3f2b8c1e-0000-4000-8000-000000000000', 'discover', 3, 1], want: 'refresh-peers-3f2b8c1e95a283-discover-3' },
  ] as const)('$scenario', ({ args: [planName, planId, stepId, index, attempt], want }) => {
    expect(taskName(planName, planId, stepId, index, attempt)).toBe(want);
  });

  it('is stable and at most 63 DNS-1123 characters however long the parts', () => {
    const long = 'a'.repeat(40);
    const step = 's'.repeat(30);
    const names = new Set<string>();
    for (let index = 0; index < 1000; index += 97) {
      for (const attempt of [1, 2, 10]) {
        const name = taskName(long, ID, step, index, attempt);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(taskName(long, ID, step, index, attempt)).toBe(name);
        names.add(name);
      }
    }
    expect(names.size).toBe(11 * 3);
    // Shortened names of different steps stay distinct.
    expect(taskName(long, ID, `${'s'.repeat(29)}x`, 0)).not.toBe(taskName(long, ID, step, 0));
  });

  it('labels round-trip through keyOf', () => {
    const labels = taskLabels({ planName: 'p', planId: ID, stepId: 'restart', stepOrder: 1, index: 7, attempt: 2, node: 'node-07', kind: 'RestartPod' });
    expect(labels).toMatchObject({ 'sei.io/plan-id': ID, 'sei.io/plan-step': 'restart', 'sei.io/plan-index': '7', 'sei.io/plan-attempt': '2', 'sei.io/node': 'node-07' });
    expect(keyOf(labels)).toEqual({ planId: ID, stepId: 'restart', index: 7, attempt: 2 });
  });
});

describe('retry state machine', () => {
  const policy = { maxAttempts: 2, backoffSeconds: 5 };
  const run = (events: RetryEvent[], p = policy): RetryState => events.reduce((s, e) => transition(s, e, p), INITIAL);
  it.each([
    { scenario: 'pending → running → succeeded', events: [{ type: 'start' }, { type: 'succeed' }], want: { state: 'succeeded', attempts: 1 } },
    { scenario: 'a failure with retries left goes back to pending after backoff', events: [{ type: 'start' }, { type: 'fail', at: 1000 }], want: { state: 'pending', attempts: 1, nextAttemptAt: 6000 } },
    { scenario: 'the second failure is final with maxAttempts 2', events: [{ type: 'start' }, { type: 'fail', at: 0 }, { type: 'start' }, { type: 'fail', at: 0 }], want: { state: 'failed', attempts: 2 } },
    { scenario: 'the retry succeeds', events: [{ type: 'start' }, { type: 'fail', at: 0 }, { type: 'start' }, { type: 'succeed' }], want: { state: 'succeeded', attempts: 2 } },
    { scenario: 'a disabled step is skipped', events: [{ type: 'skip' }], want: { state: 'skipped', attempts: 0 } },
  ] as Array<{ scenario: string; events: RetryEvent[]; want: RetryState }>)('$scenario', ({ events, want }) => {
    expect(run(events)).toEqual(want);
  });
  it('maxAttempts 1 fails on the first failure', () => {
    expect(run([{ type: 'start' }, { type: 'fail', at: 0 }], { maxAttempts: 1, backoffSeconds: 0 })).toEqual({ state: 'failed', attempts: 1 });
  });
  it.each([
    { scenario: 'succeed before start', events: [{ type: 'succeed' }] },
    { scenario: 'start twice', events: [{ type: 'start' }, { type: 'start' }] },
    { scenario: 'skip a running item', events: [{ type: 'start' }, { type: 'skip' }] },
  ] as Array<{ scenario: string; events: RetryEvent[] }>)('refuses: $scenario', ({ events }) => {
    expect(() => run(events)).toThrow(IllegalTransition);
  });
});

describe('expressions', () => {
  const ctx = { inputs: { chain: 'arctic-1', height: 120, on: false }, item: { name: 'node-01', index: 1 }, steps: { propose: { outputs: { proposalId: 42 } } } };
  it.each([
    { scenario: 'a lone expression keeps its type', text: '{{ inputs.height }}', want: 120 },
    { scenario: 'an output keeps its type', text: '{{ steps.propose.outputs.proposalId }}', want: 42 },
    { scenario: 'mixed text renders a string', text: 'chain {{ inputs.chain }} at {{ inputs.height }}', want: 'chain arctic-1 at 120' },
    { scenario: 'no HTML escaping', text: 'a={{ item.name }}&b', want: 'a=node-01&b' },
    { scenario: 'the fan-out item', text: '{{ item.name }}', want: 'node-01' },
  ])('$scenario', ({ text, want }) => {
    expect(evaluate(text, ctx)).toEqual(want);
  });
  it('an unknown reference is an error, not an empty string', () => {
    expect(() => evaluate('{{ inputs.nope }}', ctx)).toThrow(/inputs.nope is not defined/);
    expect(() => evaluate('x {{ inputs.nope }}', ctx)).toThrow(/nope/);
  });
  it('evaluates nested params', () => {
    expect(evaluateDeep({ a: ['{{ inputs.height }}'], b: { c: '{{ inputs.on }}' } }, ctx)).toEqual({ a: [120], b: { c: false } });
  });
  it('finds references for the checker', () => {
    expect(templateRefs('{{ steps.p.outputs.proposalId }} {{#if inputs.x}}{{ item.name }}{{/if}}')).toEqual([
      ['steps', 'p', 'outputs', 'proposalId'],
      ['inputs', 'x'],
      ['item', 'name'],
    ]);
  });
  it.each([['', false], ['false', false], ['0', false], ['no', false], [false, false], ['v7', true], [true, true], [1, true]])('when %j is %s', (value, want) => {
    expect(truthy(value)).toBe(want);
  });
});

const plan = (steps: PlanManifest['spec']['steps'], extra: Partial<PlanManifest['spec']> = {}): PlanManifest => ({ apiVersion: 'cli.sei.io/v1alpha1', kind: 'SeiTaskPlan', metadata: { name: 'p' }, spec: { steps, ...extra } });

describe('graph', () => {
  const kinds = { find: (k: string) => ({ kind: k, outputs: [], broadcasts: k.startsWith('Gov') }), names: () => [] };
  it('orders by position unless dependsOn says otherwise', () => {
    const g = buildGraph(plan([{ id: 'a', kind: 'DiscoverPeers', node: 'n' }, { id: 'b', kind: 'DiscoverPeers', node: 'n' }, { id: 'c', kind: 'DiscoverPeers', node: 'n', dependsOn: [] }, { id: 'd', kind: 'DiscoverPeers', node: 'n', dependsOn: ['a', 'c'] }]), kinds);
    expect(g.map((s) => [s.step.id, s.dependsOn])).toEqual([['a', []], ['b', ['a']], ['c', []], ['d', ['a', 'c']]]);
  });
  it.each([
    { scenario: 'plan policy applies to ordinary kinds', kind: 'RestartPod', step: {}, want: 3 },
    { scenario: 'gov kinds are never retried by the plan default', kind: 'GovVote', step: {}, want: 1 },
    { scenario: 'gov kinds retry when the step says so explicitly', kind: 'GovVote', step: { failurePolicy: { maxAttempts: 2 } }, want: 2 },
  ])('$scenario', ({ kind, step, want }) => {
    const g = buildGraph(plan([{ id: 'a', kind, node: 'n', ...step }], { failurePolicy: { maxAttempts: 3 } }), kinds);
    expect(g[0]!.maxAttempts).toBe(want);
  });
  it('global --max-parallel caps every step', () => {
    const g = buildGraph(plan([{ id: 'a', kind: 'X', node: 'n', maxParallel: 10 }, { id: 'b', kind: 'X', node: 'n', maxParallel: 1 }, { id: 'c', kind: 'X', node: 'n' }]), kinds, 4);
    expect(g.map((s) => s.maxParallel)).toEqual([4, 1, 4]);
  });
  it('expands a selector sorted by name, and forEach.step reuses the items', () => {
    const fleet: FleetNode[] = ['c', 'a', 'b', 'x'].map((name) => ({ name, labels: { 'sei.io/chain': name === 'x' ? 'other' : 'arctic-1' }, hasPeers: true }));
    const ctx = { inputs: { chain: 'arctic-1' } };
    const items = expandItems({ id: 's', kind: 'X', forEach: { selector: { matchLabels: { 'sei.io/chain': '{{ inputs.chain }}' } } } }, ctx, fleet, () => undefined);
    expect(items).toEqual([{ index: 0, node: 'a' }, { index: 1, node: 'b' }, { index: 2, node: 'c' }]);
    expect(expandItems({ id: 't', kind: 'X', forEach: { step: 's' } }, ctx, fleet, () => items)).toEqual(items);
    expect(selectNodes({ matchExpressions: [{ key: 'sei.io/chain', operator: 'NotIn', values: ['arctic-1'] }] }, fleet)).toEqual(['x']);
  });
});

describe('inputs', () => {
  const manifest = plan([{ id: 'a', kind: 'X', node: 'n' }], { inputs: { chain: { type: 'string', default: 'arctic-1' }, height: { type: 'integer' }, dry: { type: 'boolean', default: false } } });
  it('--inputs FILE then --set: later wins, both typed', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'plan-inputs-')), 'inputs.yaml');
    writeFileSync(file, 'height: 7\nchain: pacific-1\n');
    expect(resolveInputs(manifest, { inputsFile: file, set: ['chain=atlantic-2'] })).toEqual({ chain: 'atlantic-2', height: 7, dry: false });
  });
  it('types --set values by the declared input type', () => {
    expect(resolveInputs(manifest, { set: ['height=120', 'dry=true'] })).toEqual({ chain: 'arctic-1', height: 120, dry: true });
  });
  it.each([
    { scenario: 'missing required input', set: [], match: /height.*no default/ },
    { scenario: 'not an integer', set: ['height=abc'], match: /is not an integer/ },
    { scenario: 'unknown input', set: ['height=1', 'chian=x'], match: /declares no input .{0,2}chian/ },
  ])('$scenario → exit 2', ({ set, match }) => {
    try {
      resolveInputs(manifest, { set });
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(2);
      expect(JSON.stringify((error as { causes: unknown }).causes)).toMatch(match);
    }
  });
});
