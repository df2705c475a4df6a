#!/usr/bin/env node
// `npm run build`: tsc, the esbuild bundle (scripts/bundle.mjs), the oclif manifest and the
// bundle's code cache (one warm-up run); tsc and the bundle are built
// in a private staging directory and swapped in for dist/ with two renames at the end. Several
// people and test runs build concurrently on one machine: `rm -rf dist && tsc` left every
// other process without a CLI for the whole compile; now dist/ is always a complete build.
// Fails (non-zero) when tsc reports errors, as before, but only after the swap: tsc still
// emits, and a type error elsewhere must not take the CLI away from everyone.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAGE = `dist.build-${process.pid}`;
const OLD = `dist.old-${process.pid}`;
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

rmSync(join(ROOT, STAGE), { recursive: true, force: true });
const tscStatus = run(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', STAGE]);
try {
  if (!existsSync(join(ROOT, STAGE, 'commands'))) throw new Error('tsc produced no output');
  if (run(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), STAGE]) !== 0) throw new Error('bundling failed');
  if (existsSync(join(ROOT, 'dist'))) renameSync(join(ROOT, 'dist'), join(ROOT, OLD));
  renameSync(join(ROOT, STAGE), join(ROOT, 'dist'));
} finally {
  rmSync(join(ROOT, STAGE), { recursive: true, force: true });
  rmSync(join(ROOT, OLD), { recursive: true, force: true });
}
if (run(bin('oclif'), ['manifest']) !== 0) process.exit(1);
// The first run of each bundle writes its V8 code cache (src/launch/code-cache.ts), holding the
// functions that run compiled: `task get` of 200 tasks against the simulated cluster for
// quick.cjs (kubeconfig, TLS, the compressed list, the table), then an offline render for
// cli.cjs (oclif's parser, rendering, validation), so the first real command starts warm. The
// get comes first, although a run the fast path declines writes no quick.cjs cache anyway
// (launch.ts skipCacheWrite): that cache held only the front door and made every get ~7 ms
// slower. The sim runs in this process, so the CLI runs asynchronously beside it.
const cliBin = join(ROOT, 'bin', 'kubectl-sei');
const { startSim } = await import(pathToFileURL(join(ROOT, 'dist', 'sim', 'index.js')).href);
const sim = await startSim({ namespace: 'sei', fleet: 1 });
const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kubectl-sei-build-')), 'kubeconfig');
try {
  sim.writeKubeconfig(kubeconfig);
  const task = (name) => ({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name, namespace: 'sei' }, spec: { kind: 'MarkReady', target: { nodeRef: { name: 'node-0' } }, markReady: {} } });
  // A list the size operators meet: the sim compresses it, as an apiserver does.
  for (let i = 0; i < 200; i++) sim.store.create('seinodetasks', task(`warm-${i}`));
  const fast = await new Promise((resolve) => execFile(process.execPath, [cliBin, 'task', 'get', '-n', 'sei', '--kubeconfig', kubeconfig], { cwd: ROOT }, (error, _stdout, stderr) => resolve({ error, stderr })));
  if (fast.error) {
    process.stderr.write(`build: the fast path does not run: ${fast.stderr}\n`);
    process.exit(1);
  }
} finally {
  await sim.stop();
  rmSync(dirname(kubeconfig), { recursive: true, force: true });
}
const warm = spawnSync(process.execPath, [cliBin, 'task', 'render', 'restart-pod', '--node', 'node-0', '--set', 'podUID=warm'], { cwd: ROOT, encoding: 'utf8' });
if (warm.status !== 0) {
  process.stderr.write(`build: the built CLI does not run: ${warm.stderr}\n`);
  process.exit(1);
}
process.exit(tscStatus === 0 ? 0 : 1);
