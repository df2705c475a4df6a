// connect() against the real simulated cluster over HTTP: get/list/apply/delete/servedCrd, the
// error mapping (exit codes, reasons, no credentials in messages), retries and request timeouts.
import { createServer } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, clearServedCrdCache } from '../../src/cluster/index.js';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { SeiError } from '../../src/errors/sei-error.js';
import { applyAs } from '../support/sim-http.js';
import { discoverPeersTask } from '../support/builders.js';
import { simFixture, type SimFixture } from '../support/cluster.js';

const TASK = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask' } as const;
const FAST_RETRY = { retry: { attempts: 6, baseMs: 5, capMs: 50 } };

let fixture: SimFixture;
let client: ClusterClient;

beforeAll(async () => {
  fixture = await simFixture({ controller: false });
  client = await connect({ kubeconfig: fixture.kubeconfig }, FAST_RETRY);
});
afterAll(async () => {
  await fixture?.stop();
});

async function failure(run: () => Promise<unknown>): Promise<SeiError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(SeiError);
    return error as SeiError;
  }
  throw new Error('expected a SeiError');
}

describe('reads', () => {
  it('the namespace and context come from the sim kubeconfig', () => {
    expect(client).toMatchObject({ namespace: 'sei', contextName: 'sei-sim', server: fixture.sim.url });
  });

  it('get returns the object, undefined when absent', async () => {
    const node = await client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', name: 'node-0' });
    expect(node?.metadata).toMatchObject({ name: 'node-0', namespace: 'sei' });
    expect(await client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', name: 'node-404' })).toBeUndefined();
  });

  it('list pages with limit/continue and returns every item with apiVersion/kind', async () => {
    for (let i = 0; i < 7; i++) await client.apply(discoverPeersTask(`page-${i}`, 'node-0', 'sei', { suite: 'paging' }));
    const paged = await connect({ kubeconfig: fixture.kubeconfig }, { pageSize: 2 });
    const result = await paged.list(TASK.apiVersion, TASK.kind, { labelSelector: 'suite=paging' });
    expect(result.items.map((item) => item.metadata.name).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `page-${i}`));
    expect(result.items.every((item) => item.apiVersion === TASK.apiVersion && item.kind === TASK.kind)).toBe(true);
    expect(Number(result.resourceVersion)).toBeGreaterThan(0);
    expect(paged.stats.requests).toBe(4); // ceil(7 / 2) pages, no discovery request for known kinds
  });

  it('pods listed from core/v1 get their kind filled in', async () => {
    const pods = await client.list('v1', 'Pod', { fieldSelector: 'metadata.name=node-0-0' });
    expect(pods.items.every((pod) => pod.kind === 'Pod' && pod.apiVersion === 'v1')).toBe(true);
  });
});

describe('in-cluster service account', () => {
  it('authenticates with the mounted token and CA, in the mounted namespace', async () => {
    const root = path.join(path.dirname(fixture.kubeconfig), 'serviceaccount');
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'token'), fixture.sim.token);
    writeFileSync(path.join(root, 'ca.crt'), fixture.sim.caPem ?? '');
    writeFileSync(path.join(root, 'namespace'), 'sei');
    const url = new URL(fixture.sim.url);
    const inPod = await connect({}, {
      environment: { env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port }, homeDir: root, serviceAccountRoot: root },
    });
    expect(inPod).toMatchObject({ namespace: 'sei', contextName: 'in-cluster', server: fixture.sim.url });
    expect((await inPod.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', name: 'node-0' }))?.metadata.name).toBe('node-0');
  });
});

describe('server-side apply', () => {
  it('creates as field manager kubectl-sei, and re-applying the same object changes nothing', async () => {
    const first = await client.apply(discoverPeersTask('ssa-1', 'node-1'));
    const again = await client.apply(discoverPeersTask('ssa-1', 'node-1'));
    expect(first.metadata.managedFields?.map((entry) => entry.manager)).toContain('kubectl-sei');
    // Same object, spec untouched. (resourceVersion is not compared: the sim restamps the
    // managedFields time when a second boundary passes, which a real apiserver does not.)
    expect(again.metadata.uid).toBe(first.metadata.uid);
    expect(again.metadata.generation).toBe(1);
    expect(again.spec).toEqual(first.spec);
  });

  it('dryRun=server validates without persisting', async () => {
    const dry = await client.apply(discoverPeersTask('dry-1', 'node-1'), { dryRun: 'server' });
    expect(dry.metadata.name).toBe('dry-1');
    expect(await client.get({ ...TASK, name: 'dry-1' })).toBeUndefined();
  });

  it('an invalid object is exit 2 with the field paths of the Status causes', async () => {
    // metadata.name is checked by the apiserver itself, whatever schema the CRD has.
    const bad = discoverPeersTask('Bad_Name', 'node-0');
    const error = await failure(() => client.apply(bad));
    expect(error).toMatchObject({ reason: 'Invalid', exitCode: 2, httpCode: 422 });
    expect(error.causes.map((cause) => cause.field)).toContain('metadata.name');
    expect(error.message).toContain('Bad_Name');
  });

  it('a field owned by another manager is a 409 Conflict (exit 4) unless forced', async () => {
    expect(await applyAs(fixture, 'someone-else', discoverPeersTask('conflict-1', 'node-2', 'sei', { owner: 'someone-else' }))).toBe(201);
    const mine = discoverPeersTask('conflict-1', 'node-2', 'sei', { owner: 'kubectl-sei' });
    const error = await failure(() => client.apply(mine));
    expect(error).toMatchObject({ reason: 'Conflict', exitCode: 4, httpCode: 409 });
    expect(error.causes.length).toBeGreaterThan(0);
    const forced = await client.apply(mine, { force: true });
    expect(forced.metadata.labels?.owner).toBe('kubectl-sei');
  });

  it('a nameless object is refused before any request', async () => {
    const before = client.stats.requests;
    const nameless = discoverPeersTask('x', 'node-0');
    delete nameless.metadata.name;
    await expect(client.apply(nameless)).rejects.toMatchObject({ exitCode: 2 });
    expect(client.stats.requests).toBe(before);
  });
});

describe('delete', () => {
  it('returns true when deleted and false when already gone', async () => {
    await client.apply(discoverPeersTask('del-1', 'node-0'));
    expect(await client.delete({ ...TASK, name: 'del-1' })).toBe(true);
    expect(await client.delete({ ...TASK, name: 'del-1' })).toBe(false);
  });
});

describe('servedCrd', () => {
  it('returns the served CRD once per server and caches it', async () => {
    clearServedCrdCache();
    const fresh = await connect({ kubeconfig: fixture.kubeconfig });
    const crd = await fresh.servedCrd('seinodetasks.sei.io');
    const spec = crd?.spec as { names?: { kind?: string } } | undefined;
    expect(spec?.names?.kind).toBe('SeiNodeTask');
    const afterFirst = fresh.stats.requests;
    await fresh.servedCrd('seinodetasks.sei.io');
    const second = await connect({ kubeconfig: fixture.kubeconfig });
    await second.servedCrd('seinodetasks.sei.io');
    expect(fresh.stats.requests).toBe(afterFirst);
    expect(second.stats.requests).toBe(0);
  });

  it('is undefined for a CRD the cluster does not serve', async () => {
    expect(await client.servedCrd('seinodetaskworkflows.sei.io')).toBeUndefined();
  });
});

describe('errors name the problem and the fix, never a credential', () => {
  it('a kind the cluster does not serve is "CRD not installed" (exit 4)', async () => {
    const error = await failure(() => client.list('sei.io/v1alpha1', 'SeiNodeTaskWorkflow'));
    expect(error).toMatchObject({ reason: 'NotFound', exitCode: 4 });
    expect(error.message).toContain(`the SeiNodeTaskWorkflow CRD is not installed on ${fixture.sim.url}`);
  });

  it('a wrong token is Unauthorized (exit 4) with a --context hint, and the token is never shown', async () => {
    const wrongToken = 'wrong-token-0123456789abcdef';
    const file = `${fixture.kubeconfig}.bad`;
    writeFileSync(file, readFileSync(fixture.kubeconfig, 'utf8').replace(fixture.sim.token, wrongToken));
    const bad = await connect({ kubeconfig: file }, FAST_RETRY);
    const error = await failure(() => bad.get({ ...TASK, name: 'anything' }));
    expect(error).toMatchObject({ reason: 'Unauthorized', exitCode: 4 });
    expect(error.hints.join(' ')).toContain('--context');
    const shown = JSON.stringify([error.message, error.hints, error.toStatus()]);
    expect(shown).not.toContain(wrongToken);
    expect(shown).not.toContain(fixture.sim.token);
  });

  it('an untrusted certificate fails at once (no retries) with a certificate-authority hint', async () => {
    const file = `${fixture.kubeconfig}.noca`;
    writeFileSync(file, readFileSync(fixture.kubeconfig, 'utf8').replace(/^\s*certificate-authority-data:.*$/m, ''));
    const untrusted = await connect({ kubeconfig: file }, FAST_RETRY);
    const error = await failure(() => untrusted.get({ ...TASK, name: 'x' }));
    expect(error).toMatchObject({ reason: 'ServiceUnavailable', exitCode: 4 });
    expect(error.message).toMatch(/^TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed \(\w+\)$/);
    expect(error.hints.join(' ')).toContain('certificate-authority');
    expect(untrusted.stats.requests).toBe(1);
  });

  it('an unreachable server is ServiceUnavailable naming the URL (exit 4)', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address() as { port: number };
        probe.close(() => resolve(address.port));
      });
    });
    const file = `${fixture.kubeconfig}.closed`;
    writeFileSync(file, readFileSync(fixture.kubeconfig, 'utf8').replace(fixture.sim.url, `http://127.0.0.1:${port}`));
    // Counted, not timed: no 1.5 s unreachable budget for a stalled machine to spend before the second attempt.
    const closed = await connect({ kubeconfig: file }, { retry: { attempts: 2, baseMs: 1, capMs: 2, unreachableBudgetMs: Number.POSITIVE_INFINITY } });
    const error = await failure(() => closed.get({ ...TASK, name: 'x' }));
    expect(error).toMatchObject({ reason: 'ServiceUnavailable', exitCode: 4 });
    expect(error.message).toBe(`cannot reach the API server at http://127.0.0.1:${port}: connection refused`);
    expect(closed.stats.requests).toBe(2);
  });
});

describe('resilience', () => {
  it.each([
    { scenario: '503s are retried until they pass', faults: { seed: 7, errorRate: 0.6, errorCodes: [503], retryAfterSeconds: 0 } },
    { scenario: '429s are retried honouring Retry-After: 0', faults: { seed: 3, errorRate: 0.6, errorCodes: [429], retryAfterSeconds: 0 } },
    { scenario: 'dropped connections are retried', faults: { seed: 11, dropConnectionRate: 0.5 } },
  ])('$scenario', async ({ faults }) => {
    const flaky = await connect({ kubeconfig: fixture.kubeconfig }, { retry: { attempts: 12, baseMs: 1, capMs: 5 } });
    fixture.sim.setFaults(faults);
    try {
      const results: Array<KubeObject | undefined> = [];
      for (let i = 0; i < 10; i++) results.push(await flaky.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', name: 'node-0' }));
      expect(results.every((node) => node?.metadata.name === 'node-0')).toBe(true);
      expect(flaky.stats.requests).toBeGreaterThan(10);
    } finally {
      fixture.sim.setFaults({});
    }
  });

  // Issue 13, defect 9: an API outage longer than the retry budget ended waits with exit 4 long
  // before --timeout. Under a command deadline the same outage is waited out. The outage ends
  // when the sim has refused more requests than the budget allows (counted, not timed).
  it('under a command --timeout, a 5xx outage longer than the retry budget is waited out', async () => {
    const { commandDeadline, resetCommandScope } = await import('../../src/cluster/command-scope.js');
    const flaky = await connect({ kubeconfig: fixture.kubeconfig }, { retry: { attempts: 3, baseMs: 1, capMs: 2 } });
    const refusedBefore = fixture.sim.stats().byCode['503'] ?? 0;
    fixture.sim.setFaults({ errorRate: 1, errorCodes: [503], retryAfterSeconds: 0 });
    const deadline = commandDeadline(120_000, 'the test command timed out');
    try {
      const got = flaky.get({ ...TASK, name: 'absent' });
      // Event-driven: the outage lasts until the sim has answered 3 times the budget with 503.
      while ((fixture.sim.stats().byCode['503'] ?? 0) - refusedBefore < 9) await new Promise((resolve) => setImmediate(resolve));
      fixture.sim.setFaults({});
      expect(await got).toBeUndefined();
      expect(flaky.stats.requests).toBeGreaterThan(9);
    } finally {
      deadline.clear();
      fixture.sim.setFaults({});
      resetCommandScope();
    }
  });

  it('a 5xx that never stops ends as exit 4 after the retry budget', async () => {
    const flaky = await connect({ kubeconfig: fixture.kubeconfig }, { retry: { attempts: 3, baseMs: 1, capMs: 2 } });
    fixture.sim.setFaults({ errorRate: 1, errorCodes: [500] });
    try {
      const error = await failure(() => flaky.get({ ...TASK, name: 'x' }));
      expect(error).toMatchObject({ exitCode: 4, httpCode: 500 });
      expect(flaky.stats.requests).toBe(3);
    } finally {
      fixture.sim.setFaults({});
    }
  });

  it('--request-timeout bounds one request (exit 4, reason Timeout)', async () => {
    const slow = await connect({ kubeconfig: fixture.kubeconfig, requestTimeout: '50ms' }, { retry: { attempts: 1 } });
    fixture.sim.setFaults({ latencyMs: 1_000 });
    try {
      const error = await failure(() => slow.get({ ...TASK, name: 'x' }));
      expect(error).toMatchObject({ reason: 'Timeout', exitCode: 4 });
      expect(error.message).toContain('--request-timeout');
    } finally {
      fixture.sim.setFaults({});
    }
  });

  it('an invalid --request-timeout is exit 2', async () => {
    await expect(connect({ kubeconfig: fixture.kubeconfig, requestTimeout: 'soon' })).rejects.toMatchObject({ exitCode: 2 });
  });
});
