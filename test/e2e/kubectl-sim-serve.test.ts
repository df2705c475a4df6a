/**
 * `kubectl-sei sim serve` as users run it (the built CLI in a child process) with the real
 * kubectl: the ready line and kubeconfig, seeding from `kubectl get -o yaml` output, a restart
 * over the same --state-dir, the latest CRD flavor, clean shutdown, and bad input refused with
 * exit code 2 before anything listens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const KUBECTL = '/usr/bin/kubectl';
let dir: string;

interface Served {
  child: ChildProcess;
  ready: { url: string; kubeconfig: string; namespace: string; crd: string; nodes: number; fleet: number; validators: number };
  stdout: () => string;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'sim', 'serve', '-o', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': only then have both pipes delivered what the child wrote before exiting
  // (the tests read its last stderr line after stop()).
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  // Ready when both pipes have delivered their ready lines: they are separate pipes, so the
  // stdout line can arrive before the stderr lines written just before it.
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!out.includes('\n') || !err.includes('Press Ctrl-C to stop.')) return;
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      resolve({
        child,
        ready: JSON.parse(out.split('\n')[0]!),
        stdout: () => out,
        stderr: () => err,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then((code) => reject(new Error(`sim serve exited with ${code}: ${err}`)));
  });
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 90_000 }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const kubectl = (kubeconfig: string, args: string[]) => run(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);
const cli = (args: string[]) => run(process.execPath, [BIN, ...args]);

describe.skipIf(!existsSync(KUBECTL))('kubectl-sei sim serve', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('the built CLI is missing: run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'sim-serve-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints one JSON ready line, writes a 0600 kubeconfig kubectl can use, never prints the token, and stops on SIGTERM', async () => {
    const kubeconfig = join(dir, 'k1');
    const s = await serve(['--fleet', '2', '--kubeconfig-out', kubeconfig]);
    try {
      expect(s.ready).toMatchObject({ kubeconfig, namespace: 'sei', crd: 'seed', fleet: 2 });
      expect(s.ready.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
      const token = /token: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))![1];
      const r = await kubectl(kubeconfig, ['get', 'seinodes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/node-0[\s\S]*node-1/);
      expect(s.stdout()).not.toContain(token);
      expect(s.stderr()).not.toContain(token);
      expect(s.stderr()).toContain(`kubeconfig: ${kubeconfig}`);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(s.stdout().trim().split('\n')).toHaveLength(1);
    expect(s.stderr()).toContain('simulated cluster stopped');
  });

  it('seeds from `kubectl get -o yaml` output (a List with server fields) and continues over the same --state-dir', async () => {
    const seed = join(dir, 'seed.yaml');
    writeFileSync(seed, `apiVersion: v1
kind: List
items:
- apiVersion: sei.io/v1alpha1
  kind: SeiNode
  metadata:
    name: rpc-a
    namespace: prod
    uid: 11111111-2222-3333-4444-555555555555
    resourceVersion: "987654"
    generation: 7
    creationTimestamp: "2025-01-01T00:00:00Z"
    managedFields: [{manager: someone, operation: Apply}]
  spec: {chainId: pacific-1, image: "ghcr.io/sei-protocol/seid:v5.9.0", fullNode: {}, peers: [{static: {addresses: ["abc@10.0.0.1:26656"]}}]}
  status: {phase: Running}
`);
    const state = join(dir, 'state');
    const k = join(dir, 'k2');
    const first = await serve(['--seed', seed, '--state-dir', state, '--kubeconfig-out', k, '-n', 'prod']);
    let uid: string;
    let rv: number;
    try {
      const got = await kubectl(k, ['get', 'seinode', 'rpc-a', '-o', 'json']);
      expect(got.code, got.stderr).toBe(0);
      const node = JSON.parse(got.stdout);
      expect(node.metadata.uid).not.toBe('11111111-2222-3333-4444-555555555555');
      expect(node.metadata.generation).toBe(1);
      expect(node.metadata.managedFields ?? []).not.toContainEqual(expect.objectContaining({ manager: 'someone' }));
      expect(node.spec.image).toBe('ghcr.io/sei-protocol/seid:v5.9.0');
      const labelled = await kubectl(k, ['label', 'seinode', 'rpc-a', 'kept=yes']);
      expect(labelled.code, labelled.stderr).toBe(0);
      const after = JSON.parse((await kubectl(k, ['get', 'seinode', 'rpc-a', '-o', 'json'])).stdout);
      uid = after.metadata.uid;
      rv = Number(after.metadata.resourceVersion);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const second = await serve(['--seed', seed, '--state-dir', state, '--kubeconfig-out', k, '-n', 'prod']);
    try {
      const node = JSON.parse((await kubectl(k, ['get', 'seinode', 'rpc-a', '-o', 'json'])).stdout);
      expect(node.metadata.uid).toBe(uid);
      expect(node.metadata.labels.kept).toBe('yes');
      await kubectl(k, ['label', 'seinode', 'rpc-a', 'again=yes']);
      const next = JSON.parse((await kubectl(k, ['get', 'seinode', 'rpc-a', '-o', 'json'])).stdout);
      expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(rv);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('without --kubeconfig-out still prints how to reach it (a 0600 kubeconfig it wrote) and counts the nodes a --seed brought (issue 12 trap 8)', async () => {
    const seed = join(dir, 'seed-count.yaml');
    writeFileSync(seed, 'apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata: {name: rpc-a, namespace: sei}\nspec: {chainId: pacific-1, image: "ghcr.io/sei-protocol/seid:v5.9.0", fullNode: {}}\n---\napiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata: {name: val-a, namespace: sei}\nspec: {chainId: pacific-1, image: "ghcr.io/sei-protocol/seid:v5.9.0", validator: {}}\n');
    const s = await serve(['--seed', seed, '--fleet', '1']);
    try {
      expect(s.ready).toMatchObject({ nodes: 3, fleet: 2, validators: 1 });
      expect(s.ready.kubeconfig).toEqual(expect.any(String));
      expect(statSync(s.ready.kubeconfig).mode & 0o777).toBe(0o600);
      expect(s.stderr()).toContain('3 SeiNodes, 1 of them validator');
      expect(s.stderr()).toContain(`kubeconfig: ${s.ready.kubeconfig}`);
      const got = await kubectl(s.ready.kubeconfig, ['get', 'seinodes', '-n', 'sei', '-o', 'name']);
      expect(got.code, got.stderr).toBe(0);
      expect(got.stdout).toContain('seinode.sei.io/val-a');
      const token = /token: (\S+)/.exec(readFileSync(s.ready.kubeconfig, 'utf8'))![1]!;
      expect(s.stdout() + s.stderr()).not.toContain(token);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('a restart over the same --state-dir and --port keeps the CA and token: the first kubeconfig still works', async () => {
    const state = join(dir, 'state-identity');
    const k = join(dir, 'k-identity');
    const first = await serve(['--fleet', '1', '--state-dir', state, '--kubeconfig-out', k]);
    const port = new URL(first.ready.url).port;
    try {
      const got = await kubectl(k, ['get', 'seinodes', '-n', 'sei', '-o', 'name']);
      expect(got.code, got.stderr).toBe(0);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(statSync(join(state, 'identity.json')).mode & 0o777).toBe(0o600);
    // No --kubeconfig-out the second time: the client keeps the file it was given.
    const second = await serve(['--fleet', '1', '--state-dir', state, '--port', port]);
    try {
      const got = await kubectl(k, ['get', 'seinodes', '-n', 'sei', '-o', 'name']);
      expect(got.code, got.stderr).toBe(0);
      expect(got.stdout).toContain('seinode.sei.io/');
      expect(second.stdout()).not.toContain(readFileSync(join(state, 'identity.json'), 'utf8').match(/"token":"([^"]+)"/)![1]);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('serves the latest SeiNodeTask API with --crd latest', async () => {
    const k = join(dir, 'k3');
    const s = await serve(['--crd', 'latest', '--fleet', '1', '--kubeconfig-out', k]);
    try {
      expect(s.ready.crd).toBe('latest');
      const explained = await kubectl(k, ['explain', 'seinodetask.spec']);
      expect(explained.code, explained.stderr).toBe(0);
      expect(explained.stdout).toMatch(/restartSeid\s+<Object>/);
      expect(explained.stdout).not.toMatch(/discoverPeers\s+<Object>/);
    } finally {
      await s.stop();
    }
  });

  it('--validators N adds validator SeiNodes next to the --fleet full nodes, and --crd latest serves sntw', async () => {
    const k = join(dir, 'k4');
    const s = await serve(['--crd', 'latest', '--fleet', '2', '--validators', '1', '--kubeconfig-out', k]);
    try {
      expect(s.ready).toMatchObject({ fleet: 2, validators: 1 });
      const modes = await kubectl(k, ['get', 'seinodes', '-n', 'sei', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.fullNode}{.spec.validator}{"\\n"}{end}']);
      expect(modes.code, modes.stderr).toBe(0);
      expect(modes.stdout.trim().split('\n')).toEqual(['node-0={}', 'node-1={}', 'validator-0={}']);
      const validatorSpec = await kubectl(k, ['get', 'seinode', 'validator-0', '-n', 'sei', '-o', 'jsonpath={.spec.validator}']);
      expect(validatorSpec.stdout).toBe('{}');
      const workflows = await kubectl(k, ['get', 'sntw', '-n', 'sei']);
      expect(workflows.code, workflows.stderr).toBe(0);
    } finally {
      await s.stop();
    }
  });

  it.each([
    ['a missing seed file', ['--seed', '/nonexistent/seed.yaml'], /no such file/],
    ['a seed with a YAML error', ['--seed', 'BADSEED'], /bad\.yaml:\d+:\d+/],
    ['a seed with an unserved kind', ['--seed', 'UNSERVED'], /apps\/v1 Deployment is not served/],
    ['a fault config with a bad rate', ['--faults', 'BADFAULTS'], /faults\.errorRate/],
    // Once exit 4 "internal error" (issue 13, defect 14).
    ['a fault config with a YAML error', ['--faults', 'BADYAMLFAULTS'], /faults-bad\.yaml:2:\d+: YAML syntax error/],
    ['an unknown --crd flavor', ['--crd', 'newest'], /Expected --crd=newest to be one of: seed, latest/],
    ['a port already in use', ['--port', 'BUSYPORT'], /already in use/],
  ])('refuses %s with exit code 2', async (_name, args, message) => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n');
    const unserved = join(dir, 'unserved.yaml');
    writeFileSync(unserved, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
    const faults = join(dir, 'faults.yaml');
    writeFileSync(faults, 'seed: 1\nerrorRate: 2\n');
    const badYamlFaults = join(dir, 'faults-bad.yaml');
    writeFileSync(badYamlFaults, 'seed: 1\n\terrorRate: 0.5\n');
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = String((busy.address() as { port: number }).port);
    try {
      const resolved = args.map((a) => ({ BADSEED: bad, UNSERVED: unserved, BADFAULTS: faults, BADYAMLFAULTS: badYamlFaults, BUSYPORT: port })[a] ?? a);
      const r = await cli(['sim', 'serve', ...resolved]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    } finally {
      busy.close();
    }
  });
});
