// A kubeconfig cluster with `proxy-url` (kubectl's HTTPS proxy): the request goes through the
// proxy with CONNECT, as client-go sends it. Through the built binary on purpose: the bundle loads
// client-node's proxy agent (hpagent) only on first use (scripts/bundle.mjs LAZY_IMPORTS), so this
// is the test that the lazy agent is the real one.
import { createServer, type Server } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { requireBuiltCli, runCli } from '../support/cli.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
let proxy: Server;
const tunnels: string[] = [];
const sockets = new Set<Socket>();
let proxiedKubeconfig: string;

beforeAll(async () => {
  requireBuiltCli();
  cluster = await startCluster({ fleet: 1, namespace: 'sei' });
  // A CONNECT-only forward proxy: records each tunnel's target, then pipes bytes both ways.
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = tcpConnect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  for (const entry of config.clusters) entry.cluster['proxy-url'] = `http://127.0.0.1:${port}`;
  proxiedKubeconfig = join(cluster.dir, 'proxied-kubeconfig');
  writeFileSync(proxiedKubeconfig, stringify(config), { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  await cluster?.stop();
});

it.each([
  ['the fast path', {}],
  ['the full CLI', { KUBECTL_SEI_FAST_PATH: 'off' }],
])('node get with a proxy-url goes through the proxy (%s)', async (_name, env) => {
  const before = tunnels.length;
  const run = await runCli(['node', 'get', '-n', 'sei', '-o', 'name', '--kubeconfig', proxiedKubeconfig], { env });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toBe('seinode.sei.io/node-0\n');
  const server = new URL(cluster.sim.url);
  expect(tunnels.slice(before)).toContain(`${server.hostname}:${server.port}`);
});
