// `task validate` end to end: the validate-files service on fixture files with known errors
// (file:line:column and field paths), the API-flavor choice, the served CRD of a simulated
// cluster over HTTP (--schema-from-cluster), and the built CLI's exit codes (0/2) and output.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateFiles, type ValidateFilesReport } from '../../src/services/validate-files.js';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { SeiError } from '../../src/errors/sei-error.js';

const FIXTURES = 'test/fixtures/task-validate';
const VALID = `${FIXTURES}/valid.yaml`;
const INVALID = `${FIXTURES}/invalid.yaml`;

/** 1-based line and column of the first line of `file` that starts (after spaces) with `key:`, from `after`. */
function keyAt(file: string, key: string, after = 0): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((line, i) => i >= after && line.trimStart().startsWith(`${key}:`));
  if (index < 0) throw new Error(`${key} not in ${file}`);
  return { line: index + 1, column: lines[index]!.length - lines[index]!.trimStart().length + 1 };
}

function causeAt(report: ValidateFilesReport, field: string) {
  return report.causes.find((cause) => cause.field === field);
}

describe('validate-files service', () => {
  it('accepts seed, shared and latest kinds under --crd auto, each against its API', async () => {
    const report = await validateFiles({ inputs: [VALID] });
    expect(report.valid).toBe(true);
    expect(report.documents.map((doc) => [doc.name, doc.schema])).toEqual([
      ['node-0-restart', 'seed'],
      ['val-0-vote', 'seed'],
      ['node-0-mark-ready', 'latest'],
    ]);
  });

  it.each([
    ['seed', 'node-0-mark-ready', 'spec.kind'],
    ['latest', 'node-0-restart', 'spec.kind'],
  ] as const)('--crd %s refuses the other API\'s kind (%s)', async (crd, name, field) => {
    const report = await validateFiles({ inputs: [VALID], crd });
    expect(report.valid).toBe(false);
    expect(report.documents.filter((doc) => !doc.valid).map((doc) => doc.name)).toEqual([name]);
    expect(report.causes.map((cause) => cause.field)).toContain(field);
  });

  it('reports every error of every document with file:line:column and the field path', async () => {
    const report = await validateFiles({ inputs: [INVALID] });
    expect(report.valid).toBe(false);
    expect(report.documents.map((doc) => [doc.name, doc.valid])).toEqual([['vote-bad', false], ['restart-bad', false]]);
    const second = readFileSync(INVALID, 'utf8').split('\n').indexOf('---');
    const expected: Array<[string, { line: number; column: number }, RegExp]> = [
      ['spec.target.nodeRef.name', keyAt(INVALID, 'name', 9), /should match/],
      ['spec.govVote.proposalId', keyAt(INVALID, 'proposalId'), /greater than or equal to 1|should be >= 1|at least 1|minimum/i],
      ['spec.govVote.option', keyAt(INVALID, 'option'), /Unsupported value: "maybe"/],
      ['spec.govVote.colour', keyAt(INVALID, 'colour'), /unknown field/],
      ['spec', keyAt(INVALID, 'spec', second), /spec\.restartPod is required when kind=RestartPod/],
    ];
    for (const [field, at, message] of expected) {
      const cause = causeAt(report, field);
      expect(cause, `${field} in ${JSON.stringify(report.causes)}`).toBeDefined();
      expect(cause!.source).toEqual({ file: INVALID, ...at });
      expect(cause!.message).toMatch(message);
    }
  });

  it('reports a YAML syntax error with its position and still validates the other files', async () => {
    const report = await validateFiles({ inputs: [`${FIXTURES}/syntax.yaml`, VALID] });
    expect(report.valid).toBe(false);
    expect(report.documents).toHaveLength(3);
    expect(report.documents.every((doc) => doc.valid)).toBe(true);
    expect(report.causes).toHaveLength(1);
    expect(report.causes[0]!.source).toMatchObject({ file: `${FIXTURES}/syntax.yaml`, line: 5 });
  });

  it.each([
    ['without --recursive: only the top level', false, 3, true],
    ['with --recursive: the nested invalid file too', true, 4, false],
  ])('a directory %s', async (_scenario, recursive, documents, valid) => {
    const report = await validateFiles({ inputs: [`${FIXTURES}/dir`], recursive });
    expect(report.documents).toHaveLength(documents);
    expect(report.valid).toBe(valid);
    if (!valid) expect(causeAt(report, 'spec.awaitCondition')!.message).toMatch(/exactly one condition must be set/);
  });

  it('reads - from stdin', async () => {
    const report = await validateFiles({ inputs: ['-'], stdin: readFileSync(INVALID, 'utf8') });
    expect(report.causes[0]!.source!.file).toBe('<stdin>');
    expect(report.valid).toBe(false);
  });

  it.each([
    ['a missing file', [`${FIXTURES}/nope.yaml`], /no such file/],
    ['an empty input', ['-'], /no documents/],
  ])('refuses %s with exit 2', async (_scenario, inputs, message) => {
    const error = await validateFiles({ inputs, stdin: '' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SeiError);
    expect((error as SeiError).exitCode).toBe(2);
    expect((error as SeiError).message).toMatch(message);
  });
});

describe('golden renders', () => {
  it('every kind\'s golden render is valid against the CRD of its API (auto)', async () => {
    const { GOLDEN_INPUTS } = await import('../fixtures/golden/inputs.js');
    const { loadCatalog } = await import('../../src/catalog/index.js');
    const { renderTask, toSafeYaml } = await import('../../src/render/index.js');
    const catalog = loadCatalog();
    const text = GOLDEN_INPUTS.map(([kind, params]) => toSafeYaml(renderTask(catalog, { kind, node: 'node-0', namespace: 'sei', params }))).join('---\n');
    const report = await validateFiles({ inputs: ['-'], stdin: text });
    expect(report.causes).toEqual([]);
    expect(report.documents).toHaveLength(10);
  });
});

describe('--schema-from-cluster against the simulated cluster (latest CRD served)', () => {
  let sim: RunningSim;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    sim = await startSim({ host: '127.0.0.1', port: 0, crd: 'latest', controller: false, namespace: 'sei' });
    dir = mkdtempSync(join(tmpdir(), 'sei-validate-'));
    kubeconfig = join(dir, 'kubeconfig');
    sim.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates against what the cluster serves, not the project\'s seed CRD', async () => {
    const report = await validateFiles({ inputs: [VALID], schemaFromCluster: { kubeconfig } });
    expect(report.documents.map((doc) => [doc.name, doc.valid, doc.schema])).toEqual([
      ['node-0-restart', false, 'cluster'],
      ['val-0-vote', true, 'cluster'],
      ['node-0-mark-ready', true, 'cluster'],
    ]);
    expect(causeAt(report, 'spec.kind')!.message).toMatch(/Unsupported value: "RestartPod"/);
    expect(causeAt(report, 'spec.kind')!.source).toEqual({ file: VALID, ...keyAt(VALID, 'kind', 6) });
  });
});

describe('the built CLI', () => {
  const BIN = 'bin/kubectl-sei';
  beforeAll(() => {
    if (!existsSync('dist/bundle/cli.cjs') || !existsSync('oclif.manifest.json')) throw new Error('run `npm run build` first: these tests run the built CLI');
  });
  const cli = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });

  it.each([
    ['valid documents', 0, ['task', 'validate', '-f', VALID]],
    ['invalid documents', 2, ['task', 'validate', '-f', INVALID]],
    ['a YAML syntax error', 2, ['task', 'validate', '-f', `${FIXTURES}/syntax.yaml`]],
    ['a missing file', 2, ['task', 'validate', '-f', `${FIXTURES}/nope.yaml`]],
    ['a bad --crd value', 2, ['task', 'validate', '-f', VALID, '--crd', 'v2']],
    ['--crd latest on seed kinds', 2, ['task', 'validate', '-f', VALID, '--crd', 'latest']],
    ['render of an unknown kind', 2, ['task', 'render', 'restart-pd', '--node', 'node-0']],
    ['render with a mistyped param', 2, ['task', 'render', 'gov-vote', '--node', 'n', '--set', 'proposalId=x']],
    ['render of restart-pod without podUID (offline)', 2, ['task', 'render', 'restart-pod', '--node', 'node-0']],
    ['render of a valid restart-pod', 0, ['task', 'render', 'restart-pod', '--node', 'node-0', '--set', 'podUID=abc']],
    ['render with an invalid node name (CRD pattern)', 2, ['task', 'render', 'mark-ready', '--node', 'Node_0']],
  ])('%s exits %i', (_scenario, code, args) => {
    const result = cli(args);
    expect(result.status, result.stderr).toBe(code);
  });

  it('prints every error as file:line:column: field: message on stdout (text)', () => {
    const result = cli(['task', 'validate', '-f', INVALID]);
    const at = keyAt(INVALID, 'option');
    expect(result.stdout).toContain(`${INVALID}:${at.line}:${at.column}: spec.govVote.option: Unsupported value: "maybe"`);
    expect(result.stdout.trim().split('\n').every((line) => /^test\/fixtures\/task-validate\/invalid\.yaml:\d+:\d+: \S+: /.test(line))).toBe(true);
    expect(result.stderr).toMatch(/2 of 2 documents invalid/);
  });

  it('-o json: the report on stdout, a metav1.Status as the last stderr line', () => {
    const result = cli(['task', 'validate', '-f', INVALID, '-o', 'json']);
    expect(result.status).toBe(2);
    const report = JSON.parse(result.stdout) as { valid: boolean; documents: unknown[] };
    expect(report).toMatchObject({ valid: false });
    expect(report.documents).toHaveLength(2);
    const status = JSON.parse(result.stderr.trim().split('\n').at(-1)!) as { kind: string; reason: string; details: { causes: unknown[] } };
    expect(status).toMatchObject({ kind: 'Status', reason: 'Invalid' });
    expect(status.details.causes.length).toBeGreaterThanOrEqual(5);
  });

  it('render | validate -f - round-trips a gov-vote with hostile values', () => {
    const rendered = cli(['task', 'render', 'gov-vote', '--node', 'val-0', '--set', 'chainId=arctic-1', '--set', 'proposalId=3', '--set', 'option=no', '--set', 'fees=4000usei', '--set', 'gas=200000', '--set', 'memo=yes: {{x}} = #1']);
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain('option: "no"');
    const validated = cli(['task', 'validate', '-f', '-'], rendered.stdout);
    expect(validated.status, validated.stderr).toBe(0);
  });

  it('render -o json prints the object and a failure ends stderr with a Status (only with -o)', () => {
    const ok = cli(['task', 'render', 'await-condition', '--node', 'node-0', '--set', 'height.targetHeight=100', '-o', 'json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ spec: { kind: 'AwaitCondition', awaitCondition: { height: { targetHeight: 100 } } } });
    const bad = cli(['task', 'render', 'restart-pod', '--node', 'node-0', '-o', 'json']);
    expect(JSON.parse(bad.stderr.trim().split('\n').at(-1)!)).toMatchObject({ kind: 'Status', reason: 'Invalid', details: { causes: [{ field: 'podUID' }] } });
    expect(bad.stdout).toBe('');
    const human = cli(['task', 'render', 'restart-pod', '--node', 'node-0']);
    expect(human.stderr).toContain('podUID');
    expect(human.stderr).not.toContain('"kind":"Status"');
  });
});
