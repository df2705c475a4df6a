// One way to end a wait: data first, then Ctrl-C (exit 130), then the verdict's error; one
// --plan-id rule; machine output recognised before flags parse.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { finishTaskWait, finishWait, tasksInterrupted } from '../../src/cli/finish-wait.js';
import { asksForMachineOutput } from '../../src/cli/base-command.js';
import { SeiError } from '../../src/errors/sei-error.js';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { checkPlanId } from '../../src/plan/naming.js';
import type { TaskVerdict } from '../../src/watch/types.js';
import type { KubeObject } from '../../src/cluster/types.js';

function thrown(run: () => unknown): SeiError {
  try {
    run();
  } catch (error) {
    if (error instanceof SeiError) return error;
    throw error;
  }
  throw new Error('expected a SeiError');
}

async function rejected(promise: Promise<unknown>): Promise<SeiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SeiError) return error;
    throw error;
  }
  throw new Error('expected a SeiError');
}

const task = (name: string): KubeObject => ({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name, namespace: 'sei' } });
const verdict = (name: string, outcome: TaskVerdict['outcome'], extra: Partial<TaskVerdict> = {}): TaskVerdict => ({ name, namespace: 'sei', outcome, durationMs: 5, object: task(name), ...extra }) as TaskVerdict;

describe('finishWait', () => {
  const written: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    written.length = 0;
  });
  const captureStdout = () => vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));

  it('prints the data before throwing, Ctrl-C wins over the verdict, and Ctrl-C is exit 130', () => {
    captureStdout();
    const error = thrown(() => finishWait({ stdout: 'data\n', interrupted: tasksInterrupted(['a'], 'sei'), error: SeiError.timeout('late') }));
    expect(written).toEqual(['data\n']);
    expect(error.exitCode).toBe(ExitCode.Interrupted);
    expect(error.toStatus()).toMatchObject({ reason: 'Interrupted', code: 499 });
    expect(error.message).toContain('re-attach with: kubectl sei task wait a -n sei');
  });

  it('success throws nothing; a verdict error is thrown as is', () => {
    captureStdout();
    expect(() => finishWait({})).not.toThrow();
    const failed = SeiError.taskFailed('Boom', 'failed');
    expect(thrown(() => finishWait({ error: failed }))).toBe(failed);
  });

  it('finishTaskWait: objects in the -o format, then Interrupted → 130 naming every stopped task', async () => {
    captureStdout();
    const error = await rejected(finishTaskWait({ verdicts: [verdict('a', 'Complete'), verdict('b', 'Interrupted'), verdict('c', 'Interrupted')], namespace: 'sei', output: 'name' }));
    expect(written.join('')).toBe('seinodetask.sei.io/a\nseinodetask.sei.io/b\nseinodetask.sei.io/c\n');
    expect(error.exitCode).toBe(130);
    expect(error.message).toContain('kubectl sei task wait b c -n sei');
  });

  it('finishTaskWait: ndjson prints nothing at the end (it streamed); Failed → exit 1; all Complete → no error', async () => {
    captureStdout();
    const error = await rejected(finishTaskWait({ verdicts: [verdict('a', 'Failed', { reason: 'Boom' })], namespace: 'sei', output: 'ndjson' }));
    expect(written).toEqual([]);
    expect(error.exitCode).toBe(1);
    await expect(finishTaskWait({ verdicts: [verdict('a', 'Complete')], namespace: 'sei' })).resolves.toBeUndefined();
  });

  it('finishTaskWait: a decision made elsewhere replaces the verdict mapping, even "success"', async () => {
    captureStdout();
    const decided = SeiError.timeout('never created');
    expect(await rejected(finishTaskWait({ verdicts: [verdict('a', 'Complete')], namespace: 'sei', error: decided }))).toBe(decided);
    await expect(finishTaskWait({ verdicts: [verdict('a', 'Failed')], namespace: 'sei', error: undefined })).resolves.toBeUndefined();
  });
});

describe('machine output before parsing', () => {
  it.each([
    [['-o', 'json'], true],
    [['-ojson'], true],
    [['-o=yaml'], true],
    [['--output', 'ndjson'], true],
    [['--output=name'], true],
    [['-o', 'table'], false],
    [['-o', 'wide'], false],
    [[], false],
    [['--', '-o', 'json'], false],
  ])('%j → %s', (argv, machine) => {
    expect(asksForMachineOutput(argv)).toBe(machine);
  });
});

describe('one --plan-id rule', () => {
  it.each(['3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c', 'rp-0001', 'a'])('accepts %s', (id) => {
    expect(() => checkPlanId(id)).not.toThrow();
  });
  it.each(['UPPER', '../x', '-a', 'a-', 'a'.repeat(64), 'a_b', ''])('refuses %j with exit 2 naming the field', (id) => {
    const error = thrown(() => checkPlanId(id, 'PLAN_ID'));
    expect(error.exitCode).toBe(2);
    expect(error.causes[0]).toMatchObject({ field: 'PLAN_ID', type: 'FieldValueInvalid' });
  });
});
