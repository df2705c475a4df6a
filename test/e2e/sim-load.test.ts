/**
 * A bounded load test of the built `kubectl-sei sim serve` in its own node process (with
 * --expose-gc, so heaps are compared after a full GC through /sim/gc): 10,000 mixed requests over
 * loopback, 16 at a time. Every answer must be a well-formed object or Status with the code its
 * request calls for, the process must survive, and the settled heap after the run must stay
 * within a ratio of the settled heap after warm-up. Counts and ratios only, never wall time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:https';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const TOTAL = 10_000;
const WARMUP = 2_000;
const CONCURRENCY = 16;

let child: ChildProcess;
let dir: string;
let url: string;
let token: string;
let agent: Agent;

interface Answer {
  code: number;
  body: { kind?: string; code?: number; items?: unknown[] } | undefined;
}

function send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, agent, headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': contentType } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Answer['body'];
        try {
          // A watch answers newline-delimited events; the first one is enough to check its shape.
          parsed = JSON.parse(text.split('\n')[0] || 'null') ?? undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ code: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const cm = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'sei' }, data: { v: name }, ...extra });
const big = cm('big', { data: { x: 'a'.repeat(3 * 1024 * 1024) } });

type Mix = { name: string; run: () => Promise<Answer>; ok: number[] };

/** The i-th request of the deterministic mix; names cycle through a pool so the store stays bounded. */
function mix(i: number): Mix {
  const name = `load-${i % 40}`;
  const base = '/api/v1/namespaces/sei/configmaps';
  const task = `/apis/sei.io/v1alpha1/namespaces/sei/seinodetasks/load-task-${i % 10}`;
  const pick = i % 20;
  if (i % 1000 === 999) return { name: 'oversized body', run: () => send('POST', base, big), ok: [413] };
  if (i % 500 === 250) return { name: 'short watch', run: () => send('GET', '/apis/sei.io/v1alpha1/namespaces/sei/seinodes?watch=1&timeoutSeconds=1&resourceVersion=0'), ok: [200] };
  switch (pick) {
    case 0: case 1: case 2: return { name: 'list', run: () => send('GET', `${base}?limit=5`), ok: [200] };
    case 3: return { name: 'list nodes as table', run: () => send('GET', '/apis/sei.io/v1alpha1/namespaces/sei/seinodes'), ok: [200] };
    case 4: case 5: return { name: 'create', run: () => send('POST', base, cm(name)), ok: [201, 409] };
    case 6: case 7: return { name: 'get', run: () => send('GET', `${base}/${name}`), ok: [200, 404] };
    case 8: return { name: 'merge patch', run: () => send('PATCH', `${base}/${name}`, JSON.stringify({ data: { i: String(i) } }), 'application/merge-patch+json'), ok: [200, 404] };
    case 9: return { name: 'json patch', run: () => send('PATCH', `${base}/${name}`, JSON.stringify([{ op: 'add', path: '/data/j', value: String(i) }]), 'application/json-patch+json'), ok: [200, 404, 422] };
    case 10: case 11: return { name: 'delete', run: () => send('DELETE', `${base}/${name}`), ok: [200, 404] };
    case 12: return { name: 'apply', run: () => send('PATCH', `${base}/${name}?fieldManager=load&force=true`, cm(name, { data: { a: String(i % 3) } }), 'application/apply-patch+yaml'), ok: [200, 201] };
    case 13: return { name: 'apply task', run: () => send('PATCH', `${task}?fieldManager=load`, JSON.stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name: `load-task-${i % 10}`, namespace: 'sei' }, spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: 'node-0' } }, discoverPeers: {} } }), 'application/apply-patch+yaml'), ok: [200, 201] };
    case 14: return { name: 'invalid task', run: () => send('POST', '/apis/sei.io/v1alpha1/namespaces/sei/seinodetasks', JSON.stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name: `bad-${i}` }, spec: { kind: 'RestartPod', target: { nodeRef: { name: 'node-0' } }, restartPod: {} } })), ok: [422] };
    case 15: return { name: 'malformed json', run: () => send('POST', base, '{"metadata":'), ok: [400] };
    case 16: return { name: 'unknown resource', run: () => send('GET', '/apis/sei.io/v1alpha1/namespaces/sei/gadgets'), ok: [404] };
    case 17: return { name: 'stale update', run: () => send('PUT', `${base}/${name}`, cm(name, { metadata: { name, namespace: 'sei', resourceVersion: '1' } })), ok: [409, 404] };
    case 18: return { name: 'delete task', run: () => send('DELETE', task), ok: [200, 404] };
    default: return { name: 'discovery', run: () => send('GET', '/apis/sei.io/v1alpha1'), ok: [200] };
  }
}

async function runRange(from: number, to: number, failures: string[], counts: Map<string, number>): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      const m = mix(i);
      const answer = await m.run();
      counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
      const wellFormed = answer.body !== undefined && (answer.code < 400 ? typeof answer.body === 'object' : answer.body.kind === 'Status' && answer.body.code === answer.code);
      if (!m.ok.includes(answer.code) || !wellFormed) failures.push(`#${i} ${m.name}: ${answer.code} ${JSON.stringify(answer.body)?.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function settledHeap(): Promise<number> {
  const r = await send('POST', '/sim/gc');
  const body = r.body as unknown as { gc: boolean; memory: { heapUsed: number } };
  expect(body.gc).toBe(true);
  return body.memory.heapUsed;
}

describe('the sim under a bounded load', () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('the built CLI is missing: run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'sim-load-'));
    const kubeconfig = join(dir, 'kubeconfig');
    child = spawn(process.execPath, ['--expose-gc', BIN, 'sim', 'serve', '--fleet', '3', '--watch-history', '1000', '--kubeconfig-out', kubeconfig, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await new Promise<{ url: string }>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n')[0]!;
        if (out.includes('\n')) resolve(JSON.parse(line) as { url: string });
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => reject(new Error(`sim serve exited with ${code}: ${err}`)));
    });
    url = ready.url;
    const config = parse(readFileSync(kubeconfig, 'utf8')) as { users: Array<{ user: { token: string } }>; clusters: Array<{ cluster: { 'certificate-authority-data': string } }> };
    token = config.users[0]!.user.token;
    agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64') });
  });

  afterAll(async () => {
    agent?.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`answers ${TOTAL} mixed requests correctly with memory flat`, async () => {
    const failures: string[] = [];
    const counts = new Map<string, number>();
    await runRange(0, WARMUP, failures, counts);
    const baseline = await settledHeap();
    await runRange(WARMUP, TOTAL, failures, counts);
    const after = await settledHeap();

    expect(failures).toEqual([]);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(TOTAL);
    expect(counts.size).toBe(17);
    const stats = (await send('GET', '/sim/stats')).body as unknown as { requests: number; openWatches: number };
    expect(stats.requests).toBeGreaterThanOrEqual(TOTAL);
    expect(child.exitCode).toBeNull();
    // Four times the warm-up's requests ran after the baseline; a leak per request would show.
    expect(after / baseline).toBeLessThan(1.3);
  }, 600_000);

  it('shuts down cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
