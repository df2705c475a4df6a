// A kubeconfig cluster with `proxy-url` (kubectl's HTTPS proxy): the request goes through the
// proxy with CONNECT, as client-go sends it. Through the built binary on purpose: the bundle loads
// client-node's proxy agent (hpagent) only on first use (scripts/bundle.mjs LAZY_IMPORTS), so this
// is the test that the lazy agent is the real one. A socks5:// proxy-url goes through a SOCKS5
// proxy the same way; its agent lives apart from the bundles (dist/bundle/apart/), loaded by path.
import { createServer, type Server } from 'node:http';
import { connect as tcpConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
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
let socks: NetServer;
const socksTargets: string[] = [];
let socksKubeconfig: string;

/** Pipes an accepted client to host:port once connected; `ready` runs first (the proxy's reply). */
function tunnel(client: Socket, host: string, port: number, ready: () => void, head?: Buffer): void {
  const upstream = tcpConnect(port, host, () => {
    ready();
    if (head) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  for (const socket of [client, upstream]) {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  }
}

/**
 * A SOCKS5 proxy (RFC 1928) without authentication and for CONNECT only: greeting, then one
 * request naming an IPv4 address or a domain, then bytes both ways.
 */
function socksServer(): NetServer {
  return createNetServer((client) => {
    let buffered = Buffer.alloc(0);
    let greeted = false;
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!greeted) {
        if (buffered.length < 2 || buffered.length < 2 + buffered[1]!) return;
        buffered = buffered.subarray(2 + buffered[1]!);
        greeted = true;
        client.write(Buffer.from([5, 0]));
      }
      if (buffered.length < 5) return;
      const type = buffered[3];
      const addressLength = type === 1 ? 4 : type === 3 ? 1 + buffered[4]! : -1;
      if (addressLength < 0 || buffered[1] !== 1) return void client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
      if (buffered.length < 4 + addressLength + 2) return;
      const host = type === 1 ? [...buffered.subarray(4, 8)].join('.') : buffered.subarray(5, 4 + addressLength).toString();
      const port = buffered.readUInt16BE(4 + addressLength);
      const rest = buffered.subarray(4 + addressLength + 2);
      client.off('data', onData);
      socksTargets.push(`${host}:${port}`);
      tunnel(client, host, port, () => client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0])), rest.length > 0 ? rest : undefined);
    };
    client.on('data', onData);
  });
}

beforeAll(async () => {
  requireBuiltCli();
  cluster = await startCluster({ fleet: 1, namespace: 'sei' });
  // A CONNECT-only forward proxy: records each tunnel's target, then pipes bytes both ways.
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    tunnel(client, host ?? '127.0.0.1', Number(port), () => client.write('HTTP/1.1 200 Connection Established\r\n\r\n'), head);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  for (const entry of config.clusters) entry.cluster['proxy-url'] = `http://127.0.0.1:${port}`;
  proxiedKubeconfig = join(cluster.dir, 'proxied-kubeconfig');
  writeFileSync(proxiedKubeconfig, stringify(config), { mode: 0o600 });
  socks = socksServer();
  await new Promise<void>((resolve) => socks.listen(0, '127.0.0.1', resolve));
  for (const entry of config.clusters) entry.cluster['proxy-url'] = `socks5://127.0.0.1:${(socks.address() as { port: number }).port}`;
  socksKubeconfig = join(cluster.dir, 'socks-kubeconfig');
  writeFileSync(socksKubeconfig, stringify(config), { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  await new Promise<void>((resolve) => socks?.close(() => resolve()));
  await cluster?.stop();
});

const PATHS = [
  ['the fast path', {}],
  ['the full CLI', { KUBECTL_SEI_FAST_PATH: 'off' }],
] as const;
const PROXIES = [
  { proxy: 'an HTTP CONNECT proxy', kubeconfig: () => proxiedKubeconfig, targets: tunnels },
  { proxy: 'a SOCKS5 proxy (agent in dist/bundle/apart/)', kubeconfig: () => socksKubeconfig, targets: socksTargets },
];

it.each(PROXIES.flatMap((proxy) => PATHS.map(([path, env]) => ({ ...proxy, path, env }))))('node get with a proxy-url goes through $proxy ($path)', async ({ kubeconfig, targets, env }) => {
  const before = targets.length;
  const run = await runCli(['node', 'get', '-n', 'sei', '-o', 'name', '--kubeconfig', kubeconfig()], { env });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toBe('seinode.sei.io/node-0\n');
  const server = new URL(cluster.sim.url);
  expect(targets.slice(before)).toContain(`${server.hostname}:${server.port}`);
});
