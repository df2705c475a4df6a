/**
 * The one git helper for tests: throw-away repositories with a bare "remote", driven through
 * the real git CLI so the tests read back what git itself stores. (Task objects: ./builders.ts.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
}

export interface TempRepo {
  dir: string;
  work: string;
  remote: string;
  head(): string;
  show(spec: string): string;
  tree(ref?: string): string[];
  status(): string;
  cleanup(): void;
}

/** A work tree on branch main with one commit, and a bare remote "origin" that has it. */
export function tempRepo(): TempRepo {
  const dir = mkdtempSync(path.join(tmpdir(), 'sei-gitops-test-'));
  const work = path.join(dir, 'work');
  const remote = path.join(dir, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  execFileSync('git', ['init', '-q', '-b', 'main', work]);
  git(work, 'config', 'user.name', 'Test Operator');
  git(work, 'config', 'user.email', 'ops@example.com');
  git(work, 'config', 'commit.gpgsign', 'false');
  execFileSync('sh', ['-c', 'echo "# gitops" > README.md && mkdir -p clusters/dev && echo "keep: true" > clusters/dev/other.yaml'], { cwd: work });
  git(work, 'add', 'README.md', 'clusters/dev/other.yaml');
  git(work, 'commit', '-q', '-m', 'init');
  git(work, 'remote', 'add', 'origin', remote);
  git(work, 'push', '-q', '-u', 'origin', 'main');
  return {
    dir,
    work,
    remote,
    head: () => git(work, 'rev-parse', 'HEAD').trim(),
    show: (spec) => git(work, 'show', spec),
    tree: (ref = 'HEAD') => git(work, 'ls-tree', '-r', '--name-only', ref).split('\n').filter(Boolean),
    status: () => git(work, 'status', '--porcelain', '--untracked-files=all'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
