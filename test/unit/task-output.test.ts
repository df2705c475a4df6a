// Printers, progress and the pure preflight helpers: kubectl-like columns, TTY vs plain
// progress, served-kind extraction from a CRD, close-name suggestions, default wait timeouts.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/types.js';
import { alignColumns, formatObjects, isMachineFormat, taskTable } from '../../src/output/printers.js';
import { createProgress, elapsedTag, plainProgress, withElapsed } from '../../src/output/progress.js';
import { describeTask, nextSteps } from '../../src/output/describe.js';
import { closeNames, servedKinds } from '../../src/services/preflight.js';
import { defaultWaitTimeoutMs } from '../../src/services/run-task.js';
import { verdictsToError } from '../../src/services/follow-tasks.js';
import { loadCatalog } from '../../src/catalog/index.js';
import type { TaskVerdict } from '../../src/watch/types.js';

const NOW = Date.parse('2026-01-01T12:10:00Z');

function task(name: string, phase: string, conditions: Array<Record<string, string>> = [], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name, namespace: 'sei', generation: 1, creationTimestamp: '2026-01-01T12:00:00Z' },
    spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: 'node-0' } }, discoverPeers: {}, ...extra },
    status: { phase, observedGeneration: 1, conditions, task: { id: 'abc' } },
  };
}

const complete = task('a-long-task-name', 'Complete', [{ type: 'Ready', status: 'True', reason: 'TaskComplete', message: 'done' }]);
const failed = task('b', 'Failed', [{ type: 'Failed', status: 'True', reason: 'ParamsBuildFailed', message: 'no peers' }]);
const pending = task('c', 'Pending', [{ type: 'TargetReady', status: 'False', reason: 'PhaseNotMet' }]);

describe('printers', () => {
  it('aligns columns like kubectl: widest cell + 3 spaces, no borders, no trailing spaces', () => {
    expect(alignColumns([['A', 'BB'], ['CCC', 'D']])).toBe('A     BB\nCCC   D\n');
  });

  it('counts a cell\'s width in code points, as kubectl\'s tabwriter counts runes (an emoji is two UTF-16 units, one rune)', () => {
    expect(alignColumns([['😀x', 'B'], ['é', 'D'], ['\ud83d', 'E']])).toBe('😀x   B\né    D\n\ud83d    E\n');
  });

  it.each([
    ['table', /^NAME\s+KIND\s+NODE\s+PHASE\s+REASON\s+AGE\n/],
    ['wide', /^NAME\s+KIND\s+NODE\s+PHASE\s+REASON\s+AGE\s+TASK-ID\s+GEN\s+OBSERVED\s+MESSAGE\n/],
  ] as const)('%s has the kubectl-like header', (format, header) => {
    expect(formatObjects([complete, failed], format, { now: NOW })).toMatch(header);
  });

  it('shows the deciding reason and a human age', () => {
    const rows = taskTable([complete, failed, pending], { now: NOW }).split('\n');
    expect(rows[1]).toMatch(/a-long-task-name\s+DiscoverPeers\s+node-0\s+Complete\s+TaskComplete\s+10m$/);
    expect(rows[2]).toMatch(/ParamsBuildFailed/);
    expect(rows[3]).toMatch(/PhaseNotMet/);
  });

  it.each([
    ['name', 'seinodetask.sei.io/a-long-task-name\nseinodetask.sei.io/b\n'],
  ] as const)('-o %s', (format, expected) => {
    expect(formatObjects([complete, failed], format)).toBe(expected);
  });

  it('json prints a bare object for one and a v1 List for several', () => {
    expect(JSON.parse(formatObjects([complete], 'json', { single: true })).kind).toBe('SeiNodeTask');
    expect(JSON.parse(formatObjects([complete, failed], 'json')).kind).toBe('List');
  });

  it.each([
    ['json', true],
    ['yaml', true],
    ['ndjson', true],
    ['name', true],
    ['table', false],
    ['wide', false],
    [undefined, false],
  ] as const)('%s is machine output: %s', (format, machine) => {
    expect(isMachineFormat(format)).toBe(machine);
  });
});

describe('describe', () => {
  it.each([
    ['a failed DiscoverPeers points to the peer source', failed, 'kubectl edit seinode node-0'],
    ['a pending task explains the phase wait', pending, 'to reach Running'],
    ['a complete task suggests cleanup', complete, 'kubectl sei task delete a-long-task-name'],
  ])('%s', (_scenario, object, text) => {
    expect(nextSteps(object).join('\n')).toContain(text);
    expect(describeTask(object, NOW)).toContain(text);
  });
});

describe('progress', () => {
  it('without a TTY prints each distinct status once with the elapsed time then, events stamped too, then one verdict line', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c: Buffer) => (out += c.toString()));
    let clock = 1_000_000;
    const progress = await createProgress({ stream, tty: false, now: () => clock });
    progress.update('x: Pending');
    clock += 12_000;
    // The same status after time passed: no new line (a line per change, never per tick).
    progress.update('x: Pending');
    progress.update('x: Running');
    clock += 150_000;
    progress.event('pod x-0 Ready');
    progress.note('Warning: plain');
    progress.succeed('x Complete');
    expect(out).toBe('x: Pending [0s elapsed]\nx: Running [12s elapsed]\npod x-0 Ready [2m42s elapsed]\nWarning: plain\n✔ x Complete\n');
  });

  it('without a TTY a moving figure (a height) prints when it first appears, then at most once a minute; a state change at once', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c: Buffer) => (out += c.toString()));
    let clock = 0;
    const progress = await createProgress({ stream, tty: false, now: () => clock });
    progress.update('t: Running, height ?/1200');
    progress.update('t: Running', 'height 1000/1200');
    clock += 5_000;
    progress.update('t: Running', 'height 1012/1200');
    clock += 55_000;
    progress.update('t: Running', 'height 1150/1200');
    clock += 5_000;
    progress.update('t: Running', 'height 1162/1200');
    progress.update('t: Failed (Timeout)', 'height 1162/1200');
    expect(out).toBe(
      ['t: Running, height ?/1200 [0s elapsed]', 't: Running, height 1000/1200 [0s elapsed]', 't: Running, height 1150/1200 [60s elapsed]', 't: Failed (Timeout), height 1162/1200 [65s elapsed]', ''].join('\n'),
    );
  });

  it('a multi-line status carries the elapsed time on its first line', () => {
    expect(withElapsed('plan p 1234: Running\n  a: running', 61_000)).toBe('plan p 1234: Running [61s elapsed]\n  a: running');
    expect(elapsedTag(3 * 3_600_000 + 5 * 60_000)).toBe('[3h5m elapsed]');
  });

  it('in a TTY draws a spinner and ends with exactly one ✖ line', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 80, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let out = '';
    stream.on('data', (c: Buffer) => (out += c.toString()));
    const saved = process.env['CI'];
    delete process.env['CI'];
    try {
      let clock = 0;
      const progress = await createProgress({ stream, tty: true, now: () => clock });
      clock = 7_000;
      progress.update('waiting for node-0 to reach Running');
      progress.fail('x Failed Timeout');
    } finally {
      if (saved !== undefined) process.env['CI'] = saved;
    }
    expect(out).toContain('waiting for node-0 to reach Running [7s elapsed]');
    expect(out.match(/✖ x Failed Timeout/g)).toHaveLength(1);
  });

  it('plainProgress never writes to stdout', () => {
    const write = process.stdout.write;
    let touched = false;
    process.stdout.write = (() => {
      touched = true;
      return true;
    }) as typeof process.stdout.write;
    try {
      const p = plainProgress(new PassThrough());
      p.update('a');
      p.note('b');
      p.fail('c');
    } finally {
      process.stdout.write = write;
    }
    expect(touched).toBe(false);
  });
});

describe('preflight helpers', () => {
  it('reads spec.kind enum of the served version from a CRD', () => {
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'seinodetasks.sei.io' },
      spec: { versions: [{ name: 'v1alpha1', served: true, schema: { openAPIV3Schema: { properties: { spec: { properties: { kind: { enum: ['RestartSeid', 'MarkReady'] } } } } } } }] },
    };
    expect(servedKinds(crd)).toEqual(['RestartSeid', 'MarkReady']);
  });

  it.each([
    ['node-O', ['node-0', 'node-1', 'validator-7'], ['node-0', 'node-1']],
    ['validatr-7', ['node-0', 'validator-7'], ['validator-7']],
    ['zzz', ['node-0'], []],
  ])('suggests names close to %s', (wanted, names, expected) => {
    expect(closeNames(wanted, names)).toEqual(expected);
  });
});

describe('default wait timeout', () => {
  const catalog = loadCatalog();
  it.each([
    ['RestartPod: 10m execution + 5m requirePhaseTimeout + 1m', 'restart-pod', {}, 16 * 60_000],
    ['DiscoverPeers: 2m + 5m + 1m', 'discover-peers', {}, 8 * 60_000],
    ['spec.timeoutSeconds and requirePhaseTimeout win', 'discover-peers', { timeoutSeconds: 30, target: { nodeRef: { name: 'n' }, requirePhaseTimeout: '1m' } }, 30_000 + 60_000 + 60_000],
    ['a kind without an execution bound: 10m', 'gov-vote', {}, 10 * 60_000],
  ])('%s', (_scenario, kind, spec, ms) => {
    expect(defaultWaitTimeoutMs(catalog.require(kind), task('t', 'Pending', [], spec))).toBe(ms);
  });
});

describe('verdicts to exit codes', () => {
  const v = (outcome: TaskVerdict['outcome'], reason?: string): TaskVerdict => ({ name: outcome.toLowerCase(), namespace: 'sei', outcome, ...(reason ? { reason } : {}), durationMs: 1 }) as TaskVerdict;
  it.each([
    ['all Complete', [v('Complete')], 'terminal', undefined, undefined],
    ['a Failed among Complete', [v('Complete'), v('Failed', 'Timeout')], 'terminal', 1, 'Timeout'],
    ['Failed beats a timeout', [v('Timeout', 'Timeout'), v('Failed', 'TaskFailed')], 'ready', 1, 'TaskFailed'],
    ['a timeout alone', [v('Timeout', 'Timeout')], 'ready', 3, 'Timeout'],
    ['--for failed satisfied', [v('Failed', 'TaskFailed')], 'failed', undefined, undefined],
    ['--for failed but Complete', [v('Complete')], 'failed', 1, 'TaskComplete'],
    ['deleted while waiting', [v('Deleted', 'Deleted')], 'ready', 1, 'Deleted'],
  ] as const)('%s', (_scenario, verdicts, waitFor, code, reason) => {
    const error = verdictsToError([...verdicts], 'sei', waitFor);
    expect(error?.exitCode).toBe(code);
    expect(error?.reason).toBe(reason);
  });
});
