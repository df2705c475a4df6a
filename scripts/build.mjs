#!/usr/bin/env node
// `npm run build`: tsc, the esbuild bundle (scripts/bundle.mjs), the oclif manifest and the
// bundle's code cache (one warm-up run); tsc and the bundle are built
// in a private staging directory and swapped in for dist/ with two renames at the end. Several
// people and test runs build concurrently on one machine: `rm -rf dist && tsc` left every
// other process without a CLI for the whole compile; now dist/ is always a complete build.
// Fails (non-zero) when tsc reports errors, as before, but only after the swap: tsc still
// emits, and a type error elsewhere must not take the CLI away from everyone.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
// One offline render writes the bundle's V8 code cache (src/launch/code-cache.ts), holding the
// functions of oclif's parser, rendering and validation, so the first real command starts warm.
const warm = spawnSync(process.execPath, [join(ROOT, 'bin', 'kubectl-sei'), 'task', 'render', 'restart-pod', '--node', 'node-0', '--set', 'podUID=warm'], { cwd: ROOT, encoding: 'utf8' });
if (warm.status !== 0) {
  process.stderr.write(`build: the built CLI does not run: ${warm.stderr}\n`);
  process.exit(1);
}
process.exit(tscStatus === 0 ? 0 : 1);
