// The kinds catalog is data: every built-in kind loads from its template, schema and meta;
// the catalog agrees with the upstream CRDs (seed and latest); --templates-dir adds and overrides.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import { loadCatalog, BUILTIN_SCHEMAS_DIR } from '../../src/catalog/index.js';
import { SeiError } from '../../src/errors/sei-error.js';
import { renderTask } from '../../src/render/index.js';
import { upstreamCrdFile } from '../support/upstream-crds.js';

const SEED_KINDS = ['GovSoftwareUpgrade', 'GovVote', 'AwaitCondition', 'UpdateNodeImage', 'AwaitNodesAtHeight', 'DiscoverPeers', 'RestartPod'];
const LATEST_ONLY = ['MarkReady', 'GovParamChange', 'RestartSeid'];
const COMMON = ['timeoutSeconds', 'requirePhase', 'requirePhaseTimeout'];

type Schema = { properties?: Record<string, Schema>; required?: string[]; enum?: string[] };
function upstreamSpec(flavor: 'seed' | 'latest'): Schema {
  const file = upstreamCrdFile(flavor === 'seed' ? 'sei.io_seinodetasks.yaml' : 'latest/sei.io_seinodetasks.yaml');
  const crd = parse(readFileSync(file, 'utf8')) as { spec: { versions: Array<{ schema: { openAPIV3Schema: Schema } }> } };
  return crd.spec.versions[0]!.schema.openAPIV3Schema.properties!['spec']!;
}

describe('built-in catalog', () => {
  const catalog = loadCatalog();

  it('has the ten kinds, each with template, schema and meta', () => {
    expect(catalog.kinds().map((kind) => kind.kind).sort()).toEqual([...SEED_KINDS, ...LATEST_ONLY].sort());
    for (const kind of catalog.kinds()) {
      expect(kind.templatePath).toMatch(new RegExp(`templates/tasks/${kind.name}\\.yaml\\.hbs$`));
      expect(kind.schemaPath).toMatch(new RegExp(`schemas/kinds/${kind.name}\\.schema\\.json$`));
      expect(kind.description.length).toBeGreaterThan(10);
      expect(kind.params.map((param) => param.name)).toEqual(expect.arrayContaining(COMMON));
    }
  });

  it.each([
    ['seed', SEED_KINDS],
    ['latest', ['GovSoftwareUpgrade', 'GovVote', 'AwaitCondition', 'UpdateNodeImage', 'AwaitNodesAtHeight', ...LATEST_ONLY]],
  ] as const)('the kinds with api %s are exactly the upstream CRD enum', (flavor, expected) => {
    const upstream = upstreamSpec(flavor).properties!['kind']!.enum!;
    expect([...upstream].sort()).toEqual([...expected].sort());
    expect(catalog.kinds().filter((kind) => kind.apis.includes(flavor)).map((kind) => kind.kind).sort()).toEqual([...upstream].sort());
  });

  // Flat payloads: the kind's own params are the payload's fields, with the same required set.
  it.each(['gov-software-upgrade', 'gov-vote', 'update-node-image', 'await-nodes-at-height', 'restart-pod', 'discover-peers', 'mark-ready', 'restart-seid'])(
    '%s params mirror the upstream payload fields',
    (name) => {
      const spec = catalog.require(name);
      const flavor = spec.apis.includes('seed') ? 'seed' : 'latest';
      const payload = upstreamSpec(flavor).properties![spec.payloadField]!;
      const own = spec.params.filter((param) => !COMMON.includes(param.name));
      expect(own.map((param) => param.name).sort()).toEqual(Object.keys(payload.properties ?? {}).sort());
      expect(own.filter((param) => param.required).map((param) => param.name).sort()).toEqual([...(payload.required ?? [])].sort());
      for (const param of own) {
        const field = payload.properties![param.name] as Schema & { type?: string };
        expect(param.type, param.name).toBe(field.type);
        if (field.enum) expect(param.enum).toEqual(field.enum);
      }
    },
  );

  it('await-condition flattens height.targetHeight to targetHeight (alias kept)', () => {
    const param = catalog.require('await-condition').params.find((candidate) => candidate.name === 'targetHeight')!;
    expect(param).toMatchObject({ type: 'integer', required: true, aliases: ['height.targetHeight'], minimum: 1 });
  });

  it('marks late params, broadcasts, default timeouts and outputs as data', () => {
    expect(catalog.require('restart-pod').params.find((param) => param.name === 'podUID')).toMatchObject({ late: true, required: true });
    expect(catalog.kinds().filter((kind) => kind.broadcasts).map((kind) => kind.name).sort()).toEqual(['gov-param-change', 'gov-software-upgrade', 'gov-vote']);
    expect(catalog.require('RestartPod').defaultTimeoutSeconds).toBe(600);
    expect(catalog.require('DiscoverPeers').defaultTimeoutSeconds).toBe(120);
    // Published by the latest controller only (upstream govoutputs.go, 2d670ad).
    expect(catalog.require('gov-software-upgrade').outputs).toContainEqual({ name: 'proposalId', jsonPath: '{.status.outputs.govSoftwareUpgrade.proposalId}', publishedBy: ['latest'] });
    expect(catalog.require('update-node-image').outputs).toEqual([{ name: 'appliedImage', jsonPath: '{.status.outputs.updateNodeImage.appliedImage}', publishedBy: ['seed', 'latest'] }]);
    expect(catalog.require('await-condition').outputs.map((o) => o.publishedBy)).toEqual([[]]);
    expect(catalog.require('discover-peers').preflight).toContain('target-has-peers');
    expect(catalog.require('gov-param-change').requireOneOf).toEqual([['changes'], ['subspace', 'key', 'value']]);
  });

  it('every parameter schema is a valid JSON Schema (2020-12)', () => {
    const ajv = new Ajv2020.default({ strict: false });
    for (const file of readdirSync(BUILTIN_SCHEMAS_DIR)) {
      const schema = JSON.parse(readFileSync(join(BUILTIN_SCHEMAS_DIR, file), 'utf8')) as object;
      expect(() => ajv.compile(schema), file).not.toThrow();
    }
  });

  it.each([
    ['restart-pd', ['restart-pod', 'restart-seid']],
    ['gov_vote', ['gov-vote']],
    ['GovVotes', ['gov-vote']],
  ])('require(%s) is exit 2 suggesting %j', (input, suggestions) => {
    let error: unknown;
    try {
      catalog.require(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SeiError);
    expect((error as SeiError).exitCode).toBe(2);
    for (const suggestion of suggestions) expect((error as SeiError).message).toContain(suggestion);
  });

  it.each([['restart-pod'], ['RestartPod']])('find(%s) accepts kebab and PascalCase', (input) => {
    expect(catalog.find(input)?.kind).toBe('RestartPod');
  });
});

describe('--templates-dir', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sei-kinds-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function writeKind(root: string, name: string, files: { template: string; meta: string; schema: object }, nested = false): void {
    const templates = nested ? join(root, 'templates', 'tasks') : root;
    const schemas = nested ? join(root, 'schemas', 'kinds') : root;
    mkdirSync(templates, { recursive: true });
    mkdirSync(schemas, { recursive: true });
    writeFileSync(join(templates, `${name}.yaml.hbs`), files.template);
    writeFileSync(join(templates, `${name}.meta.yaml`), files.meta);
    writeFileSync(join(schemas, `${name}.schema.json`), JSON.stringify(files.schema));
  }

  const userKind = {
    template: 'apiVersion: sei.io/v1alpha1\nkind: SeiNodeTask\n{{> metadata}}\nspec:\n  kind: SnapshotNode\n{{> target}}\n  snapshotNode:\n    bucket: {{v params.bucket}}\n',
    meta: 'kind: SnapshotNode\napis: [latest]\ndescription: Upload a snapshot\noutputs:\n  - name: url\n    jsonPath: "{.status.outputs.snapshotNode.url}"\n',
    schema: { type: 'object', properties: { bucket: { type: 'string', minLength: 1, description: 'Target bucket' } }, required: ['bucket'] },
  };

  it('adds a user kind (flat layout) that renders with the shared partials', () => {
    const flat = join(dir, 'flat');
    writeKind(flat, 'snapshot-node', userKind);
    const catalog = loadCatalog({ templatesDir: flat });
    expect(catalog.kinds()).toHaveLength(11);
    const spec = catalog.require('snapshot-node');
    expect(spec).toMatchObject({ kind: 'SnapshotNode', payloadField: 'snapshotNode', apis: ['latest'], nameSuffix: 'params' });
    const object = renderTask(catalog, { kind: 'snapshot-node', node: 'node-0', namespace: 'ops', params: { bucket: 'yes' } });
    expect((object['spec'] as Record<string, Record<string, unknown>>)['snapshotNode']).toEqual({ bucket: 'yes' });
  });

  it('overrides a built-in kind by name (project layout)', () => {
    const nested = join(dir, 'nested');
    writeKind(nested, 'restart-pod', {
      template: readFileSync('templates/tasks/restart-pod.yaml.hbs', 'utf8'),
      meta: 'kind: RestartPod\napis: [seed]\ndescription: Our restart, with a shorter timeout\ndefaultTimeoutSeconds: 300\nlate: [podUID]\n',
      schema: JSON.parse(readFileSync('schemas/kinds/restart-pod.schema.json', 'utf8')) as object,
    }, true);
    const catalog = loadCatalog({ templatesDir: nested });
    expect(catalog.kinds()).toHaveLength(10);
    expect(catalog.require('RestartPod')).toMatchObject({ defaultTimeoutSeconds: 300, description: 'Our restart, with a shorter timeout' });
    expect(catalog.require('restart-pod').templatePath).toContain(nested);
  });

  it.each([
    ['a missing schema', (root: string) => { writeKind(root, 'x-kind', userKind); rmSync(join(root, 'x-kind.schema.json')); }, /missing .*x-kind\.schema\.json/],
    ['a non-kebab file name', (root: string) => writeKind(root, 'Bad_Name', userKind), /kebab-case/],
    ['a meta without kind', (root: string) => writeKind(root, 'x-kind', { ...userKind, meta: 'description: no kind\n' }), /kind must be the PascalCase/],
    ['an unknown api flavor', (root: string) => writeKind(root, 'x-kind', { ...userKind, meta: 'kind: X\napis: [v2]\n' }), /unknown flavor "v2"/],
    ['an empty directory', () => undefined, /no <name>\.yaml\.hbs templates/],
  ])('refuses %s with exit 2', (_scenario, setup, message) => {
    const root = mkdtempSync(join(dir, 'bad-'));
    setup(root);
    let error: unknown;
    try {
      loadCatalog({ templatesDir: root });
    } catch (caught) {
      error = caught;
    }
    expect((error as SeiError).exitCode).toBe(2);
    expect((error as SeiError).message).toMatch(message);
  });
});
