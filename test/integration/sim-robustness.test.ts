/**
 * The sim under bad input and injected faults: every malformed request gets a metav1.Status with
 * the apiserver's code (never a crash), faults are deterministic for a seed and adjustable at
 * run time through /sim/faults, and a state dir carries objects and resourceVersions across a
 * restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { kubeConfig, raw } from '../support/sim-http.js';

let sim: RunningSim;
const ns = 'sei';

beforeAll(async () => {
  sim = await startSim({ controller: false });
});
afterAll(async () => {
  await sim?.stop();
});

const cm = (name: string, namespace = ns) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });

describe('bad requests', () => {
  it.each([
    ['malformed JSON', 'POST', `/api/v1/namespaces/${ns}/configmaps`, '{"metadata": {', 'application/json', 400, 'BadRequest'],
    ['malformed YAML apply', 'PATCH', `/api/v1/namespaces/${ns}/configmaps/x?fieldManager=t`, 'metadata: [unclosed', 'application/apply-patch+yaml', 400, 'BadRequest'],
    ['a JSON array as an object', 'POST', `/api/v1/namespaces/${ns}/configmaps`, '[1,2]', 'application/json', 400, 'BadRequest'],
    ['an empty body', 'POST', `/api/v1/namespaces/${ns}/configmaps`, '', 'application/json', 400, 'BadRequest'],
    ['an unknown resource', 'GET', '/apis/sei.io/v1alpha1/namespaces/sei/widgets', undefined, undefined, 404, 'NotFound'],
    ['an unknown group', 'GET', '/apis/nope.io/v1/things', undefined, undefined, 404, 'NotFound'],
    ['an unknown path', 'GET', '/metrics/x', undefined, undefined, 404, 'NotFound'],
    ['a namespace mismatch', 'POST', `/api/v1/namespaces/${ns}/configmaps`, cm('m', 'default'), 'application/json', 400, 'BadRequest'],
    ['a missing namespace', 'POST', '/api/v1/namespaces/ghost/configmaps', cm('m', 'ghost'), 'application/json', 404, 'NotFound'],
    ['a wrong apiVersion', 'POST', `/api/v1/namespaces/${ns}/configmaps`, JSON.stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'ConfigMap', metadata: { name: 'v' } }), 'application/json', 400, 'BadRequest'],
    ['a name that is not DNS-1123', 'POST', `/api/v1/namespaces/${ns}/configmaps`, cm('Bad_Name'), 'application/json', 422, 'Invalid'],
    ['a name mismatch on PUT', 'PUT', `/api/v1/namespaces/${ns}/configmaps/one`, cm('other'), 'application/json', 400, 'BadRequest'],
    ['an unsupported patch type', 'PATCH', `/api/v1/namespaces/${ns}/configmaps/x`, '{}', 'text/plain', 415, 'UnsupportedMediaType'],
    ['a bad label selector', 'GET', `/api/v1/namespaces/${ns}/configmaps?labelSelector=${encodeURIComponent('a in (b')}`, undefined, undefined, 400, 'BadRequest'],
    ['a bad continue token', 'GET', `/api/v1/namespaces/${ns}/configmaps?limit=1&continue=%%%`, undefined, undefined, 400, 'BadRequest'],
    ['an unsupported fieldValidation', 'POST', `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Loose`, cm('fv'), 'application/json', 400, 'BadRequest'],
    ['a PUT to a missing object', 'PUT', `/api/v1/namespaces/${ns}/configmaps/ghost`, cm('ghost'), 'application/json', 404, 'NotFound'],
    ['an unsupported method', 'POST', `/api/v1/namespaces/${ns}/configmaps/x`, '{}', 'application/json', 405, 'MethodNotAllowed'],
  ])('answers %s with a %i Status', async (_name, method, path, body, contentType, code, reason) => {
    const res = await raw(sim, method, path, { body, contentType });
    expect(res.code).toBe(code);
    expect(res.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  });

  it('refuses a body over 3 MiB with 413 and keeps serving', async () => {
    const huge = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } });
    const res = await raw(sim, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { body: huge });
    expect(res.code).toBe(413);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge' });
    expect((await raw(sim, 'GET', '/version')).code).toBe(200);
  });

  it('uses the apiserver wording for a namespace mismatch', async () => {
    const res = await raw(sim, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { body: cm('m', 'default') });
    expect(res.json.message).toBe('the namespace of the provided object does not match the namespace sent on the request');
  });

  it.each([
    ['a list', `/api/v1/namespaces/${ns}/configmaps`, 'PartialObjectMetadataList'],
    ['one object', '/api/v1/namespaces/sei', 'PartialObjectMetadata'],
  ])('answers metadata only for %s when asked for PartialObjectMetadata', async (_name, path, kind) => {
    const res = await raw(sim, 'GET', path, { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json' });
    expect(res.code).toBe(200);
    expect(res.json).toMatchObject({ kind, apiVersion: 'meta.k8s.io/v1' });
    if (kind === 'PartialObjectMetadata') expect(res.json).not.toHaveProperty('status');
  });

  it('answers 406 to an Accept it cannot produce', async () => {
    const res = await raw(sim, 'GET', `/api/v1/namespaces/${ns}/configmaps`, { accept: 'application/vnd.kubernetes.protobuf' });
    expect(res.code).toBe(406);
  });
});

describe('fault injection', () => {
  const sequence = async (s: RunningSim, n: number) => {
    const codes: number[] = [];
    for (let i = 0; i < n; i++) codes.push((await raw(s, 'GET', `/api/v1/namespaces/${ns}/configmaps`)).code);
    return codes;
  };

  it('is deterministic for a seed, and resets through PUT /sim/faults', async () => {
    const config = { seed: 42, errorRate: 0.5, errorCodes: [429, 500, 503] };
    const put = await raw(sim, 'PUT', '/sim/faults', { body: JSON.stringify(config) });
    expect(put.code).toBe(200);
    const first = await sequence(sim, 30);
    await raw(sim, 'PUT', '/sim/faults', { body: JSON.stringify(config) });
    const second = await sequence(sim, 30);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500, 503]));
    await raw(sim, 'PUT', '/sim/faults', { body: '{}' });
    expect(await sequence(sim, 10)).toEqual(Array(10).fill(200));
  });

  it('never faults /sim/* or discovery, and sends Retry-After with 429', async () => {
    sim.setFaults({ seed: 1, errorRate: 1, errorCodes: [429], retryAfterSeconds: 7 });
    try {
      expect((await raw(sim, 'GET', '/version')).code).toBe(200);
      expect((await raw(sim, 'GET', '/apis/sei.io/v1alpha1')).code).toBe(200);
      expect((await raw(sim, 'GET', '/sim/faults')).code).toBe(200);
      const res = await raw(sim, 'GET', `/api/v1/namespaces/${ns}/pods`);
      expect(res.code).toBe(429);
      expect(res.headers['retry-after']).toBe('7');
      expect(res.json).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 7 } });
    } finally {
      sim.setFaults({});
    }
  });

  it('loads a fault config from a YAML file at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-faults-'));
    const file = join(dir, 'faults.yaml');
    writeFileSync(file, 'seed: 7\nerrorRate: 1\nerrorCodes: [503]\nretryAfterSeconds: 2\npaths: [/api/v1/namespaces/sei/configmaps]\n');
    const faulty = await startSim({ controller: false, faults: file });
    try {
      const res = await raw(faulty, 'GET', `/api/v1/namespaces/${ns}/configmaps`);
      expect(res.code).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect((await raw(faulty, 'GET', '/sim/faults')).json).toMatchObject({ seed: 7, errorRate: 1, errorCodes: [503] });
    } finally {
      await faulty.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('faults only the configured path prefixes', async () => {
    sim.setFaults({ seed: 9, errorRate: 1, errorCodes: [500], paths: ['/api/v1/namespaces/sei/pods'] });
    try {
      expect((await raw(sim, 'GET', '/api/v1/namespaces/sei/pods')).code).toBe(500);
      expect((await raw(sim, 'GET', '/api/v1/namespaces/sei/configmaps')).code).toBe(200);
    } finally {
      sim.setFaults({});
    }
  });

  it('refuses an invalid fault config with 400 naming the field', async () => {
    const res = await raw(sim, 'PUT', '/sim/faults', { body: JSON.stringify({ errorRate: 2 }) });
    expect(res.code).toBe(400);
    expect(res.json.message).toContain('faults.errorRate');
  });

  it('drops connections at the configured rate', async () => {
    sim.setFaults({ seed: 3, dropConnectionRate: 1 });
    try {
      await expect(raw(sim, 'GET', `/api/v1/namespaces/${ns}/configmaps`)).rejects.toThrow();
    } finally {
      sim.setFaults({});
    }
    expect((await raw(sim, 'GET', `/api/v1/namespaces/${ns}/configmaps`)).code).toBe(200);
  });

  it('closes watch streams after N events and answers watches with 410 at the configured rate', async () => {
    const kc = kubeConfig(sim);
    for (let i = 0; i < 5; i++) await raw(sim, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { body: cm(`fw-${i}`) });
    const watchOnce = async () => {
      const seen: string[] = [];
      await new Promise<void>((resolve) => {
        void new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, {}, (type: string, obj: { code?: number }) => seen.push(`${type}${obj?.code ? ` ${obj.code}` : ''}`), () => resolve());
      });
      return seen;
    };
    sim.setFaults({ seed: 5, closeWatchAfterEvents: 2 });
    expect(await watchOnce()).toEqual(['ADDED', 'ADDED']);
    sim.setFaults({ seed: 5, watchGoneRate: 1 });
    expect(await watchOnce()).toEqual(['ERROR 410']);
    sim.setFaults({});
  });

  it('applies closeWatchAfterEvents to streams that were already open', async () => {
    const kc = kubeConfig(sim);
    const seen: string[] = [];
    let ended!: () => void;
    // The stream's end is an event: wait for it, not for a polling deadline.
    const closed = new Promise<void>((resolve) => (ended = resolve));
    const from = sim.store.currentResourceVersion();
    const ctl = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: from }, (type: string) => seen.push(type), () => ended());
    try {
      sim.setFaults({ closeWatchAfterEvents: 2 });
      for (let i = 0; i < 4; i++) await raw(sim, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { body: cm(`open-${i}`) });
      await closed;
      expect(seen).toEqual(['ADDED', 'ADDED']);
    } finally {
      sim.setFaults({});
      ctl.abort();
    }
  });
});

describe('state dir', () => {
  it('keeps every object and continues resourceVersions across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
    try {
      const first = await startSim({ stateDir: dir, fleet: 2 });
      const core = kubeConfig(first).makeApiClient(k8s.CoreV1Api);
      const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'persisted' }, data: { k: 'v' } } });
      const nodesBefore = (await raw(first, 'GET', `/apis/sei.io/v1alpha1/namespaces/${ns}/seinodes`)).json.items.map((n: { metadata: { uid: string } }) => n.metadata.uid);
      const lastRv = Number(first.store.currentResourceVersion());
      await first.stop();

      const second = await startSim({ stateDir: dir, fleet: 2 });
      try {
        const core2 = kubeConfig(second).makeApiClient(k8s.CoreV1Api);
        const again = await core2.readNamespacedConfigMap({ namespace: ns, name: 'persisted' });
        expect(again.metadata?.uid).toBe(created.metadata?.uid);
        expect(again.data).toEqual({ k: 'v' });
        const nodesAfter = (await raw(second, 'GET', `/apis/sei.io/v1alpha1/namespaces/${ns}/seinodes`)).json.items.map((n: { metadata: { uid: string } }) => n.metadata.uid);
        expect(nodesAfter).toEqual(nodesBefore);
        const next = await core2.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after' } } });
        expect(Number(next.metadata?.resourceVersion)).toBeGreaterThan(lastRv);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('seeding', () => {
  const badNode = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'no-image' }, spec: { chainId: 'c', fullNode: {} } };

  it('refuses an invalid seed object naming the field, before writing anything to the state dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-seed-'));
    const state = join(dir, 'state');
    try {
      await expect(startSim({ stateDir: state, seedObjects: [badNode] })).rejects.toThrow(/seedObjects: SeiNode "no-image" \(document 1\) is invalid: spec\.image/);
      expect(existsSync(state) ? readdirSync(state) : []).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the state dir untouched when the port is busy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-port-'));
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (busy.address() as { port: number }).port;
      await expect(startSim({ port, stateDir: join(dir, 'state'), fleet: 2 })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const again = await startSim({ stateDir: join(dir, 'state') });
      try {
        expect(again.store.list('seinodes')).toEqual([]);
      } finally {
        await again.stop();
      }
    } finally {
      busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies CRD defaults to seeded custom resources and keeps their printed status', async () => {
    const seeded = await startSim({
      controller: false,
      seedObjects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } },
        { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name: 't', namespace: 'prod', uid: 'x', resourceVersion: '9' }, spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: 'n' } }, discoverPeers: {} }, status: { phase: 'Complete' } },
      ],
    });
    try {
      const t = seeded.store.get('seinodetasks', 'prod', 't')!;
      expect(t.metadata.uid).not.toBe('x');
      expect((t.spec as { target: Record<string, unknown> }).target.requirePhase).toBe('Running');
      expect(t.status).toEqual({ phase: 'Complete' });
    } finally {
      await seeded.stop();
    }
  });
});
