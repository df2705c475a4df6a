/**
 * The sim's Kubernetes API through @kubernetes/client-node over https: every verb, object
 * semantics (uid, resourceVersion, generation, status subresource), selectors and paging,
 * optimistic concurrency, patches, server-side apply with conflicts and force, dry run.
 * The controller is off here so every change is the test's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { manualClock, startSim, type ManualClock, type RunningSim } from '../../src/sim/index.js';
import { expectStatus, kubeConfig, raw } from '../support/sim-http.js';

let sim: RunningSim;
// No controller runs here, so the sim's time moves only when a test says so (no sleeps).
const clock: ManualClock = manualClock(Date.now());
let core: k8s.CoreV1Api;
let custom: k8s.CustomObjectsApi;
let objects: k8s.KubernetesObjectApi;
const ns = 'sei';
const G = { group: 'sei.io', version: 'v1alpha1' };

function node(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name, namespace: ns, labels: { tier: 'rpc' } },
    spec: { chainId: 'sei-sim', image: 'seid:v1', fullNode: {}, ...extra },
  };
}

beforeAll(async () => {
  sim = await startSim({ controller: false, fleet: 0, clock });
  const kc = kubeConfig(sim);
  core = kc.makeApiClient(k8s.CoreV1Api);
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  objects = k8s.KubernetesObjectApi.makeApiClient(kc);
});

afterAll(async () => {
  await sim?.stop();
});

describe('discovery and auth', () => {
  it.each([
    ['no token', null],
    ['a wrong token', 'not-the-token'],
  ])('answers 401 with a Status for %s', async (_name, token) => {
    const res = await raw(sim, 'GET', '/api/v1/namespaces', { token });
    expect(res.code).toBe(401);
    expect(res.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
  });

  it('serves the sei.io group with the status subresources and short names', async () => {
    const groups = await raw(sim, 'GET', '/apis');
    expect(groups.json.groups.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['sei.io', 'apiextensions.k8s.io']));
    const list = await raw(sim, 'GET', '/apis/sei.io/v1alpha1');
    const names = list.json.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining(['seinodetasks', 'seinodetasks/status', 'seinodes', 'seinodes/status']));
    expect(list.json.resources.find((r: { name: string }) => r.name === 'seinodetasks').shortNames).toEqual(['snt']);
    const version = await raw(sim, 'GET', '/version');
    expect(version.json).toMatchObject({ major: '1', minor: '32' });
  });

  it('serves the CRD it enforces from the project schemas', async () => {
    const crd = await raw(sim, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/seinodetasks.sei.io');
    expect(crd.code).toBe(200);
    expect(crd.json.spec.names.plural).toBe('seinodetasks');
    const write = await raw(sim, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/seinodetasks.sei.io');
    expect(write.code).toBe(405);
  });
});

describe('object semantics', () => {
  it('creates with uid, resourceVersion, generation 1 and creationTimestamp; the counter is global', async () => {
    const a = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm-a' }, data: { k: 'v' } } });
    const b = (await custom.createNamespacedCustomObject({ ...G, namespace: ns, plural: 'seinodes', body: node('n-sem') })) as k8s.KubernetesObject;
    expect(a.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata?.creationTimestamp).toBeDefined();
    expect(Number(b.metadata?.resourceVersion)).toBeGreaterThan(Number(a.metadata?.resourceVersion));
    expect(b.metadata?.generation).toBe(1);
  });

  it('bumps generation on spec changes only, and keeps status and spec on their own endpoints', async () => {
    const base = { ...G, namespace: ns, plural: 'seinodes', name: 'n-sem' };
    const live = (await custom.getNamespacedCustomObject(base)) as { metadata: k8s.V1ObjectMeta; spec: Record<string, unknown> };
    // a metadata-only change
    const labelled = (await custom.patchNamespacedCustomObject({ ...base, body: { metadata: { labels: { extra: 'x' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))) as typeof live;
    expect(labelled.metadata.generation).toBe(1);
    // a spec change, with a status change that the main resource must ignore
    const changed = (await custom.patchNamespacedCustomObject({ ...base, body: { spec: { image: 'seid:v2' }, status: { phase: 'Running' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))) as typeof live & { status?: unknown };
    expect(changed.metadata.generation).toBe(2);
    expect(changed.status).toBeUndefined();
    // a status write that also tries to change spec
    const status = (await custom.patchNamespacedCustomObjectStatus({ ...base, body: { spec: { image: 'seid:v3' }, status: { phase: 'Running' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))) as typeof changed;
    expect(status.status).toEqual({ phase: 'Running' });
    expect(status.spec.image).toBe('seid:v2');
    expect(status.metadata.generation).toBe(2);
    expect(Number(status.metadata.resourceVersion)).toBeGreaterThan(Number(changed.metadata.resourceVersion));
  });

  it('refuses an update with a stale resourceVersion with 409 Conflict', async () => {
    const cm = await core.readNamespacedConfigMap({ namespace: ns, name: 'cm-a' });
    await core.replaceNamespacedConfigMap({ namespace: ns, name: 'cm-a', body: { ...cm, data: { k: 'v2' } } });
    const status = await expectStatus(core.replaceNamespacedConfigMap({ namespace: ns, name: 'cm-a', body: { ...cm, data: { k: 'v3' } } }));
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(status.message).toBe('Operation cannot be fulfilled on configmaps "cm-a": the object has been modified; please apply your changes to the latest version and try again');
  });

  // upstream kubernetes pkg/apis/core/validation/validation.go ValidateConfigMap: data +
  // binaryData at most core.MaxSecretSize (1 MiB), field.TooLong on the whole object.
  it('refuses a ConfigMap whose data exceeds 1 MiB with 422, and accepts one at the limit', async () => {
    const limit = 1024 * 1024;
    const status = await expectStatus(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm-big' }, data: { k: 'x'.repeat(limit) } } }));
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(status.message).toContain('Too long: must have at most 1048576 bytes');
    const fits = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm-fits' }, data: { k: 'x'.repeat(limit - 1) } } });
    expect(fits.metadata?.name).toBe('cm-fits');
  });

  it('requires a resourceVersion to update a custom resource', async () => {
    const status = await expectStatus(custom.replaceNamespacedCustomObject({ ...G, namespace: ns, plural: 'seinodes', name: 'n-sem', body: node('n-sem') }));
    expect(status.code).toBe(422);
    expect(status.details?.causes?.[0]).toMatchObject({ field: 'metadata.resourceVersion' });
  });

  it('deletes a core object with a Success Status and a custom resource with the object; a second delete is 404', async () => {
    const deleted = await core.deleteNamespacedConfigMap({ namespace: ns, name: 'cm-a' });
    expect(deleted).toMatchObject({ status: 'Success', details: { name: 'cm-a', kind: 'configmaps' } });
    const cr = (await custom.deleteNamespacedCustomObject({ ...G, namespace: ns, plural: 'seinodes', name: 'n-sem' })) as k8s.KubernetesObject;
    expect(cr.metadata?.name).toBe('n-sem');
    const status = await expectStatus(core.deleteNamespacedConfigMap({ namespace: ns, name: 'cm-a' }));
    expect(status).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "cm-a" not found' });
  });

  it('records a PUT as an Update by its field manager', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm-mf' }, data: { a: '1' } }, fieldManager: 'creator' });
    const live = await core.readNamespacedConfigMap({ namespace: ns, name: 'cm-mf' });
    const put = await core.replaceNamespacedConfigMap({ namespace: ns, name: 'cm-mf', fieldManager: 'editor', body: { ...live, data: { a: '1', b: '2' } } });
    const byManager = Object.fromEntries((put.metadata?.managedFields ?? []).map((m) => [m.manager, m]));
    expect(byManager.creator).toMatchObject({ operation: 'Update', fieldsV1: { 'f:data': { 'f:a': {} } } });
    expect(byManager.editor).toMatchObject({ operation: 'Update', fieldsV1: { 'f:data': { 'f:b': {} } } });
  });

  it('refuses a stale status update with 409 Conflict', async () => {
    const base = { ...G, namespace: ns, plural: 'seinodes', name: 'n-status' };
    const live = (await custom.createNamespacedCustomObject({ ...G, namespace: ns, plural: 'seinodes', body: node('n-status') })) as { metadata: k8s.V1ObjectMeta };
    await custom.patchNamespacedCustomObjectStatus({ ...base, body: { status: { phase: 'Pending' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const status = await expectStatus(custom.replaceNamespacedCustomObjectStatus({ ...base, body: { ...live, status: { phase: 'Failed' } } }));
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  it('deletes what a namespace holds with the namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'inside' } } });
    const ns0 = await core.readNamespace({ name: 'doomed' });
    expect(ns0.status?.phase).toBe('Active');
    await core.deleteNamespace({ name: 'doomed' });
    await expect(core.readNamespacedConfigMap({ namespace: 'doomed', name: 'inside' })).rejects.toMatchObject({ code: 404 });
    await expect(core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } })).rejects.toMatchObject({ code: 404 });
  });

  it('does not store anything on dryRun=All', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: ns, dryRun: 'All', body: { metadata: { name: 'cm-dry' } } });
    expect(created.metadata?.name).toBe('cm-dry');
    await expect(core.readNamespacedConfigMap({ namespace: ns, name: 'cm-dry' })).rejects.toMatchObject({ code: 404 });
  });
});

describe('list', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `list-${i}`, labels: { app: i % 2 === 0 ? 'even' : 'odd', idx: String(i) } } } });
    }
  });

  it.each([
    ['equality', 'app=even', ['list-0', 'list-2', 'list-4']],
    ['inequality', 'app!=even,idx', ['list-1', 'list-3']],
    ['set-based in', 'idx in (1,4)', ['list-1', 'list-4']],
    ['set-based notin', 'app,idx notin (0,1,2)', ['list-3', 'list-4']],
    ['exists', 'idx', ['list-0', 'list-1', 'list-2', 'list-3', 'list-4']],
    ['does not exist', '!idx,app', []],
  ])('filters by a %s label selector', async (_name, selector, expected) => {
    const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: selector });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(expected);
  });

  it.each([
    ['metadata.name', 'metadata.name=list-2', ['list-2']],
    ['metadata.name negated', 'metadata.name!=list-2,metadata.namespace=sei', ['list-0', 'list-1', 'list-3', 'list-4']],
  ])('filters by a field selector on %s', async (_name, selector, expected) => {
    const list = await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: selector, labelSelector: 'idx' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(expected);
  });

  it('refuses field selectors a custom resource does not support', async () => {
    const status = await expectStatus(custom.listNamespacedCustomObject({ ...G, namespace: ns, plural: 'seinodes', fieldSelector: 'spec.image=x' }));
    expect(status).toMatchObject({ code: 400, message: '"spec.image" is not a known field selector: only "metadata.name", "metadata.namespace"' });
  });

  it('pages with limit and continue, in name order, without losing or repeating items', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'idx', limit: 2, _continue: token });
      seen.push(...page.items.map((i) => i.metadata!.name!));
      token = page.metadata?._continue || undefined;
      pages++;
    } while (token);
    expect(seen).toEqual(['list-0', 'list-1', 'list-2', 'list-3', 'list-4']);
    expect(pages).toBe(3);
  });
});

describe('patch', () => {
  beforeAll(async () => {
    await custom.createNamespacedCustomObject({ ...G, namespace: ns, plural: 'seinodes', body: node('n-patch') });
  });
  const base = () => ({ ...G, namespace: ns, plural: 'seinodes', name: 'n-patch' });

  it('applies a JSON patch, and answers 422 when its test op fails', async () => {
    const patched = (await custom.patchNamespacedCustomObject({ ...base(), body: [{ op: 'replace', path: '/spec/image', value: 'seid:jp' }] }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch))) as { spec: { image: string } };
    expect(patched.spec.image).toBe('seid:jp');
    const status = await expectStatus(custom.patchNamespacedCustomObject({ ...base(), body: [{ op: 'test', path: '/spec/image', value: 'nope' }] }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)));
    expect(status.code).toBe(422);
  });

  it('removes a field with a null in a merge patch', async () => {
    const patched = (await custom.patchNamespacedCustomObject({ ...base(), body: { metadata: { labels: { tier: null } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))) as { metadata: k8s.V1ObjectMeta };
    expect(patched.metadata.labels ?? {}).not.toHaveProperty('tier');
  });

  it('refuses a strategic merge patch on a custom resource with 415, as the apiserver does', async () => {
    const status = await expectStatus(custom.patchNamespacedCustomObject({ ...base(), body: { spec: { image: 'x' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)));
    expect(status.code).toBe(415);
    expect(status.reason).toBe('UnsupportedMediaType');
  });

  it('treats a strategic merge patch on a core kind as a merge', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm-smp' }, data: { a: '1' } } });
    const cm = await core.patchNamespacedConfigMap({ namespace: ns, name: 'cm-smp', body: { data: { b: '2' }, $retainKeys: ['data'] } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    expect(cm.data).toEqual({ a: '1', b: '2' });
    expect(cm).not.toHaveProperty('$retainKeys');
  });
});

describe('server-side apply', () => {
  const task = (name: string, image: string): k8s.KubernetesObject & { spec: object } => ({ ...node(name), spec: { chainId: 'sei-sim', image, fullNode: {} } });

  it('creates on first apply (201) and records the manager as Apply with its fields', async () => {
    const res = await raw(sim, 'PATCH', `/apis/sei.io/v1alpha1/namespaces/${ns}/seinodes/n-ssa?fieldManager=alice`, {
      body: JSON.stringify(task('n-ssa', 'seid:a')),
      contentType: 'application/apply-patch+yaml',
    });
    expect(res.code).toBe(201);
    const entry = res.json.metadata.managedFields.find((m: { manager: string }) => m.manager === 'alice');
    expect(entry).toMatchObject({ operation: 'Apply', apiVersion: 'sei.io/v1alpha1', fieldsType: 'FieldsV1' });
    expect(entry.fieldsV1['f:spec']).toHaveProperty('f:image');
    expect(entry.fieldsV1['f:metadata']['f:labels']).toHaveProperty('f:tier');
  });

  it('refuses a conflicting apply by another manager with 409 and FieldManagerConflict causes', async () => {
    const status = await expectStatus(objects.patch(task('n-ssa', 'seid:b'), undefined, undefined, 'bob', false, k8s.PatchStrategy.ServerSideApply));
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "alice" using sei.io/v1alpha1: .spec.image');
    expect(status.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "alice" using sei.io/v1alpha1', field: '.spec.image' }]);
  });

  it('shares ownership when the other manager applies the same value', async () => {
    const same = await objects.patch(task('n-ssa', 'seid:a'), undefined, undefined, 'carol', false, k8s.PatchStrategy.ServerSideApply);
    const managers = same.metadata?.managedFields?.map((m) => m.manager);
    expect(managers).toEqual(expect.arrayContaining(['alice', 'carol']));
  });

  it('lists every conflicting field of one manager in the apiserver format', async () => {
    await objects.patch({ ...task('n-multi', 'seid:a'), metadata: { name: 'n-multi', namespace: ns, labels: { tier: 'rpc' } } }, undefined, undefined, 'erin', false, k8s.PatchStrategy.ServerSideApply);
    const status = await expectStatus(
      objects.patch({ ...task('n-multi', 'seid:z'), metadata: { name: 'n-multi', namespace: ns, labels: { tier: 'archive' } } }, undefined, undefined, 'frank', false, k8s.PatchStrategy.ServerSideApply),
    );
    expect(status.code).toBe(409);
    expect(status.message).toBe('Apply failed with 2 conflicts: conflicts with "erin" using sei.io/v1alpha1:\n- .metadata.labels.tier\n- .spec.image');
    expect(status.details?.causes?.map((c) => c.field)).toEqual(['.metadata.labels.tier', '.spec.image']);
  });

  it('takes the field over with force', async () => {
    const forced = (await objects.patch(task('n-ssa', 'seid:b'), undefined, undefined, 'bob', true, k8s.PatchStrategy.ServerSideApply)) as { spec: { image: string }; metadata: k8s.V1ObjectMeta };
    expect(forced.spec.image).toBe('seid:b');
    const alice = forced.metadata.managedFields?.find((m) => m.manager === 'alice');
    expect((alice?.fieldsV1 as Record<string, Record<string, unknown>> | undefined)?.['f:spec']?.['f:image']).toBeUndefined();
  });

  it('removes a field its only owner stops applying', async () => {
    await objects.patch({ ...task('n-ssa2', 'seid:a'), metadata: { name: 'n-ssa2', namespace: ns, labels: { tier: 'rpc', gone: 'soon' } } }, undefined, undefined, 'dave', false, k8s.PatchStrategy.ServerSideApply);
    const after = await objects.patch(task('n-ssa2', 'seid:a'), undefined, undefined, 'dave', false, k8s.PatchStrategy.ServerSideApply);
    expect(after.metadata?.labels).toEqual({ tier: 'rpc' });
  });

  it('requires a fieldManager for apply (400)', async () => {
    const res = await raw(sim, 'PATCH', `/apis/sei.io/v1alpha1/namespaces/${ns}/seinodes/n-ssa`, { body: JSON.stringify(task('n-ssa', 'seid:a')), contentType: 'application/apply-patch+yaml' });
    expect(res.code).toBe(400);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
  });

  it('is a no-op (same resourceVersion, same managedFields) when nothing changes, even a second later', async () => {
    const a = await objects.patch(task('n-ssa', 'seid:b'), undefined, undefined, 'bob', false, k8s.PatchStrategy.ServerSideApply);
    // managedFields times have second precision: cross a second so a re-stamped time would show.
    clock.advance(1100);
    const b = await objects.patch(task('n-ssa', 'seid:b'), undefined, undefined, 'bob', false, k8s.PatchStrategy.ServerSideApply);
    expect(b.metadata?.resourceVersion).toBe(a.metadata?.resourceVersion);
    expect(b.metadata?.managedFields).toEqual(a.metadata?.managedFields);
  });
});
