/**
 * The number of git processes a commit starts does not grow with the number of tasks: counted
 * through a `git` wrapper first on PATH that logs each call, then runs the real git.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commitToGit } from '../../src/services/gitops-commit.js';
import { tempRepo, type TempRepo } from '../support/git.js';
import { task } from '../support/builders.js';

let bin: string;
let log: string;
let repo: TempRepo;
const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
const savedPath = process.env.PATH;

beforeAll(() => {
  bin = mkdtempSync(path.join(tmpdir(), 'git-counter-'));
  log = path.join(bin, 'calls.log');
  writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$1" >> '${log}'\nexec '${realGit}' "$@"\n`);
  chmodSync(path.join(bin, 'git'), 0o755);
  repo = tempRepo();
  process.env.PATH = `${bin}:${savedPath}`;
});
afterAll(() => {
  process.env.PATH = savedPath;
  repo.cleanup();
  rmSync(bin, { recursive: true, force: true });
});

function plan(id: string, size: number) {
  return Array.from({ length: size }, (_, i) => task(`${id}-${i}`, 'DiscoverPeers', `node-${i}`, {}, { id, step: i < size / 2 ? 'a' : 'b', order: i < size / 2 ? 0 : 1, index: i }));
}

async function calls(run: () => Promise<unknown>): Promise<number> {
  writeFileSync(log, '');
  await run();
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
}

it.each(['argocd', 'flux'] as const)('%s: the same number of git calls for 4 and for 80 tasks, first commit and re-run', async (flavor) => {
  const small = await calls(() => commitToGit({ repo: repo.work, path: `s/${flavor}`, objects: plan('small', 4), flavor }));
  const large = await calls(() => commitToGit({ repo: repo.work, path: `l/${flavor}`, objects: plan('large', 80), flavor }));
  expect(small).toBeGreaterThan(5);
  expect(large).toBe(small);
  const smallAgain = await calls(() => commitToGit({ repo: repo.work, path: `s/${flavor}`, objects: plan('small', 4), flavor }));
  const largeAgain = await calls(() => commitToGit({ repo: repo.work, path: `l/${flavor}`, objects: plan('large', 80), flavor }));
  expect(largeAgain).toBe(smallAgain);
  expect(largeAgain).toBeLessThan(large);
});
