// The CRD validator against the project's own CRDs: every kind valid in its API flavor, each
// error class worded as the apiserver words it, defaulting/pruning, and CEL transition rules.
import { describe, expect, it } from 'vitest';
import { compileCrdValidator, invalidStatusMessage, loadProjectCrd, projectValidator, strictDecodingMessage, type CrdDocument } from '../../src/validate/index.js';

type Obj = Record<string, unknown>;

function task(spec: Obj, name = 't1'): Obj {
  return { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name, namespace: 'sei' }, spec };
}
const target = { nodeRef: { name: 'node-0' } };

const gsu = { chainId: 'arctic-1', title: 'v6', description: 'upgrade', upgradeName: 'v6.0.0', upgradeHeight: 1000, initialDeposit: '10000000usei', fees: '2000usei', gas: 200000 };
const vote = { chainId: 'arctic-1', proposalId: 3, option: 'yes', fees: '2000usei', gas: 200000 };
const gpc = { chainId: 'arctic-1', title: 't', description: 'd', initialDeposit: '1usei', fees: '8000usei', gas: 1, changes: [{ subspace: 'staking', key: 'MaxValidators', value: '100' }] };

const common = {
  GovSoftwareUpgrade: { govSoftwareUpgrade: gsu },
  GovVote: { govVote: vote },
  AwaitCondition: { awaitCondition: { height: { targetHeight: 10 }, action: 'SIGTERM_SEID' } },
  UpdateNodeImage: { updateNodeImage: { image: 'ghcr.io/sei-protocol/seid:v6.0.0' } },
  AwaitNodesAtHeight: { awaitNodesAtHeight: { targetHeight: 5 } },
};
const seedOnly = { DiscoverPeers: { discoverPeers: {} }, RestartPod: { restartPod: { podUID: '7f0c6a44-1b1e-4c55-9d1c-3a1d1f0b9e11' } } };
const latestOnly = { GovParamChange: { govParamChange: gpc }, RestartSeid: { restartSeid: {} }, MarkReady: { markReady: {} } };

const validCases: Array<[string, 'seed' | 'latest', string, Obj]> = [
  ...Object.entries({ ...common, ...seedOnly }).map(([kind, payload]) => [`seed ${kind}`, 'seed', kind, payload] as [string, 'seed', string, Obj]),
  ...Object.entries({ ...common, ...latestOnly }).map(([kind, payload]) => [`latest ${kind}`, 'latest', kind, payload] as [string, 'latest', string, Obj]),
];

describe('valid SeiNodeTasks of every kind', () => {
  it.each(validCases)('%s is accepted', (_name, flavor, kind, payload) => {
    const result = projectValidator('seinodetasks', flavor).validate(task({ kind, target, ...payload }));
    expect(result.causes).toEqual([]);
  });

  it.each([
    ['seed DiscoverPeers', 'latest', 'DiscoverPeers', seedOnly.DiscoverPeers],
    ['seed RestartPod', 'latest', 'RestartPod', seedOnly.RestartPod],
    ['latest MarkReady', 'seed', 'MarkReady', latestOnly.MarkReady],
    ['latest RestartSeid', 'seed', 'RestartSeid', latestOnly.RestartSeid],
  ] as Array<[string, 'seed' | 'latest', string, Obj]>)('%s is refused by the %s API', (_name, flavor, kind, payload) => {
    const result = projectValidator('seinodetasks', flavor).validate(task({ kind, target, ...payload }));
    const kindCause = result.causes.find((c) => c.field === 'spec.kind');
    expect(kindCause).toMatchObject({ type: 'FieldValueNotSupported' });
    expect(kindCause!.message).toMatch(new RegExp(`^Unsupported value: "${kind}": supported values: "GovSoftwareUpgrade"`));
    // the payload field is undeclared in the other API, so strict decoding names it too
    expect(result.unknownFields).toEqual([`spec.${Object.keys(payload)[0]}`]);
  });
});

describe('defaulting and pruning', () => {
  it('applies target defaults and never mutates the input', () => {
    const input = task({ kind: 'RestartPod', target: { nodeRef: { name: 'node-0' } }, restartPod: { podUID: 'u' } });
    const before = JSON.stringify(input);
    const { object, causes } = projectValidator('seinodetasks').validate(input);
    expect(causes).toEqual([]);
    expect((object['spec'] as Obj)['target']).toEqual({ nodeRef: { name: 'node-0' }, requirePhase: 'Running', requirePhaseTimeout: '5m' });
    expect(JSON.stringify(input)).toBe(before);
  });

  it('keeps explicit values over defaults', () => {
    const { object } = projectValidator('seinodetasks').validate(
      task({ kind: 'DiscoverPeers', target: { nodeRef: { name: 'n' }, requirePhase: 'Initializing', requirePhaseTimeout: '1m' }, discoverPeers: {} }),
    );
    expect((object['spec'] as Obj)['target']).toMatchObject({ requirePhase: 'Initializing', requirePhaseTimeout: '1m' });
  });

  it('defaults a non-nullable null and drops nulls without a default', () => {
    const { object, causes } = projectValidator('seinodetasks').validate(
      task({ kind: 'DiscoverPeers', target: { nodeRef: { name: 'n' }, requirePhase: null }, discoverPeers: {}, timeoutSeconds: null }),
    );
    expect(causes).toEqual([]);
    expect((object['spec'] as Obj)['target']).toMatchObject({ requirePhase: 'Running' });
    expect(object['spec']).not.toHaveProperty('timeoutSeconds');
  });

  it.each([
    ['Strict', 1, 0],
    ['Warn', 0, 1],
    ['Ignore', 0, 0],
  ] as const)('unknown fields under fieldValidation=%s: %i causes, %i warnings, always pruned', (mode, nCauses, nWarnings) => {
    const spec = { kind: 'DiscoverPeers', target, discoverPeers: {}, extra: true };
    const result = projectValidator('seinodetasks').validate(task(spec), { fieldValidation: mode });
    expect(result.causes).toHaveLength(nCauses);
    expect(result.warnings).toHaveLength(nWarnings);
    expect(result.unknownFields).toEqual(['spec.extra']);
    expect(result.object['spec']).not.toHaveProperty('extra');
    if (nCauses) expect(result.causes[0]).toEqual({ field: 'spec.extra', type: 'FieldValueUnknown', message: 'unknown field "spec.extra"' });
    if (nWarnings) expect(result.warnings[0]).toBe('unknown field "spec.extra"');
  });

  it('never prunes or rejects metadata fields', () => {
    const input = { ...task({ kind: 'DiscoverPeers', target, discoverPeers: {} }), metadata: { name: 'a', namespace: 'sei', labels: { x: 'y' }, annotations: { a: 'b' }, finalizers: ['f'], whatever: 1 } };
    const { object, causes } = projectValidator('seinodetasks').validate(input);
    expect(causes).toEqual([]);
    expect(object['metadata']).toEqual(input.metadata);
  });

  it('preserves unknown fields under x-kubernetes-preserve-unknown-fields (GovParamChange value)', () => {
    const value = { nested: { deep: [1, 'two', { three: 3 }] } };
    const { object, causes } = projectValidator('seinodetasks', 'latest').validate(
      task({ kind: 'GovParamChange', target, govParamChange: { ...gpc, changes: [{ subspace: 's', key: 'k', value }] } }),
    );
    expect(causes).toEqual([]);
    expect(((object['spec'] as Obj)['govParamChange'] as { changes: Array<{ value: unknown }> }).changes[0]!.value).toEqual(value);
  });
});

// [scenario, spec, expected causes (field + exact message)]
const errorCases: Array<[string, Obj, Array<{ field: string; type: string; message: string }>]> = [
  [
    'wrong type',
    { kind: 'DiscoverPeers', target, discoverPeers: {}, timeoutSeconds: 'ten' },
    [
      { field: 'spec.timeoutSeconds', type: 'FieldValueTypeInvalid', message: 'Invalid value: "string": spec.timeoutSeconds in body must be of type integer: "string"' },
      { field: '<nil>', type: 'FieldValueInvalid', message: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' },
    ],
  ],
  [
    'float for an integer',
    { kind: 'AwaitNodesAtHeight', target, awaitNodesAtHeight: { targetHeight: 1.5 } },
    [
      { field: 'spec.awaitNodesAtHeight.targetHeight', type: 'FieldValueTypeInvalid', message: 'Invalid value: "number": spec.awaitNodesAtHeight.targetHeight in body must be of type integer: "number"' },
      { field: '<nil>', type: 'FieldValueInvalid', message: expect.stringContaining('some validation rules were not checked') as unknown as string },
    ],
  ],
  [
    'an integer beyond int64 is a float to the apiserver',
    { kind: 'AwaitNodesAtHeight', target, awaitNodesAtHeight: { targetHeight: 1e19 } },
    [
      { field: 'spec.awaitNodesAtHeight.targetHeight', type: 'FieldValueTypeInvalid', message: 'Invalid value: "number": spec.awaitNodesAtHeight.targetHeight in body must be of type integer: "number"' },
      { field: '<nil>', type: 'FieldValueInvalid', message: expect.stringContaining('some validation rules were not checked') as unknown as string },
    ],
  ],
  [
    'enum',
    { kind: 'GovVote', target, govVote: { ...vote, option: 'maybe' } },
    [
      { field: 'spec.govVote.option', type: 'FieldValueNotSupported', message: 'Unsupported value: "maybe": supported values: "yes", "no", "abstain", "no_with_veto", "no-with-veto"' },
      { field: '<nil>', type: 'FieldValueInvalid', message: expect.stringContaining('some validation rules were not checked') as unknown as string },
    ],
  ],
  [
    'pattern',
    { kind: 'DiscoverPeers', target: { nodeRef: { name: 'Node_0' } }, discoverPeers: {} },
    [{ field: 'spec.target.nodeRef.name', type: 'FieldValueInvalid', message: `Invalid value: "Node_0": spec.target.nodeRef.name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'` }],
  ],
  [
    'required nested field',
    { kind: 'DiscoverPeers', target: { nodeRef: {} }, discoverPeers: {} },
    [
      { field: 'spec.target.nodeRef.name', type: 'FieldValueRequired', message: 'Required value' },
      { field: '<nil>', type: 'FieldValueInvalid', message: expect.stringContaining('some validation rules were not checked') as unknown as string },
    ],
  ],
  [
    'minimum',
    { kind: 'DiscoverPeers', target, discoverPeers: {}, timeoutSeconds: -1 },
    [{ field: 'spec.timeoutSeconds', type: 'FieldValueInvalid', message: 'Invalid value: -1: spec.timeoutSeconds in body should be greater than or equal to 0' }],
  ],
  [
    'minLength',
    { kind: 'GovVote', target, govVote: { ...vote, chainId: '' } },
    [{ field: 'spec.govVote.chainId', type: 'FieldValueInvalid', message: 'Invalid value: "": spec.govVote.chainId in body should be at least 1 chars long' }],
  ],
  [
    'maxLength',
    { kind: 'UpdateNodeImage', target, updateNodeImage: { image: 'x'.repeat(513) } },
    [
      { field: 'spec.updateNodeImage.image', type: 'FieldValueTooLong', message: 'Too long: may not be longer than 512' },
      { field: '<nil>', type: 'FieldValueInvalid', message: expect.stringContaining('some validation rules were not checked') as unknown as string },
    ],
  ],
  [
    'CEL union: no payload',
    { kind: 'DiscoverPeers', target },
    [
      { field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": exactly one of govSoftwareUpgrade, govVote, awaitCondition, updateNodeImage, awaitNodesAtHeight, discoverPeers, or restartPod must be set' },
      { field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": spec.discoverPeers is required when kind=DiscoverPeers' },
    ],
  ],
  [
    'CEL union: two payloads',
    { kind: 'RestartPod', target, restartPod: { podUID: 'u' }, discoverPeers: {} },
    [{ field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": exactly one of govSoftwareUpgrade, govVote, awaitCondition, updateNodeImage, awaitNodesAtHeight, discoverPeers, or restartPod must be set' }],
  ],
  [
    'CEL kind-required payload (wrong payload for kind)',
    { kind: 'RestartPod', target, discoverPeers: {} },
    [
      { field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": spec.restartPod is required when kind=RestartPod' },
      { field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": spec.restartPod.podUID is required when kind=RestartPod' },
    ],
  ],
  [
    'podUID empty: minLength and the CEL rule both report',
    { kind: 'RestartPod', target, restartPod: { podUID: '' } },
    [
      { field: 'spec.restartPod.podUID', type: 'FieldValueInvalid', message: 'Invalid value: "": spec.restartPod.podUID in body should be at least 1 chars long' },
      { field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": spec.restartPod.podUID is required when kind=RestartPod' },
    ],
  ],
  [
    'podUID missing: required blocks CEL',
    { kind: 'RestartPod', target, restartPod: {} },
    [
      { field: 'spec.restartPod.podUID', type: 'FieldValueRequired', message: 'Required value' },
      { field: '<nil>', type: 'FieldValueInvalid', message: expect.stringContaining('some validation rules were not checked') as unknown as string },
    ],
  ],
  [
    'nested CEL rule (awaitCondition without a condition)',
    { kind: 'AwaitCondition', target, awaitCondition: {} },
    [{ field: 'spec.awaitCondition', type: 'FieldValueInvalid', message: 'Invalid value: "object": exactly one condition must be set (currently: height)' }],
  ],
];

describe('error classes, worded as the apiserver words them', () => {
  it.each(errorCases)('%s', (_name, spec, expected) => {
    const result = projectValidator('seinodetasks').validate(task(spec));
    expect(result.causes).toEqual(expected);
  });

  it('minItems on a list (latest GovParamChange with no changes)', () => {
    const result = projectValidator('seinodetasks', 'latest').validate(task({ kind: 'GovParamChange', target, govParamChange: { ...gpc, changes: [] } }));
    expect(result.causes).toEqual([
      { field: 'spec.govParamChange.changes', type: 'FieldValueInvalid', message: 'Invalid value: 0: spec.govParamChange.changes in body should have at least 1 items' },
    ]);
  });

  it('array item paths use [i]', () => {
    const result = projectValidator('seinodetasks', 'latest').validate(
      task({ kind: 'GovParamChange', target, govParamChange: { ...gpc, changes: [gpc.changes[0], { subspace: '', key: 'k', value: 1 }] } }),
    );
    expect(result.causes.map((c) => c.field)).toEqual(['spec.govParamChange.changes[1].subspace']);
  });

  it('metadata.name must be a DNS-1123 subdomain; missing name is required', () => {
    const v = projectValidator('seinodetasks');
    const bad = v.validate({ ...task({ kind: 'DiscoverPeers', target, discoverPeers: {} }), metadata: { name: 'Bad_Name' } });
    expect(bad.causes).toHaveLength(1);
    expect(bad.causes[0]).toMatchObject({ field: 'metadata.name', type: 'FieldValueInvalid' });
    expect(bad.causes[0]!.message).toMatch(/^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const missing = v.validate({ ...task({ kind: 'DiscoverPeers', target, discoverPeers: {} }), metadata: {} });
    expect(missing.causes[0]).toEqual({ field: 'metadata.name', type: 'FieldValueRequired', message: 'Required value: name or generateName is required' });
    expect(v.validate({ ...task({ kind: 'DiscoverPeers', target, discoverPeers: {} }), metadata: {} }, { checkMetadata: false }).causes).toEqual([]);
  });

  it('warns when an int32 field overflows (the apiserver stores it, the controller cannot decode it)', () => {
    const result = projectValidator('seinodetasks').validate(task({ kind: 'DiscoverPeers', target, discoverPeers: {}, timeoutSeconds: 3_000_000_000 }));
    expect(result.causes).toEqual([]);
    expect(result.warnings).toEqual(['spec.timeoutSeconds: 3000000000 does not fit format int32; the controller cannot decode it']);
  });

  it('a non-object body is one type error', () => {
    expect(projectValidator('seinodetasks').validate('hello').causes[0]).toMatchObject({ type: 'FieldValueTypeInvalid' });
  });
});

describe('transition rules (oldSelf)', () => {
  const v = projectValidator('seinodetasks');
  const old = task({ kind: 'RestartPod', target, restartPod: { podUID: 'u' } });

  it.each([
    ['create: rules with oldSelf are skipped', undefined, { kind: 'DiscoverPeers', target, discoverPeers: {} }, []],
    ['update keeping kind', old, { kind: 'RestartPod', target, restartPod: { podUID: 'v' } }, []],
    [
      'update changing kind',
      old,
      { kind: 'DiscoverPeers', target, discoverPeers: {} },
      [{ field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": spec.kind is immutable' }],
    ],
  ] as Array<[string, Obj | undefined, Obj, unknown[]]>)('%s', (_name, oldObject, spec, expected) => {
    expect(v.validate(task(spec), { oldObject }).causes).toEqual(expected);
  });
});

describe('SeiNode', () => {
  const node = (spec: Obj, status?: Obj): Obj => ({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-0', namespace: 'sei' }, spec, ...(status ? { status } : {}) });
  const base = { chainId: 'arctic-1', image: 'ghcr.io/sei-protocol/seid:v6', fullNode: {} };

  it.each([
    ['static peers', { ...base, peers: [{ static: { addresses: ['abc@1.2.3.4:26656'] } }] }, []],
    ['label peers', { ...base, peers: [{ label: { selector: { role: 'rpc' } } }] }, []],
    ['ec2 peers', { ...base, peers: [{ ec2Tags: { region: 'us-east-2', tags: { Chain: 'arctic-1' } } }] }, []],
    ['mode subtree keeps unknown fields', { ...base, fullNode: { snapshot: { s3: { bucket: 'b' } }, anything: 1 } }, []],
    ['two peer sources', { ...base, peers: [{ static: { addresses: ['a@b:1'] }, label: { selector: { a: 'b' } } }] }, [{ field: 'spec.peers[0]', type: 'FieldValueInvalid', message: 'Invalid value: "object": exactly one of ec2Tags, static, or label must be set' }]],
    ['no peer source', { ...base, peers: [{}] }, [{ field: 'spec.peers[0]', type: 'FieldValueInvalid', message: 'Invalid value: "object": exactly one of ec2Tags, static, or label must be set' }]],
    ['no mode', { chainId: 'arctic-1', image: 'i' }, [{ field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": exactly one of fullNode, archive, replayer, or validator must be set' }]],
    ['replayer without peers', { chainId: 'arctic-1', image: 'i', replayer: { snapshot: {} } }, [{ field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": peers is required when replayer mode is set' }]],
    ['empty static addresses', { ...base, peers: [{ static: { addresses: [] } }] }, [{ field: 'spec.peers[0].static.addresses', type: 'FieldValueInvalid', message: 'Invalid value: 0: spec.peers[0].static.addresses in body should have at least 1 items' }]],
    ['empty label selector', { ...base, peers: [{ label: { selector: {} } }] }, [{ field: 'spec.peers[0].label.selector', type: 'FieldValueInvalid', message: 'Invalid value: 0: spec.peers[0].label.selector in body should have at least 1 properties' }]],
    ['map value type', { ...base, overrides: { 'evm.http_port': 8545 } }, [
      { field: 'spec.overrides[evm.http_port]', type: 'FieldValueTypeInvalid', message: 'Invalid value: "integer": spec.overrides[evm.http_port] in body must be of type string: "integer"' },
      { field: '<nil>', type: 'FieldValueInvalid', message: expect.stringContaining('some validation rules were not checked') as unknown as string },
    ]],
  ] as Array<[string, Obj, unknown[]]>)('%s', (_name, spec, expected) => {
    expect(projectValidator('seinodes').validate(node(spec)).causes).toEqual(expected);
  });

  it('latest SeiNode accepts the seed mode the seed-era API does not know', () => {
    const spec = { chainId: 'arctic-1', image: 'i', seed: { nodeKey: { secret: { secretName: 'k' } } } };
    expect(projectValidator('seinodes', 'latest').validate(node(spec)).causes).toEqual([]);
    expect(projectValidator('seinodes', 'seed').validate(node(spec)).unknownFields).toEqual(['spec.seed']);
  });

  it('status: conditions are a map list keyed by type (duplicates refused), phase is an enum', () => {
    const cond = { type: 'Ready', status: 'True', reason: 'Up', message: '', lastTransitionTime: '2026-11-23T19:00:00Z' };
    const ok = projectValidator('seinodes').validate(node(base, { phase: 'Running', conditions: [cond], currentImage: 'i', resolvedPeers: ['a@b:1'] }));
    expect(ok.causes).toEqual([]);
    const dup = projectValidator('seinodes').validate(node(base, { phase: 'Sleeping', conditions: [cond, { ...cond, status: 'False' }] }));
    expect(dup.causes.map((c) => [c.field, c.type])).toEqual([
      ['status.phase', 'FieldValueNotSupported'],
      ['status.conditions[1]', 'FieldValueDuplicate'],
      ['<nil>', 'FieldValueInvalid'],
    ]);
  });

  it('date-time format is enforced with the apiserver wording', () => {
    const bad = projectValidator('seinodes').validate(node(base, { phaseTransitionTime: 'yesterday' }));
    expect(bad.causes[0]).toEqual({ field: 'status.phaseTransitionTime', type: 'FieldValueTypeInvalid', message: 'Invalid value: "yesterday": status.phaseTransitionTime in body must be of type date-time: "yesterday"' });
  });
});

describe('engine details', () => {
  const crd = (schema: Obj, extra: Obj = {}): CrdDocument =>
    ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Thing', plural: 'things' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { metadata: { type: 'object' }, spec: schema } } }, ...extra }] },
    }) as CrdDocument;
  const thing = (spec: unknown): Obj => ({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'a' }, spec });

  it.each([
    ['messageExpression builds the message', { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n < 3', messageExpression: "'n is ' + string(self.n)" }] }, { n: 5 }, [{ field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": n is 5' }]],
    ['no message: failed rule', { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n < 3' }] }, { n: 5 }, [{ field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": failed rule: self.n < 3' }]],
    ['reason and fieldPath', { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n < 3', message: 'too big', reason: 'FieldValueForbidden', fieldPath: '.n' }] }, { n: 5 }, [{ field: 'spec.n', type: 'FieldValueForbidden', message: 'Forbidden: too big' }]],
    ['reason FieldValueDuplicate prints the value only', { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n < 3', message: 'dup', reason: 'FieldValueDuplicate' }] }, { n: 5 }, [{ field: 'spec', type: 'FieldValueDuplicate', message: 'Duplicate value: "object"' }]],
    ['preserve-unknown values reach CEL with int64 numbers', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule: 'self.a.b + 1 == 3 && self.c == 1.5', message: 'm' }] }, { a: { b: 2 }, c: 1.5 }, []],
    ['integers are int64 in CEL', { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n + 1 == 6', message: 'm' }] }, { n: 5 }, []],
    ['runtime error names the rule', { type: 'object', properties: { s: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: 'size(self.s) > 0', message: 's needed' }] }, {}, [{ field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: "object": no such key: s evaluating rule: s needed' }]],
    ['int-or-string accepts both', { type: 'object', properties: { p: { 'x-kubernetes-int-or-string': true } } }, { p: 'http' }, []],
    ['nullable keeps null', { type: 'object', properties: { p: { type: 'string', nullable: true } } }, { p: null }, []],
    ['x-kubernetes-list-type set refuses duplicates', { type: 'object', properties: { l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' } } }, { l: ['a', 'a'] }, [{ field: 'spec.l[1]', type: 'FieldValueDuplicate', message: 'Duplicate value: "a"' }]],
    ['maxItems is TooMany', { type: 'object', properties: { l: { type: 'array', maxItems: 1, items: { type: 'string' } } } }, { l: ['a', 'b'] }, [{ field: 'spec.l', type: 'FieldValueTooMany', message: 'Too many: 2: must have at most 1 items' }]],
    ['maximum', { type: 'object', properties: { n: { type: 'integer', maximum: 3 } } }, { n: 4 }, [{ field: 'spec.n', type: 'FieldValueInvalid', message: 'Invalid value: 4: spec.n in body should be less than or equal to 3' }]],
    ['nested defaults inside a present object only', { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string', default: 'x' } } } } }, {}, []],
  ] as Array<[string, Obj, unknown, unknown[]]>)('%s', (_name, schema, spec, expected) => {
    expect(compileCrdValidator(crd(schema), 'v1').validate(thing(spec)).causes).toEqual(expected);
  });

  it('defaults nested fields of an object that is present', () => {
    const v = compileCrdValidator(crd({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string', default: 'x' } } } } }), 'v1');
    expect(v.validate(thing({})).object['spec']).toEqual({});
    expect(v.validate(thing({ a: {} })).object['spec']).toEqual({ a: { b: 'x' } });
  });

  it('transition rules in map lists correlate items by key', () => {
    const schema = {
      type: 'object',
      properties: {
        l: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['k'],
          items: { type: 'object', properties: { k: { type: 'string' }, v: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'v is immutable' }] } } },
        },
      },
    };
    const v = compileCrdValidator(crd(schema), 'v1');
    const old = thing({ l: [{ k: 'a', v: '1' }] });
    expect(v.validate(thing({ l: [{ k: 'b', v: '2' }, { k: 'a', v: '1' }] }), { oldObject: old }).causes).toEqual([]);
    expect(v.validate(thing({ l: [{ k: 'a', v: '2' }] }), { oldObject: old }).causes).toEqual([{ field: 'spec.l[0].v', type: 'FieldValueInvalid', message: 'Invalid value: "string": v is immutable' }]);
  });

  it('refuses to compile a CRD whose rule does not parse, and a missing version', () => {
    expect(() => compileCrdValidator(crd({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.(' }] }), 'v1')).toThrow(/cannot compile/);
    expect(() => compileCrdValidator(crd({ type: 'object' }), 'v9')).toThrow(/no schema for version v9/);
  });

  it('the project CRDs carry what kubectl and the sim need', () => {
    const crdDoc = loadProjectCrd('seinodetasks', 'seed');
    expect(crdDoc.metadata.name).toBe('seinodetasks.sei.io');
    expect(crdDoc.spec.names.shortNames).toEqual(['snt']);
    expect(crdDoc.spec.versions[0]!.subresources).toEqual({ status: {} });
    expect(crdDoc.spec.versions[0]!.additionalPrinterColumns!.map((c) => c.name)).toEqual(['Kind', 'Target', 'Phase', 'Age']);
    expect(loadProjectCrd('seinodes', 'latest').spec.names.shortNames).toEqual(['snode']);
    expect(loadProjectCrd('seinodetasks', 'seed')).toBe(crdDoc); // cached
  });
});

describe('ratcheting on update (CRDValidationRatcheting, default since 1.30)', () => {
  const latest = projectValidator('seinodetasks', 'latest');
  const seedTask = task({ kind: 'RestartPod', target, restartPod: { podUID: 'u' } });
  const status = { status: { phase: 'Running' } };

  it('a task stored under the seed API stays writable (status) when the later API is served', () => {
    const result = latest.validate({ ...seedTask, ...status }, { oldObject: seedTask });
    expect(result.causes.filter((c) => c.type !== 'FieldValueUnknown')).toEqual([]);
  });

  it('changed values are still checked', () => {
    const result = latest.validate(task({ kind: 'RestartPod', target: { nodeRef: { name: 'Other_Node' } }, restartPod: { podUID: 'u' } }), { oldObject: seedTask, fieldValidation: 'Ignore' });
    // spec.kind is unchanged (ratcheted) but spec changed, so its union rule runs again and the
    // pruned restartPod payload leaves none set.
    expect(result.causes.map((c) => c.field)).toEqual(['spec.target.nodeRef.name', 'spec']);
  });

  it('transition rules are never ratcheted, and ratcheting can be turned off', () => {
    const v = projectValidator('seinodetasks');
    const changed = v.validate(task({ kind: 'DiscoverPeers', target, discoverPeers: {} }), { oldObject: seedTask });
    expect(changed.causes.map((c) => c.message)).toEqual(['Invalid value: "object": spec.kind is immutable']);
    const strict = latest.validate({ ...seedTask, ...status }, { oldObject: seedTask, ratcheting: false, fieldValidation: 'Ignore' });
    expect(strict.causes.map((c) => c.field)).toEqual(['spec.kind', '<nil>']);
  });

  it('CEL rules on an unchanged value are not re-evaluated', () => {
    const node = (spec: Obj) => ({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'n' }, spec });
    const stored = node({ chainId: 'c', image: 'i', fullNode: {}, archive: {} }); // two modes: invalid today
    const v = projectValidator('seinodes');
    expect(v.validate({ ...stored, status: { phase: 'Running' } }, { oldObject: stored }).causes).toEqual([]);
    expect(v.validate(node({ chainId: 'c', image: 'j', fullNode: {}, archive: {} }), { oldObject: stored }).causes.map((c) => c.field)).toEqual(['spec']);
  });
});

describe('apiserver Status messages', () => {
  it('a 422 lists the causes as kubectl prints them', () => {
    const { causes } = projectValidator('seinodetasks').validate(task({ kind: 'RestartPod', target, restartPod: { podUID: '' } }, 'r1'));
    expect(invalidStatusMessage('SeiNodeTask', 'sei.io', 'r1', causes)).toBe(
      'SeiNodeTask.sei.io "r1" is invalid: [spec.restartPod.podUID: Invalid value: "": spec.restartPod.podUID in body should be at least 1 chars long, spec: Invalid value: "object": spec.restartPod.podUID is required when kind=RestartPod]',
    );
    expect(invalidStatusMessage('SeiNodeTask', 'sei.io', 'r1', causes.slice(1))).toBe('SeiNodeTask.sei.io "r1" is invalid: spec: Invalid value: "object": spec.restartPod.podUID is required when kind=RestartPod');
  });

  it('strict decoding (a 400) names every unknown field', () => {
    expect(strictDecodingMessage('SeiNodeTask', 'v1alpha1', ['spec.foo', 'spec.bar'])).toBe(
      'SeiNodeTask in version "v1alpha1" cannot be handled as a SeiNodeTask: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"',
    );
  });
});
