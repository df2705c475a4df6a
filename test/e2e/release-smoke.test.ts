// The release executable as krew installs it (store directory + a link in krew's bin), run with
// no `node` anywhere on PATH against the simulated cluster: --version, kinds, task render,
// task restart-pod, and --env-file reaching kubectl-sei. The linux-amd64 archive is built once
// (scripts/release.mjs --only linux-amd64) when missing or older than the current build.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS, startTestCluster, type TestCluster } from '../support/cluster.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARCHIVE = join(ROOT, 'release', 'kubectl-sei-linux-amd64.tar.gz');
const BUNDLE = join(ROOT, 'dist', 'bundle', 'cli.cjs');
const onLinuxAmd64 = process.platform === 'linux' && process.arch === 'x64';

let cluster: TestCluster;
let home: string;
let pathEnv: string;
let whyNot: string | undefined;

function build(): string | undefined {
  if (!onLinuxAmd64) return 'the linux-amd64 executable runs only on linux x64';
  if (existsSync(ARCHIVE) && statSync(ARCHIVE).mtimeMs >= statSync(BUNDLE).mtimeMs) return undefined;
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'release.mjs'), '--only', 'linux-amd64'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  return result.status === 0 ? undefined : `npm run release could not build the linux-amd64 archive here: ${result.stderr.split('\n').filter(Boolean).slice(-3).join(' | ')}`;
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl-sei', args, { cwd: home, env: { HOME: home, PATH: pathEnv, KUBECONFIG: cluster.kubeconfig, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error('run `npm run build` first');
  whyNot = build();
  // Where the executable can run, failing to build it is a failure, never a quiet skip.
  if (whyNot && onLinuxAmd64) throw new Error(whyNot);
  if (whyNot) return;
  cluster = await startTestCluster();
  home = mkdtempSync(join(tmpdir(), 'sei-krew-'));
  // krew's layout: the archive unpacked into store/<plugin>/<version>, its bin linked into bin/.
  const store = join(home, '.krew', 'store', 'sei', 'v0.1.0');
  const bin = join(home, '.krew', 'bin');
  const tools = join(home, 'tools');
  for (const dir of [store, bin, tools]) mkdirSync(dir, { recursive: true });
  expect(spawnSync('tar', ['-xzf', ARCHIVE, '-C', store]).status).toBe(0);
  symlinkSync(join(store, 'kubectl-sei'), join(bin, 'kubectl-sei'));
  // The launcher is /bin/sh and needs readlink; nothing else, and certainly no node.
  symlinkSync(spawnSync('sh', ['-c', 'command -v readlink'], { encoding: 'utf8' }).stdout.trim(), join(tools, 'readlink'));
  pathEnv = `${bin}:${tools}`;
}, 700_000);

afterAll(async () => {
  await cluster?.sim.stop();
});

describe('release executable (linux-amd64, krew layout, no node on PATH)', () => {
  it('the archive holds LICENSE, the launcher and the executable, and PATH has no node', () => {
    if (whyNot) return void console.warn(`skipped: ${whyNot}`);
    expect(readdirSync(join(home, '.krew', 'store', 'sei', 'v0.1.0')).sort()).toEqual(['LICENSE', 'kubectl-sei', 'kubectl-sei-bin', 'kubectl_complete-sei']);
    expect(pathEnv.split(':').some((dir) => existsSync(join(dir, 'node')))).toBe(false);
  });

  it('--version, kinds and an offline task render', async () => {
    if (whyNot) return void console.warn(`skipped: ${whyNot}`);
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^kubectl-sei\/\d+\.\d+\.\d+ linux-x64 node-v20\./);
    const kinds = await run(['kinds', '-o', 'json']);
    expect(kinds.code).toBe(0);
    expect((JSON.parse(kinds.stdout) as Array<{ name: string }>).map((k) => k.name)).toContain('restart-pod');
    const render = await run(['task', 'render', 'restart-pod', '--node', 'node-0', '--set', 'podUID=abc', '-o', 'json']);
    expect(render.code).toBe(0);
    expect((JSON.parse(render.stdout) as { spec: { restartPod: { podUID: string } } }).spec.restartPod.podUID).toBe('abc');
  });

  it('task restart-pod against the sim, and --env-file reaches kubectl-sei', async () => {
    if (whyNot) return void console.warn(`skipped: ${whyNot}`);
    const restart = await run(['task', 'restart-pod', 'node-0', '-n', NS]);
    expect(restart.stderr).toMatch(/✔ node-0-restart-pod-\S+ Complete/);
    expect(restart.code).toBe(0);
    const envFile = join(home, 'out.env');
    const discover = await run(['task', 'discover-peers', 'node-1', '-n', NS, '--output-env', 'TASK={.metadata.name}', '--env-file', envFile]);
    expect(discover.code).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toMatch(/^TASK=/m);
  });

  it('unpacks the libraries kept apart from the bundles (oidc, SOCKS proxies) beside them', () => {
    if (whyNot) return void console.warn(`skipped: ${whyNot}`);
    const cache = join(home, '.cache', 'kubectl-sei');
    const [build] = readdirSync(cache).filter((name) => existsSync(join(cache, name, '.complete')));
    expect(build).toBeDefined();
    const apart = readdirSync(join(ROOT, 'dist', 'bundle', 'apart')).sort();
    expect(apart).toContain('openid-client.cjs');
    expect(readdirSync(join(cache, build!, 'dist', 'bundle', 'apart')).sort()).toEqual(apart);
  });
});
