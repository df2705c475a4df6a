// What an adversarial probe broke, as users meet it (the BUILT binary): a server that accepts
// connections and never answers, SIGTERM during a plan, Status codes that match their reason,
// a node listed twice, raw control characters, symlinked manifests. Every wait here is for an
// event (the server saw the connection, the process exited); timeouts are failure bounds only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NS, planFleet } from '../support/builders.js';
import { startPlanCluster, type PlanCluster } from '../support/cluster.js';
import { exitCodeBreach } from '../support/exit-code-contract.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'plans');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Ran> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<Ran>((resolve, reject) => {
    child.on('error', reject);
    // Held to the exit codes the command's --help lists, as every runCli run is.
    child.on('close', (code) => {
      const breach = exitCodeBreach(ROOT, args, code);
      if (breach) reject(new Error(`${breach}\nstderr: ${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

const cli = (args: string[]): Promise<Ran> => start(args).done;
const lastStatus = (stderr: string): Record<string, unknown> => JSON.parse(stderr.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe.skipIf(!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs')))('reliability (built binary)', () => {
  let dir: string;
  let silent: Server;
  let silentKubeconfig: string;
  /** Resolves at the next connection the silent server accepts. */
  let nextConnection: () => Promise<void>;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sei-reliability-'));
    let waiter: (() => void) | undefined;
    nextConnection = () => new Promise<void>((resolve) => (waiter = resolve));
    // Accepts every connection, reads everything, never answers.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => sockets.delete(socket));
      waiter?.();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as { port: number }).port;
    silentKubeconfig = join(dir, 'silent-kubeconfig');
    writeFileSync(silentKubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: silent, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: u, user: {token: not-a-secret}}]
contexts: [{name: silent, context: {cluster: silent, user: u, namespace: ${NS}}}]
current-context: silent
`);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a server that accepts connections and never answers', () => {
    it.each([
      ['task wait', ['task', 'wait', 'some-task', '--timeout', '2s']],
      ['task restart-pod', ['task', 'restart-pod', 'node-00', '--timeout', '2s']],
      ['node wait', ['node', 'wait', 'node-00', '--timeout', '2s']],
      ['workflow wait', ['workflow', 'wait', 'some-workflow', '--timeout', '2s']],
      ['plan apply', ['plan', 'apply', '-f', join(FIXTURES, 'restarts.yaml'), '--timeout', '2s']],
      ['plan resume', ['plan', 'resume', '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c', '--timeout', '2s']],
    ])('%s --timeout 2s ends with exit 3 (Timeout)', async (_name, args) => {
      const r = await cli([...args, '--kubeconfig', silentKubeconfig, '-n', NS, '-o', 'json']);
      expect(r.code, r.stderr).toBe(3);
      expect(lastStatus(r.stderr)).toMatchObject({ reason: 'Timeout', code: 504 });
      expect(r.stderr).not.toContain('not-a-secret');
    }, 60_000);

    it('plan apply without --timeout ends on SIGTERM like Ctrl-C: exit 130, reason Interrupted', async () => {
      const connected = nextConnection();
      const run = start(['plan', 'apply', '-f', join(FIXTURES, 'restarts.yaml'), '--kubeconfig', silentKubeconfig, '-n', NS, '-o', 'json']);
      await connected;
      run.child.kill('SIGTERM');
      const r = await run.done;
      expect(r.code, r.stderr).toBe(130);
      expect(lastStatus(r.stderr)).toMatchObject({ reason: 'Interrupted', code: 499 });
    }, 60_000);
  });

  describe('against the sim', () => {
    let cluster: PlanCluster;
    beforeAll(async () => {
      cluster = await startPlanCluster(planFleet(4, { 'node-02': { annotations: { 'sim.sei.io/fail-kinds': 'DiscoverPeers' } } }));
    }, 60_000);
    afterAll(async () => {
      await cluster?.sim.stop();
    });

    it('--timeout 597h (past 2^31 ms) waits for the verdict instead of timing out at once', async () => {
      const r = await cli(['task', 'discover-peers', 'node-00', '--timeout', '597h', '--kubeconfig', cluster.kubeconfig, '-n', NS, '-o', 'name']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^seinodetask\.sei\.io\//);
    }, 60_000);

    it('NODE_DEBUG=http gets a warning that Node\'s own output may carry the credentials', async () => {
      const run = spawn(process.execPath, [BIN, 'task', 'get', '--kubeconfig', cluster.kubeconfig, '-n', NS], { env: { ...process.env, CI: '1', NODE_DEBUG: 'http' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      run.stderr.on('data', (d: Buffer) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => run.on('close', resolve));
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('warning: NODE_DEBUG is set: Node\'s own debug output may include the Authorization header');
    }, 60_000);

    it.each([
      ['a key that does not match the certificate', 'mismatch', /ERR_OSSL_X509_KEY_VALUES_MISMATCH: the key does not belong to the certificate/],
      ['a key that does not parse', 'garbage', /client certificate or key of the kubeconfig user .* cannot be used \(ERR_OSSL_/],
    ])('a bad client key (%s) is named as such, not as a server certificate failure', async (_name, kind, message) => {
      const { generateKeyPairSync } = await import('node:crypto');
      const key = kind === 'mismatch' ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() : '-----BEGIN PRIVATE KEY-----\nZm9v\n-----END PRIVATE KEY-----\n';
      const b64 = (text: string): string => Buffer.from(text).toString('base64');
      const file = join(dir, `kubeconfig-${kind}`);
      // The sim's own CA certificate as the client certificate: a real certificate, the wrong key.
      writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: sim, cluster: {server: "${cluster.sim.url}", certificate-authority-data: ${b64(cluster.sim.caPem!)}}}]
users: [{name: u, user: {client-certificate-data: ${b64(cluster.sim.caPem!)}, client-key-data: ${b64(key)}}}]
contexts: [{name: sim, context: {cluster: sim, user: u, namespace: ${NS}}}]
current-context: sim
`);
      const r = await cli(['task', 'get', '--kubeconfig', file, '-o', 'json']);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain('certificate-authority in the kubeconfig');
      expect(lastStatus(r.stderr)).toMatchObject({ reason: 'Unauthorized', code: 401 });
      // The credential scan for client keys: no line of the key's body is ever printed.
      for (const line of key.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'))) expect(r.stdout + r.stderr).not.toContain(line);
    }, 60_000);

    it('a wait that ends at --timeout during a 503 outage names the outage, not just "timed out" (exit 3)', async () => {
      cluster.sim.setFaults({ errorRate: 1, errorCodes: [503], retryAfterSeconds: 0 });
      try {
        const r = await cli(['task', 'wait', 'no-such-task', '--timeout', '2s', '--kubeconfig', cluster.kubeconfig, '-n', NS, '-o', 'json']);
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/timed out.*; for the last \d+ s the API server answered 503/);
        expect(r.stderr).not.toContain('410 Gone');
        expect(lastStatus(r.stderr)).toMatchObject({ reason: 'Timeout' });
      } finally {
        cluster.sim.setFaults({});
      }
    }, 60_000);

    it('a plan apply that ends at --timeout during a 503 outage names the outage (exit 3), no "410 Gone" blame', async () => {
      const plan = join(dir, 'outage-plan.yaml');
      writeFileSync(plan, 'apiVersion: cli.sei.io/v1alpha1\nkind: SeiTaskPlan\nmetadata: {name: outage}\nspec:\n  steps:\n    - id: discover\n      kind: DiscoverPeers\n      node: node-00\n');
      cluster.sim.setFaults({ errorRate: 1, errorCodes: [503], retryAfterSeconds: 0 });
      try {
        const r = await cli(['plan', 'apply', '-f', plan, '--timeout', '2s', '--kubeconfig', cluster.kubeconfig, '-n', NS, '-o', 'json']);
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/; for the last \d+ s the API server answered 503/);
        expect(r.stderr).not.toContain('410 Gone');
      } finally {
        cluster.sim.setFaults({});
      }
    }, 60_000);

    it('WaitingApproval is exit 3 with Status code 202, a failed plan exit 1 with 424, not 500', async () => {
      const conn = ['--kubeconfig', cluster.kubeconfig, '-n', NS, '-o', 'json'];
      const waiting = await cli(['plan', 'apply', '-f', join(FIXTURES, 'approval.yaml'), ...conn]);
      expect(waiting.code, waiting.stderr).toBe(3);
      expect(lastStatus(waiting.stderr)).toMatchObject({ reason: 'WaitingApproval', code: 202 });
      const failing = join(dir, 'failing.yaml');
      writeFileSync(failing, 'apiVersion: cli.sei.io/v1alpha1\nkind: SeiTaskPlan\nmetadata: {name: failing}\nspec:\n  steps:\n    - id: discover\n      kind: DiscoverPeers\n      node: node-02\n');
      const failed = await cli(['plan', 'apply', '-f', failing, ...conn]);
      expect(failed.code, failed.stderr).toBe(1);
      expect(lastStatus(failed.stderr)).toMatchObject({ reason: 'TaskFailed', code: 424 });
    }, 120_000);
  });

  it('a node listed twice in forEach.nodes exits 2 naming the node and both positions', async () => {
    const plan = join(dir, 'twice.yaml');
    writeFileSync(plan, 'apiVersion: cli.sei.io/v1alpha1\nkind: SeiTaskPlan\nmetadata: {name: twice}\nspec:\n  steps:\n    - id: vote\n      kind: RestartPod\n      forEach: {nodes: [node-00, node-01, node-00]}\n');
    const r = await cli(['plan', 'render', '-f', plan, '--offline', '-n', NS]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${plan}:8:`);
    expect(r.stderr).toContain('spec.steps[0].forEach.nodes[2]: duplicate node "node-00" (also at forEach.nodes[0])');
    expect(r.stdout).toBe('');
  });

  it('a raw NUL in a value is refused as kubectl does (control characters are not allowed), exit 2', async () => {
    const file = join(dir, 'nul.yaml');
    writeFileSync(file, 'apiVersion: sei.io/v1alpha1\nkind: SeiNodeTask\nmetadata: {name: t, namespace: sei}\nspec:\n  kind: RestartPod\n  target: {nodeRef: {name: "a\u0000b"}}\n');
    const r = await cli(['task', 'validate', '-f', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toContain(`${file}:6:`);
    expect(r.stdout + r.stderr).toContain('control characters are not allowed (U+0000)');
  });

  it('150,000 documents in one file are validated (exit 2 with every cause), not a stack overflow', async () => {
    const file = join(dir, 'many.yaml');
    writeFileSync(file, Array.from({ length: 150_000 }, (_, i) => `---\n{apiVersion: v1, kind: ConfigMap, metadata: {name: c${i}}}`).join('\n'));
    const r = await cli(['task', 'validate', '-f', file]);
    expect(r.code, r.stderr.slice(-500)).toBe(2);
    expect(r.stderr).toContain('150000 of 150000 documents invalid');
    expect(r.stderr).not.toContain('internal error');
  }, 120_000);

  it('a document nested 10,000 levels deep is refused naming the limit and the position (exit 2), not a syntax error or a stack overflow', async () => {
    const file = join(dir, 'deep.yaml');
    writeFileSync(file, `${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    const r = await cli(['task', 'validate', '-f', file]);
    expect(r.code, r.stderr).toBe(2);
    // The 257th `[` (column 257) is the first collection past the 256-level limit.
    expect(r.stdout + r.stderr).toContain(`${file}:1:257: <document>: collections are nested more than 256 levels deep`);
    expect(r.stderr).toContain('1 input refused before validation');
    expect(r.stdout + r.stderr).not.toMatch(/Maximum call stack|YAML syntax error|internal error/);
  });

  it('plan simulate --offline over a fleet file nested 10,000 levels deep exits 2 naming --fleet and the limit', async () => {
    const fleet = join(dir, 'deep-fleet.yaml');
    writeFileSync(fleet, `nodes: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    const r = await cli(['plan', 'simulate', '-f', 'refresh-peers', '--offline', '--fleet', fleet, '-n', NS]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`--fleet ${fleet}: nested deeper than 256 levels`);
    expect(r.stderr).toContain(`  ${fleet}:1:`);
    expect(r.stderr).not.toMatch(/Maximum call stack|This is a bug/);
  });

  it('plan simulate --offline over a 100,000-node fleet plans every node (exit 0), not a stack overflow', async () => {
    const fleet = join(dir, 'fleet-100k.yaml');
    writeFileSync(fleet, `nodes:\n${Array.from({ length: 100_000 }, (_, i) => `- {name: n${i}, labels: {sei.io/chain: ${NS}}}`).join('\n')}\n`);
    const r = await cli(['plan', 'simulate', '-f', 'refresh-peers', '--offline', '--fleet', fleet, '-n', NS, '--set', `chain=${NS}`, '--format', 'json']);
    expect(r.code, r.stderr.slice(-500)).toBe(0);
    const simulated = JSON.parse(r.stdout) as { steps: Array<{ id: string; items: Array<{ node: string }> }> };
    expect(simulated.steps.map((step) => step.items.length)).toEqual([100_000, 100_000]);
    expect(simulated.steps[0]!.items.at(-1)!.node).toBe('n99999');
  }, 120_000);

  it('-f DIR includes symlinked manifests, as kubectl does', async () => {
    const real = join(dir, 'real');
    const linked = join(dir, 'linked');
    mkdirSync(real);
    mkdirSync(linked);
    // An invalid manifest reached only through the link: validate must see it and refuse.
    writeFileSync(join(real, 'bad.yaml'), 'apiVersion: sei.io/v1alpha1\nkind: SeiNodeTask\nmetadata: {name: t, namespace: sei}\nspec: {kind: NoSuchKind}\n');
    symlinkSync(join(real, 'bad.yaml'), join(linked, 'bad.yaml'));
    const r = await cli(['task', 'validate', '-f', linked]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toContain(`${join(linked, 'bad.yaml')}:4:8: spec.kind: Unsupported value: "NoSuchKind"`);
  });
});
