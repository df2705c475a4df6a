// Manifest parsing and validation with source positions: multi-document files, lists, stdin,
// directories, and hostile YAML that must fail cleanly (exit 2) instead of hanging or crashing.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, SeiError } from '../../src/errors/index.js';
import { formatCause, parseManifests, projectResolver, readManifestInputs, splitFieldPath, validateManifests } from '../../src/validate/index.js';

const MULTI = `# two tasks and an empty document
apiVersion: sei.io/v1alpha1
kind: SeiNodeTask
metadata:
  name: ok
spec:
  kind: RestartPod
  target:
    nodeRef:
      name: node-0
  restartPod:
    podUID: abc
---
---
apiVersion: sei.io/v1alpha1
kind: SeiNodeTask
metadata:
  name: bad
spec:
  kind: RestartPod
  target:
    nodeRef:
      name: Node_0
  restartPod:
    podUID: ""
  timeoutSeconds: -5
  bogus: 1
`;

function positions(text: string, file = 'm.yaml'): string[] {
  const report = validateManifests(parseManifests(text, file), projectResolver('seed'), { supported: projectResolver('seed').supported });
  return report.causes.map(formatCause);
}

describe('splitFieldPath', () => {
  it.each([
    ['spec.peers[0].static', ['spec', 'peers', 0, 'static']],
    ['spec.overrides[evm.http_port]', ['spec', 'overrides', 'evm.http_port']],
    ['metadata.name', ['metadata', 'name']],
    ['<nil>', []],
    ['', []],
  ] as Array<[string, Array<string | number>]>)('%s', (path, expected) => {
    expect(splitFieldPath(path)).toEqual(expected);
  });
});

describe('parseManifests', () => {
  it('skips empty documents and keeps document indexes', () => {
    const docs = parseManifests(MULTI, 'm.yaml');
    expect(docs.map((d) => [d.index, (d.object['metadata'] as { name: string }).name])).toEqual([
      [0, 'ok'],
      [2, 'bad'],
    ]);
  });

  it('positions point at the offending key (1-based), nearest ancestor when missing', () => {
    const [first, second] = parseManifests(MULTI, 'm.yaml');
    expect(first!.positionOf('spec.restartPod.podUID')).toEqual({ line: 12, column: 5 });
    expect(second!.positionOf('spec.target.nodeRef.name')).toEqual({ line: 23, column: 7 });
    expect(second!.positionOf('spec.target.requirePhase')).toEqual({ line: 21, column: 3 });
    expect(second!.positionOf('<nil>')).toEqual({ line: 15, column: 1 });
  });

  it('expands kind: List (kubectl get -o yaml output) with positions inside items', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: sei.io/v1alpha1
  kind: SeiNode
  metadata: {name: a}
  spec: {chainId: c, image: i, fullNode: {}}
- apiVersion: sei.io/v1alpha1
  kind: SeiNode
  metadata:
    name: b
  spec:
    chainId: c
    image: ""
    fullNode: {}
`;
    const docs = parseManifests(text, 'list.yaml');
    expect(docs.map((d) => d.listIndex)).toEqual([0, 1]);
    expect(positions(text, 'list.yaml')).toEqual([
      'list.yaml:14:5: spec.image: Invalid value: "": spec.image in body should be at least 1 chars long',
    ]);
  });

  it('parses JSON too', () => {
    const docs = parseManifests(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 'x.json');
    expect(docs[0]!.object['kind']).toBe('ConfigMap');
  });
});

describe('every error with file:line:column', () => {
  it('reports all causes of a multi-doc file at the right places', () => {
    expect(positions(MULTI)).toEqual([
      'm.yaml:27:3: spec.bogus: unknown field "spec.bogus"',
      `m.yaml:23:7: spec.target.nodeRef.name: Invalid value: "Node_0": spec.target.nodeRef.name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'`,
      'm.yaml:25:5: spec.restartPod.podUID: Invalid value: "": spec.restartPod.podUID in body should be at least 1 chars long',
      'm.yaml:26:3: spec.timeoutSeconds: Invalid value: -5: spec.timeoutSeconds in body should be greater than or equal to 0',
      'm.yaml:19:1: spec: Invalid value: "object": spec.restartPod.podUID is required when kind=RestartPod',
    ]);
  });

  it('names the supported kinds for an unknown apiVersion/kind', () => {
    const lines = positions('apiVersion: sei.io/v1beta9\nkind: SeiNodeTask\nmetadata: {name: a}\n');
    expect(lines).toEqual([
      'm.yaml:2:1: kind: Unsupported value: no schema for apiVersion "sei.io/v1beta9", kind "SeiNodeTask"; supported: sei.io/v1alpha1 SeiNodeTask, sei.io/v1alpha1 SeiNode',
    ]);
  });

  it('a document without apiVersion or kind is refused', () => {
    expect(positions('metadata: {name: a}\n')[0]).toMatch(/^m\.yaml:1:1: apiVersion: Required value/);
  });

  it('a valid file has no causes and reports valid', () => {
    const report = validateManifests(parseManifests(MULTI.split('---')[0]!, 'ok.yaml'), projectResolver('seed'));
    expect(report.valid).toBe(true);
    expect(report.documents[0]!.result!.object['spec']).toMatchObject({ target: { requirePhase: 'Running' } });
  });
});

function parseError(text: string): SeiError {
  try {
    parseManifests(text, 'h.yaml');
  } catch (error) {
    return error as SeiError;
  }
  throw new Error('expected a parse error');
}

describe('hostile YAML fails cleanly with exit 2 and a position', () => {
  it.each([
    ['unterminated flow map', 'a: {b: 1\n', 'YAMLSyntaxError'],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n', 'YAMLSyntaxError'],
    ['duplicate keys', 'a: 1\nb: 2\na: 3\n', 'FieldValueDuplicate'],
    ['tab indentation', 'a:\n\tb: 1\n', 'YAMLSyntaxError'],
    ['a scalar document', 'just a string\n', 'FieldValueTypeInvalid'],
    ['a top-level list', '- a\n- b\n', 'FieldValueTypeInvalid'],
    // Refused with the limit named, not parsed until the composer overflows the stack.
    ['nesting deep enough to overflow the stack', `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'FieldValueInvalid'],
    ['block sequences nested on one line', `a:\n  ${'- '.repeat(5000)}x\n`, 'FieldValueInvalid'],
  ])('%s', (_name, text, type) => {
    const error = parseError(text);
    expect(error).toBeInstanceOf(SeiError);
    expect(error.exitCode).toBe(ExitCode.InvalidInput);
    expect(error.causes[0]!.type).toBe(type);
    expect(error.causes[0]!.source).toMatchObject({ file: 'h.yaml' });
    expect(error.causes[0]!.source!.line).toBeGreaterThanOrEqual(1);
  });

  it('an alias bomb (billion laughs) is refused instead of expanded', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const error = parseError(levels.join('\n') + '\n');
    expect(error.exitCode).toBe(ExitCode.InvalidInput);
    expect(error.causes[0]!.message).toMatch(/alias/i);
  });

  it('language-specific tags do not execute anything and values stay data', () => {
    const docs = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: !!js/function "function(){}"}\n', 'h.yaml');
    expect(typeof (docs[0]!.object['data'] as Record<string, unknown>)['a']).toBe('string');
  });

  it('a value with a newline, colon and quotes stays one scalar', () => {
    const docs = parseManifests('apiVersion: v1\nkind: X\nmetadata: {name: x}\nv: "a: b\\n c: \'d\'"\n', 'h.yaml');
    expect(docs[0]!.object['v']).toBe("a: b\n c: 'd'");
  });
});

describe('readManifestInputs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sei-validate-'));
    await writeFile(join(dir, 'b.yaml'), 'b: 1\n');
    await writeFile(join(dir, 'a.yml'), 'a: 1\n');
    await writeFile(join(dir, 'c.json'), '{"c":1}');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'd.yaml'), 'd: 1\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a directory: manifests sorted by name, not recursive', false, ['a.yml', 'b.yaml', 'c.json']],
    ['a directory with --recursive', true, ['a.yml', 'b.yaml', 'c.json', 'sub/d.yaml']],
  ])('%s', async (_name, recursive, expected) => {
    const inputs = await readManifestInputs(dir, undefined, { recursive });
    expect(inputs.map((i) => i.file.slice(dir.length + 1))).toEqual(expected);
  });

  it('a single file', async () => {
    expect(await readManifestInputs(join(dir, 'b.yaml'))).toEqual([{ file: join(dir, 'b.yaml'), text: 'b: 1\n' }]);
  });

  it.each([
    ['a stream', () => Readable.from(['x: ', '1\n'])],
    ['text', () => 'x: 1\n'],
  ])('stdin as %s', async (_name, make) => {
    expect(await readManifestInputs('-', make())).toEqual([{ file: '<stdin>', text: 'x: 1\n' }]);
  });

  it('a missing path is invalid input with a hint', async () => {
    const error = (await readManifestInputs(join(dir, 'nope.yaml')).catch((e: unknown) => e)) as SeiError;
    expect(error).toBeInstanceOf(SeiError);
    expect(error.exitCode).toBe(ExitCode.InvalidInput);
    expect(error.message).toMatch(/no such file or directory/);
    expect(error.hints[0]).toMatch(/-f/);
  });

  it('an empty directory is invalid input', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'sei-empty-'));
    await expect(readManifestInputs(empty)).rejects.toMatchObject({ exitCode: ExitCode.InvalidInput });
    await rm(empty, { recursive: true });
  });
});

describe('YAML 1.1 hazards (kubectl, ArgoCD and Flux read YAML 1.1)', () => {
  const doc = (body: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n${body}`;

  it.each([
    ['yes is a boolean there', '  a: yes\n', 'data.a: unquoted yes is the string "yes" here but the boolean true for YAML 1.1'],
    ['off is a boolean there', '  a: off\n', 'data.a: unquoted off is the string "off" here but the boolean false'],
    ['a leading zero is octal there', '  a: 0123\n', 'data.a: unquoted 0123 is the number 123 here but the number 83'],
    ['underscores make a number there', '  a: 1_000\n', 'data.a: unquoted 1_000 is the string "1_000" here but the number 1000'],
    ['sexagesimal is a number there', '  a: 1:30\n', 'data.a: unquoted 1:30 is the string "1:30" here but the number 90'],
  ])('%s', (_name, body, expected) => {
    const docs = parseManifests(doc(body), 'y.yaml');
    const { warnings } = validateManifests(docs, () => undefined, {});
    expect(warnings).toEqual([expect.stringContaining(`y.yaml:6:6: ${expected}`)]);
  });

  it.each([
    ['quoted yes', '  a: "yes"\n'],
    ['true is a boolean in both', '  a: true\n'],
    ['plain numbers agree', '  a: 200000\n  b: 1.5\n'],
    ['ordinary words', '  a: yesterday\n  b: node-0\n'],
  ])('no warning for %s', (_name, body) => {
    const { warnings } = validateManifests(parseManifests(doc(body), 'y.yaml'), () => undefined, {});
    expect(warnings).toEqual([]);
  });

  it('can be turned off', () => {
    expect(validateManifests(parseManifests(doc('  a: yes\n'), 'y.yaml'), () => undefined, { yaml11Warnings: false }).warnings).toEqual([]);
  });
});
