// --set and --values are typed by the kind's parameter schema; every problem is one exit-2
// error that names the parameter, its file position when it came from --values, and the fix.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../../src/catalog/index.js';
import { coerceParams, mergeRawParams, parseSetArgs, readValuesFile, renderTask, emptyRawParams } from '../../src/render/index.js';
import { defaultTaskName } from '../../src/render/name.js';
import { SeiError } from '../../src/errors/sei-error.js';

const catalog = loadCatalog();

function fromSet(kind: string, args: string[]): Record<string, unknown> {
  return coerceParams(catalog.require(kind), parseSetArgs(args));
}

function caught(run: () => unknown): SeiError {
  try {
    run();
  } catch (error) {
    if (error instanceof SeiError) return error;
    throw error;
  }
  throw new Error('expected a SeiError');
}

const VOTE = ['chainId=arctic-1', 'option=yes', 'fees=4000usei', 'gas=200000'];

describe('--set typing', () => {
  it.each([
    ['an integer param', 'gov-vote', [...VOTE, 'proposalId=3'], { proposalId: 3, gas: 200000 }],
    ['a string param that looks numeric', 'restart-pod', ['podUID=123'], { podUID: '123' }],
    ['a string param that looks boolean', 'gov-vote', [...VOTE, 'proposalId=1', 'memo=true'], { memo: 'true' }],
    ['a value containing =', 'gov-vote', [...VOTE, 'proposalId=1', 'memo=a=b=c'], { memo: 'a=b=c' }],
    ['an enum value that YAML 1.1 reads as a boolean', 'gov-vote', [...VOTE, 'proposalId=1', 'option=no'], { option: 'no' }],
    ['the dotted alias of a nested field', 'await-condition', ['height.targetHeight=100'], { targetHeight: 100 }],
    ['an integer with a plus sign', 'await-nodes-at-height', ['targetHeight=+7'], { targetHeight: 7 }],
    ['a JSON value', 'gov-param-change', ['chainId=c', 'title=t', 'description=d', 'initialDeposit=1usei', 'fees=1usei', 'gas=1', 'subspace=staking', 'key=MaxValidators', 'value="100"'], { value: '100' }],
    ['a JSON number value', 'gov-param-change', ['chainId=c', 'title=t', 'description=d', 'initialDeposit=1usei', 'fees=1usei', 'gas=1', 'subspace=s', 'key=k', 'value=100'], { value: 100 }],
    ['a non-JSON value as a string', 'gov-param-change', ['chainId=c', 'title=t', 'description=d', 'initialDeposit=1usei', 'fees=1usei', 'gas=1', 'subspace=s', 'key=k', 'value=10s'], { value: '10s' }],
    ['a JSON list of changes', 'gov-param-change', ['chainId=c', 'title=t', 'description=d', 'initialDeposit=1usei', 'fees=1usei', 'gas=1', 'changes=[{"subspace":"s","key":"k","value":{"a":1}}]'], { changes: [{ subspace: 's', key: 'k', value: { a: 1 } }] }],
    ['a common param', 'restart-pod', ['podUID=x', 'timeoutSeconds=0', 'requirePhase=Initializing'], { timeoutSeconds: 0, requirePhase: 'Initializing' }],
    ['the last --set of a key', 'restart-pod', ['podUID=a', 'podUID=b'], { podUID: 'b' }],
  ])('%s', (_scenario, kind, args, expected) => {
    expect(fromSet(kind, args)).toMatchObject(expected);
  });

  it.each([
    ['an unknown key, naming the closest and all params', 'restart-pod', ['podUID=x', 'poduid=y'], 'poduid', /did you mean podUID\?.*its parameters are: podUID, timeoutSeconds\?/],
    ['a non-integer', 'gov-vote', [...VOTE, 'proposalId=three'], 'proposalId', /must be an integer, got "three"/],
    ['a float for an integer', 'gov-vote', [...VOTE, 'proposalId=1.5'], 'proposalId', /must be an integer/],
    ['below the minimum', 'gov-vote', [...VOTE, 'proposalId=0'], 'proposalId', /must be >= 1/],
    ['an enum miss', 'gov-vote', [...VOTE, 'proposalId=1', 'option=maybe'], 'option', /must be one of "yes", "no", "abstain"/],
    ['a pattern miss', 'gov-vote', [...VOTE, 'proposalId=1', 'keyName=a b'], 'keyName', /must match/],
    ['an empty required string', 'restart-pod', ['podUID='], 'podUID', /must not be empty/],
    ['a missing late param', 'restart-pod', [], 'podUID', /required \(UID of pod/],
    ['a missing required param', 'gov-vote', VOTE, 'proposalId', /required/],
    ['neither changes nor a single change', 'gov-param-change', ['chainId=c', 'title=t', 'description=d', 'initialDeposit=1usei', 'fees=1usei', 'gas=1', 'subspace=s'], 'changes | subspace+key+value', /set changes, or subspace, key, value/],
    ['a bad Go duration', 'mark-ready', ['requirePhaseTimeout=5 minutes'], 'requirePhaseTimeout', /must match/],
  ])('refuses %s (exit 2)', (_scenario, kind, args, field, message) => {
    const error = caught(() => fromSet(kind, args));
    expect(error.exitCode).toBe(2);
    const cause = error.causes.find((candidate) => candidate.field === field);
    expect(cause, JSON.stringify(error.causes)).toBeDefined();
    expect(cause!.message).toMatch(message);
  });

  it('reports every problem at once', () => {
    const error = caught(() => fromSet('gov-vote', ['chainId=', 'proposalId=x', 'option=maybe', 'nope=1']));
    expect(error.causes.map((cause) => cause.field).sort()).toEqual(['chainId', 'fees', 'gas', 'nope', 'option', 'proposalId']);
  });

  it('refuses --set without =', () => {
    expect(caught(() => parseSetArgs(['podUID'])).causes[0]!.message).toContain('"podUID" is not key=value');
  });
});

describe('--values', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sei-values-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('types YAML values by the schema and lets --set win', async () => {
    const file = join(dir, 'vote.yaml');
    writeFileSync(file, 'chainId: arctic-1\nproposalId: "3"\noption: no\nfees: 4000usei\ngas: 200000\nmemo: 12\n');
    const raw = mergeRawParams(await readValuesFile(file), parseSetArgs(['memo=from set']));
    const params = coerceParams(catalog.require('gov-vote'), raw);
    // `option: no` is the boolean false in YAML 1.1 only; yaml parses 1.2, where it is "no".
    expect(params).toMatchObject({ chainId: 'arctic-1', proposalId: 3, option: 'no', gas: 200000, memo: 'from set' });
  });

  it('accepts the nested spelling of a dotted alias (height: {targetHeight})', async () => {
    const file = join(dir, 'await.yaml');
    writeFileSync(file, 'height:\n  targetHeight: "120"\naction: SIGTERM_SEID\n');
    expect(coerceParams(catalog.require('await-condition'), await readValuesFile(file))).toMatchObject({ targetHeight: 120, action: 'SIGTERM_SEID' });
  });

  it('points at file:line:column of a bad key', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'podUID: abc\n# a comment\n  \ntimeoutSecond: 5\nrequirePhase: Soon\n');
    const raw = await readValuesFile(file);
    const failure = caught(() => coerceParams(catalog.require('restart-pod'), raw));
    expect(failure.causes).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'timeoutSecond', source: { file, line: 4, column: 1 }, message: expect.stringContaining('did you mean timeoutSeconds?') }),
      expect.objectContaining({ field: 'requirePhase', source: { file, line: 5, column: 1 } }),
    ]));
  });

  it.each([
    ['not a mapping', '- a\n- b\n', /must be a YAML mapping/],
    ['invalid YAML', 'a: [1,\n', /not valid YAML/],
    ['unreadable', undefined, /cannot read/],
    ['nested 10,000 levels deep', `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, /nested deeper than 256 levels/],
  ])('refuses a file that is %s', async (_scenario, content, message) => {
    const file = join(dir, `f-${Math.random()}.yaml`);
    if (content !== undefined) writeFileSync(file, content);
    await expect(readValuesFile(file)).rejects.toThrow(message);
  });

  it('an empty file is no parameters', async () => {
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '');
    expect((await readValuesFile(file)).values).toEqual(emptyRawParams().values);
  });
});

describe('names and labels', () => {
  const vote = { chainId: 'c', proposalId: 3, option: 'yes', fees: '1usei', gas: 1 };
  it('params-suffixed names are stable for the same operation and differ for another', () => {
    const at = (proposalId: number, when: string) => renderTask(catalog, { kind: 'gov-vote', node: 'val-0', namespace: 'sei', params: { ...vote, proposalId }, now: new Date(when) }).metadata.name;
    expect(at(3, '2026-01-01T00:00:00Z')).toBe(at(3, '2027-01-01T00:00:00Z'));
    expect(at(3, '2026-01-01T00:00:00Z')).not.toBe(at(4, '2026-01-01T00:00:00Z'));
    expect(at(3, '2026-01-01T00:00:00Z')).toMatch(/^val-0-gov-vote-[0-9a-f]{8}$/);
  });

  it('time-suffixed names change per run (restarts are meant to be repeated)', () => {
    const at = (when: string, runTag?: string) => renderTask(catalog, { kind: 'restart-pod', node: 'node-0', namespace: 'sei', params: { podUID: 'u' }, now: new Date(when), ...(runTag ? { runTag } : {}) }).metadata.name;
    expect(at('2026-11-23T19:05:01Z', 'abc123')).toBe('node-0-restart-pod-20261123t190501-abc123');
    expect(at('2026-11-23T19:05:02Z')).not.toBe(at('2026-11-23T19:05:01Z'));
    expect(at('2026-11-23T19:05:01Z')).toMatch(/^node-0-restart-pod-20261123t190501-[0-9a-f]{6}$/);
  });

  it('two runs of a repeating kind within the same second never share a name', () => {
    const names = new Set(Array.from({ length: 50 }, () => renderTask(catalog, { kind: 'restart-pod', node: 'node-0', namespace: 'sei', params: { podUID: 'u' }, now: new Date('2026-11-23T19:05:01Z') }).metadata.name));
    expect(names.size).toBe(50);
  });

  it('--name overrides, labels carry node, kind and manager', () => {
    const object = renderTask(catalog, { kind: 'RestartSeid', node: 'node-0', name: 'mine', namespace: 'sei', params: {}, labels: { team: 'ops', 'sei.io/node': 'spoofed' } });
    expect(object.metadata.name).toBe('mine');
    expect(object.metadata.labels).toEqual({ team: 'ops', 'sei.io/node': 'node-0', 'sei.io/task-kind': 'RestartSeid', 'app.kubernetes.io/managed-by': 'kubectl-sei' });
  });

  it('an empty namespace leaves metadata.namespace out (apply uses the context\'s, as kubectl)', () => {
    const object = renderTask(catalog, { kind: 'mark-ready', node: 'node-0', namespace: '', params: {} });
    expect(Object.keys(object.metadata)).toEqual(['name', 'labels']);
  });

  it('a default name stays within 253 characters for the longest node name', () => {
    const spec = catalog.require('await-nodes-at-height');
    const name = defaultTaskName(spec, 'n'.repeat(253), { targetHeight: 1 }, new Date());
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^n+-await-nodes-at-height-[0-9a-f]{8}$/);
  });
});
