#!/usr/bin/env node
// `npm run build`: tsc, the esbuild bundle (scripts/bundle.mjs) and the oclif manifest, built
// in a private staging directory and swapped in for dist/ with two renames at the end. Several
// people and test runs build concurrently on one machine: `rm -rf dist && tsc` left every
// other process without a CLI for the whole compile; now dist/ is always a complete build.
// Fails (non-zero) when tsc reports errors, as before, but only after the swap: tsc still
// emits, and a type error elsewhere must not take the CLI away from everyone.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * A CLI started before the swap imports its lazy chunks afterwards; chunk names are content
 * hashes, so the previous build's own chunks are kept for one more build (listed in
 * chunks.json, so carried files are not carried again).
 */
function carryPreviousChunks(previous, next) {
  const own = readdirSync(next);
  writeFileSync(join(next, 'chunks.json'), `${JSON.stringify(own)}\n`);
  const listing = join(previous, 'chunks.json');
  if (!existsSync(listing)) return;
  for (const file of JSON.parse(readFileSync(listing, 'utf8'))) {
    if (!own.includes(file) && existsSync(join(previous, file))) copyFileSync(join(previous, file), join(next, file));
  }
}

rmSync(join(ROOT, STAGE), { recursive: true, force: true });
const tscStatus = run(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', STAGE]);
try {
  if (!existsSync(join(ROOT, STAGE, 'commands'))) throw new Error('tsc produced no output');
  if (run(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), STAGE]) !== 0) throw new Error('bundling failed');
  carryPreviousChunks(join(ROOT, 'dist', 'bundle'), join(ROOT, STAGE, 'bundle'));
  if (existsSync(join(ROOT, 'dist'))) renameSync(join(ROOT, 'dist'), join(ROOT, OLD));
  renameSync(join(ROOT, STAGE), join(ROOT, 'dist'));
} finally {
  rmSync(join(ROOT, STAGE), { recursive: true, force: true });
  rmSync(join(ROOT, OLD), { recursive: true, force: true });
}
if (run(bin('oclif'), ['manifest']) !== 0) process.exit(1);
process.exit(tscStatus === 0 ? 0 : 1);
