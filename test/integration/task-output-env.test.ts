// --output-env / --env-file: JSONPath subset, shell-safe quoting, refusal of bad keys and paths.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendEnvFile, extractOutputEnv, parseOutputEnvSpecs, shellQuote } from '../../src/services/output-env.js';
import { parseDuration } from '../../src/domain/duration.js';

const task = {
  apiVersion: 'sei.io/v1alpha1',
  kind: 'SeiNodeTask',
  metadata: { name: 't' },
  status: {
    phase: 'Complete',
    outputs: { govSoftwareUpgrade: { proposalId: 7, txHash: 'AB12', height: 1200 } },
    conditions: [{ type: 'Ready', status: 'True', reason: 'TaskComplete' }],
  },
};

describe('parseOutputEnvSpecs', () => {
  it.each([
    ['braced path', 'PID={.status.outputs.govSoftwareUpgrade.proposalId}', '$.status.outputs.govSoftwareUpgrade.proposalId'],
    ['bare dotted path', 'PID=.status.phase', '$.status.phase'],
    ['index step', 'C={.status.conditions[0].type}', '$.status.conditions[0].type'],
  ])('accepts a %s', (_name, spec, path) => {
    expect(parseOutputEnvSpecs([spec])[0]?.path).toBe(path);
  });

  it.each([
    ['a key that is not a shell identifier', '1PID={.status.phase}', 'not a shell variable name'],
    ['a key with a dash', 'P-ID={.status.phase}', 'not a shell variable name'],
    ['a key injecting a command', 'X;rm={.status.phase}', 'not a shell variable name'],
    ['no path', 'PID', 'unsupported JSONPath'],
    ['a filter expression', 'PID={.items[?(@.x)]}', 'unsupported JSONPath'],
    ['a script expression', 'PID={.a[(@.length-1)]}', 'unsupported JSONPath'],
  ])('refuses %s with exit 2', (_name, spec, text) => {
    expect(() => parseOutputEnvSpecs([spec])).toThrowError(text);
    try {
      parseOutputEnvSpecs([spec]);
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('refuses a key given twice', () => {
    expect(() => parseOutputEnvSpecs(['A={.a}', 'A={.b}'])).toThrowError('given twice');
  });
});

describe('extractOutputEnv', () => {
  it('extracts numbers and strings as single-quoted values', () => {
    const specs = parseOutputEnvSpecs(['PID={.status.outputs.govSoftwareUpgrade.proposalId}', 'TX={.status.outputs.govSoftwareUpgrade.txHash}']);
    expect(extractOutputEnv(task, specs)).toEqual(["PID='7'", "TX='AB12'"]);
  });

  it('refuses a path that matches nothing, naming it', () => {
    const specs = parseOutputEnvSpecs(['V={.status.outputs.govVote.txHash}']);
    expect(() => extractOutputEnv(task, specs)).toThrowError('{.status.outputs.govVote.txHash}');
  });
});

describe('shellQuote', () => {
  it.each([
    ['plain', 'abc'],
    ['single quote', "it's"],
    ['command substitution', '$(touch /tmp/pwned)'],
    ['backticks', '`id`'],
    ['newline', 'a\nb'],
    ['double quotes and backslash', '"\\"'],
    ['empty', ''],
  ])('round-trips %s through a real shell', (_name, value) => {
    const dir = mkdtempSync(join(tmpdir(), 'sei-env-'));
    const file = join(dir, 'env');
    writeFileSync(file, `X=${shellQuote(value)}\n`);
    const out = execFileSync('sh', ['-c', `. "${file}"; printf '%s' "$X"`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });

  it('appendEnvFile appends, never truncates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sei-env-'));
    const file = join(dir, 'env');
    writeFileSync(file, 'EXISTING=1\n');
    await appendEnvFile(file, ["PID='7'"]);
    expect(readFileSync(file, 'utf8')).toBe("EXISTING=1\nPID='7'\n");
  });
});

describe('parseDuration (kubectl --timeout)', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['0', 0],
    ['-1s', -1000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['30', '5 m', 'abc', '1d', ''])('refuses %j with exit 2', (text) => {
    expect(() => parseDuration(text)).toThrowError('invalid duration');
  });
});
