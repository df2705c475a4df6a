/**
 * Admission in the sim: writes to seinodetasks are validated against the project CRD (schema,
 * defaults, pruning, CEL with oldSelf) and refused with the apiserver's 422 Status; unknown
 * fields follow fieldValidation. Talks to the sim through client-node and raw https.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { expectStatus, kubeConfig, raw } from '../support/sim-http.js';

let sim: RunningSim;
let custom: k8s.CustomObjectsApi;
const ns = 'sei';
const G = { group: 'sei.io', version: 'v1alpha1', plural: 'seinodetasks' };

function task(name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name, namespace: ns }, spec: { target: { nodeRef: { name: 'node-0' } }, ...spec } };
}

beforeAll(async () => {
  sim = await startSim({ controller: false });
  custom = kubeConfig(sim).makeApiClient(k8s.CustomObjectsApi);
});
afterAll(async () => {
  await sim?.stop();
});

describe('admission of SeiNodeTasks', () => {
  it('applies the schema defaults (requirePhase Running, requirePhaseTimeout 5m)', async () => {
    const created = (await custom.createNamespacedCustomObject({ ...G, namespace: ns, body: task('ok', { kind: 'RestartPod', restartPod: { podUID: 'abc' } }) })) as { spec: { target: Record<string, unknown> } };
    expect(created.spec.target).toMatchObject({ requirePhase: 'Running', requirePhaseTimeout: '5m' });
  });

  it.each([
    ['a RestartPod without podUID', task('no-uid', { kind: 'RestartPod', restartPod: {} }), 'spec.restartPod.podUID'],
    ['two payloads', task('two', { kind: 'RestartPod', restartPod: { podUID: 'a' }, discoverPeers: {} }), 'spec'],
    ['a kind the schema does not know', task('bad-kind', { kind: 'Explode' }), 'spec.kind'],
    ['an invalid node name', task('bad-ref', { kind: 'DiscoverPeers', discoverPeers: {}, target: { nodeRef: { name: 'Not_A_Name' } } }), 'spec.target.nodeRef.name'],
  ])('refuses %s with 422 Invalid naming the field', async (_name, body, field) => {
    const status = await expectStatus(custom.createNamespacedCustomObject({ ...G, namespace: ns, body }));
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(status.message).toMatch(new RegExp(`^SeiNodeTask\\.sei\\.io "${body.metadata.name}" is invalid: `));
    expect(status.details?.causes?.map((c) => c.field)).toContain(field);
    await expect(custom.getNamespacedCustomObject({ ...G, namespace: ns, name: body.metadata.name })).rejects.toMatchObject({ code: 404 });
  });

  it('carries the CEL rule message for two payloads', async () => {
    const status = await expectStatus(custom.createNamespacedCustomObject({ ...G, namespace: ns, body: task('two-msg', { kind: 'RestartPod', restartPod: { podUID: 'a' }, discoverPeers: {} }) }));
    expect(status.message).toContain('exactly one of');
  });

  it('refuses to change spec.kind on update (oldSelf)', async () => {
    await custom.createNamespacedCustomObject({ ...G, namespace: ns, body: task('immutable', { kind: 'DiscoverPeers', discoverPeers: {} }) });
    const status = await expectStatus(
      custom.patchNamespacedCustomObject(
        { ...G, namespace: ns, name: 'immutable', body: { spec: { kind: 'RestartPod', discoverPeers: null, restartPod: { podUID: 'x' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
    );
    expect(status.code).toBe(422);
    expect(status.details?.causes?.some((c) => c.field?.startsWith('spec'))).toBe(true);
  });

  it.each([
    ['Strict', 400, undefined, false],
    ['Warn', 201, '299 - "unknown field \\"spec.bogus\\""', true],
    ['Ignore', 201, undefined, true],
  ])('handles an unknown field with fieldValidation=%s', async (mode, code, warning, stored) => {
    const name = `unknown-${mode.toLowerCase()}`;
    const res = await raw(sim, 'POST', `/apis/sei.io/v1alpha1/namespaces/${ns}/seinodetasks?fieldValidation=${mode}`, {
      body: JSON.stringify(task(name, { kind: 'DiscoverPeers', discoverPeers: {}, bogus: 1 })),
    });
    expect(res.code).toBe(code);
    if (warning) expect(String(res.headers.warning)).toContain(warning);
    else expect(res.headers.warning).toBeUndefined();
    if (stored) expect(res.json.spec).not.toHaveProperty('bogus');
    else expect(res.json.message).toContain('unknown field "spec.bogus"');
  });
});

describe('admission with --crd latest', () => {
  let latest: RunningSim;
  let api: k8s.CustomObjectsApi;
  beforeAll(async () => {
    latest = await startSim({ controller: false, crd: 'latest' });
    api = kubeConfig(latest).makeApiClient(k8s.CustomObjectsApi);
  });
  afterAll(async () => {
    await latest?.stop();
  });

  it.each([
    ['DiscoverPeers', { kind: 'DiscoverPeers', discoverPeers: {} }],
    ['RestartPod', { kind: 'RestartPod', restartPod: { podUID: 'a' } }],
  ])('refuses the seed-era kind %s', async (kind, spec) => {
    const status = await expectStatus(api.createNamespacedCustomObject({ ...G, namespace: ns, body: task(`old-${kind.toLowerCase()}`, spec) }));
    expect(status.code).toBe(422);
    expect(status.details?.causes?.map((c) => c.field)).toContain('spec.kind');
  });

  it('accepts a RestartSeid', async () => {
    const created = (await api.createNamespacedCustomObject({ ...G, namespace: ns, body: task('seid', { kind: 'RestartSeid', restartSeid: {} }) })) as { spec: { kind: string } };
    expect(created.spec.kind).toBe('RestartSeid');
  });
});
