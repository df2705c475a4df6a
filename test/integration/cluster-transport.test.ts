// How long connect() keeps trying, counted in attempts (never in wall time): a server that never
// answered fails fast (refused, DNS) as kubectl does; a connection that was made and dropped, a
// server that answered before and now refuses (a restart), and 5xx keep the capped backoff;
// --request-timeout is one deadline per request and really closes the socket. Every failure is
// exit 4, names the server URL and carries no credential. And the wire: gzip is asked for and
// read, as kubectl does.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import { SeiError } from '../../src/errors/sei-error.js';
import { commandDeadline, resetCommandScope, withOutageExplained } from '../../src/cluster/command-scope.js';

const TOKEN = 'sekret-bearer-token-must-never-print-41c9';
const NODE = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', name: 'node-0' } as const;
const dir = mkdtempSync(path.join(tmpdir(), 'cluster-unreachable-'));
const servers: Array<Server | HttpServer> = [];

afterEach(async () => {
  for (const server of servers) if ('closeAllConnections' in server) server.closeAllConnections();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function kubeconfigFor(server: string): string {
  const file = path.join(dir, `kubeconfig-${files++}`);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "${server}"}}]`,
      `users: [{name: u, user: {token: ${TOKEN}}}]`,
      'contexts: [{name: x, context: {cluster: c, user: u, namespace: sei}}]',
      'current-context: x',
      '',
    ].join('\n'),
  );
  return file;
}

/** A port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A TCP server that counts connections and does `onSocket` with each. */
async function tcpServer(onSocket: (socket: Socket) => void): Promise<{ url: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, sockets };
}

async function failure(run: () => Promise<unknown>): Promise<SeiError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(SeiError);
    return error as SeiError;
  }
  throw new Error('expected a SeiError');
}

function expectNoCredential(error: SeiError): void {
  const shown = JSON.stringify([error.message, error.hints, error.causes, error.toStatus()]);
  expect(shown).not.toContain(TOKEN);
  expect(shown).not.toMatch(/authorization|bearer/i);
}

describe('a server that never answered fails fast', () => {
  it.each([
    { scenario: 'connection refused (http)', scheme: 'http' },
    { scenario: 'connection refused (https)', scheme: 'https' },
  ])('$scenario: 3 attempts with the default policy, then 1 per later request', async ({ scheme }) => {
    const server = `${scheme}://127.0.0.1:${await closedPort()}`;
    // The default policy without its 1.5 s budget (wall time): a stalled machine would spend it
    // between two attempts and stop the count early.
    const client = await connect({ kubeconfig: kubeconfigFor(server) }, { retry: { unreachableBudgetMs: Number.POSITIVE_INFINITY } });
    const error = await failure(() => client.get(NODE));
    expect(error).toMatchObject({ reason: 'ServiceUnavailable', exitCode: 4, httpCode: 503 });
    expect(error.message).toBe(`cannot reach the API server at ${server}: connection refused`);
    expect(error.hints.join(' ')).toContain('did you specify the right host or port?');
    expectNoCredential(error);
    expect(client.stats.requests).toBe(3);
    // The next request of the same command does not spend the budget again.
    await failure(() => client.list('sei.io/v1alpha1', 'SeiNode'));
    expect(client.stats.requests).toBe(4);
  });

  it('a host that does not resolve: at most 3 attempts, the URL named', async () => {
    const server = 'https://kubectl-sei-no-such-host.invalid:6443';
    const client = await connect({ kubeconfig: kubeconfigFor(server) });
    const error = await failure(() => client.get(NODE));
    expect(error).toMatchObject({ reason: 'ServiceUnavailable', exitCode: 4 });
    expect(error.message).toMatch(new RegExp(`^cannot reach the API server at ${server.replace(/\./g, '\\.')}: (host not found \\(DNS\\)|DNS lookup failed)$`));
    expectNoCredential(error);
    expect(client.stats.requests).toBeGreaterThanOrEqual(1);
    expect(client.stats.requests).toBeLessThanOrEqual(3);
  });

  it('unreachableAttempts is capped by attempts', async () => {
    const client = await connect({ kubeconfig: kubeconfigFor(`http://127.0.0.1:${await closedPort()}`) }, { retry: { attempts: 2, baseMs: 1, capMs: 2, unreachableAttempts: 5, unreachableBudgetMs: Number.POSITIVE_INFINITY } });
    await failure(() => client.get(NODE));
    expect(client.stats.requests).toBe(2);
  });
});

describe('what can heal keeps the capped backoff', () => {
  it('a connection accepted then dropped is retried to the full budget', async () => {
    const { url, sockets } = await tcpServer((socket) => socket.destroy());
    const client = await connect({ kubeconfig: kubeconfigFor(url) }, { retry: { attempts: 5, baseMs: 1, capMs: 2 } });
    const error = await failure(() => client.get(NODE));
    expect(error).toMatchObject({ reason: 'ServiceUnavailable', exitCode: 4 });
    // reset or closed depends on whether the request was still being written: both are drops.
    expect(error.message).toMatch(new RegExp(`^cannot reach the API server at ${url}: connection (reset|closed)$`));
    expectNoCredential(error);
    expect(client.stats.requests).toBe(5);
    expect(sockets.length).toBe(5);
  });

  it('a server that answered before and now refuses (a restart) gets the full budget', async () => {
    let served = 0;
    const http = createHttpServer((req, res) => {
      served++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-0', namespace: 'sei' } }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    const client = await connect({ kubeconfig: kubeconfigFor(url) }, { retry: { attempts: 6, baseMs: 1, capMs: 2, unreachableAttempts: 2 } });
    expect((await client.get(NODE))?.metadata.name).toBe('node-0');
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
    const error = await failure(() => client.get(NODE));
    expect(error.message).toBe(`cannot reach the API server at ${url}: connection refused`);
    expect(served).toBe(1);
    expect(client.stats.requests).toBe(1 + 6);
  });

  it('--request-timeout is one deadline for a request and its retries of a 503', async () => {
    let answered = 0;
    const http = createHttpServer((req, res) => {
      answered++;
      res.statusCode = 503;
      res.end();
    });
    servers.push(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    const budget = 100_000;
    // Long enough that a loaded machine still answers a 503 and retries before the deadline.
    const client = await connect({ kubeconfig: kubeconfigFor(url), requestTimeout: '2s' }, { retry: { attempts: budget, baseMs: 20, capMs: 20 } });
    const error = await failure(() => client.get(NODE));
    // The deadline ends the retries: reason Timeout, saying what the attempts met.
    expect(error).toMatchObject({ reason: 'Timeout', exitCode: 4 });
    expect(error.message).toContain(`on ${url} timed out after 2000 ms (--request-timeout); before that: get seinodes.sei.io "node-0" failed on ${url}: HTTP 503`);
    expect(client.stats.requests).toBeGreaterThan(1);
    expect(client.stats.requests).toBeLessThan(budget);
    // The attempt the deadline cut may not have reached the server yet.
    expect(answered).toBeGreaterThanOrEqual(client.stats.requests - 1);
    expect(answered).toBeLessThanOrEqual(client.stats.requests);
  });

  it('--request-timeout aborts an attempt that never answers: one connection, closed by us', async () => {
    // accept, read (so the client's close is seen), never answer
    const { url, sockets } = await tcpServer((socket) => socket.resume());
    const client = await connect({ kubeconfig: kubeconfigFor(url), requestTimeout: '200ms' }, { retry: { attempts: 8, baseMs: 1, capMs: 2 } });
    const error = await failure(() => client.get(NODE));
    expect(error).toMatchObject({ reason: 'Timeout', exitCode: 4 });
    expect(error.message).toBe(`get seinodes.sei.io "node-0" on ${url} timed out after 200 ms (--request-timeout)`);
    expectNoCredential(error);
    expect(client.stats.requests).toBe(1);
    expect(sockets.length).toBe(1);
    const socket = sockets[0] as Socket;
    if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve));
    expect(socket.destroyed).toBe(true);
  });
});

describe('the wire', () => {
  it.each([
    { scenario: 'a gzip answer is inflated', gzip: true },
    { scenario: 'an identity answer is read as is', gzip: false },
  ])('$scenario', async ({ gzip }) => {
    const seen: Array<string | undefined> = [];
    const http = createHttpServer((req, res) => {
      seen.push(req.headers['accept-encoding']);
      const body = Buffer.from(JSON.stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-0', namespace: 'sei' }, spec: { chainId: 'x'.repeat(2_000) } }));
      res.setHeader('content-type', 'application/json');
      if (gzip) res.setHeader('content-encoding', 'gzip');
      res.end(gzip ? gzipSync(body) : body);
    });
    servers.push(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const client = await connect({ kubeconfig: kubeconfigFor(`http://127.0.0.1:${(http.address() as { port: number }).port}`) });
    const node = await client.get(NODE);
    expect(node?.spec).toEqual({ chainId: 'x'.repeat(2_000) });
    expect(seen).toEqual(['gzip']);
  });
});

describe('a watch through an outage', () => {
  it('a 410 Gone after a run of 503s re-lists and goes on: it is not blamed as "410 right after a fresh list"', async () => {
    const attempts = 6;
    let watches = 0;
    let lists = 0;
    const http = createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (!new URL(req.url ?? '/', 'http://x').searchParams.has('watch')) {
        lists++;
        res.end(JSON.stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeList', metadata: { resourceVersion: String(lists) }, items: [] }));
        return;
      }
      watches++;
      if (watches < attempts) {
        // The outage: one failure short of the budget.
        res.statusCode = 503;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', code: 503 }));
      } else if (watches === attempts) {
        // The restarted server forgot the resourceVersion: one 410, after the outage, not after a list.
        res.statusCode = 410;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 }));
      } else {
        res.write(`${JSON.stringify({ type: 'ADDED', object: { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-0', namespace: 'sei', resourceVersion: '9', uid: 'u0' } } })}\n`);
      }
    });
    servers.push(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    const client = await connect({ kubeconfig: kubeconfigFor(url) }, { retry: { attempts, baseMs: 1, capMs: 2 } });
    const seen: string[] = [];
    await client.watch({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', namespace: 'sei', onEvent: (event) => (seen.push(`${event.type} ${event.object.metadata.name}`), 'stop') });
    expect(seen).toEqual(['ADDED node-0']);
    expect(watches).toBe(attempts + 1);
    // The first list, then the re-list the 410 asked for.
    expect(lists).toBe(2);
  });
});

describe('a --timeout that ends during an outage', () => {
  it('names the outage: a server that answered, then refuses connections (a restart), until the deadline', async () => {
    const http = createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-0', namespace: 'sei' } }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    // Attempts are not the bound here: the command's deadline is (an outage is waited out).
    const client = await connect({ kubeconfig: kubeconfigFor(url) }, { retry: { attempts: 3, baseMs: 5, capMs: 20 } });
    expect((await client.get(NODE))?.metadata.name).toBe('node-0');
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
    // Long enough that a loaded machine still meets a refused connection before the deadline.
    const deadline = commandDeadline(2_000, 'timed out waiting for node-0', 0);
    try {
      // Exit 3, not 4: the retries went on past the 3 attempts until the deadline ended them.
      const error = withOutageExplained(await failure(() => client.get(NODE)));
      expect(error).toMatchObject({ reason: 'Timeout', exitCode: 3 });
      expect(error.message).toMatch(/^timed out waiting for node-0; for the last \d+ s requests to the API server failed: connection refused \(ECONNREFUSED\)$/);
    } finally {
      deadline.clear();
      resetCommandScope();
    }
  });
});
