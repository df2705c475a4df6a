/**
 * Shared fixtures for the gitops tests: SeiNodeTasks shaped like the renderer's output (plan
 * labels and step-order annotation included) and throw-away git repositories with a bare
 * "remote", driven through the real git CLI so the tests read back what git itself stores.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../src/cluster/types.js';

export function task(name: string, kind: string, node: string, payload: Record<string, unknown>, plan?: { id: string; step: string; order: number; index?: number }): KubeObject {
  const field = kind.charAt(0).toLowerCase() + kind.slice(1);
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: {
      name,
      namespace: 'arctic-1',
      labels: {
        'app.kubernetes.io/managed-by': 'kubectl-sei',
        'sei.io/node': node,
        'sei.io/task-kind': kind,
        ...(plan ? { 'sei.io/plan-id': plan.id, 'sei.io/plan-step': plan.step, 'sei.io/plan-index': String(plan.index ?? 0) } : {}),
      },
      ...(plan ? { annotations: { 'sei.io/plan-step-order': String(plan.order), 'sei.io/plan-name': 'refresh-peers' } } : {}),
    },
    spec: { kind, target: { nodeRef: { name: node } }, [field]: payload },
  };
}

/** A two-step refresh-peers plan over two nodes: DiscoverPeers then RestartPod. */
export function refreshPeersPlan(id = 'rp-7f3a'): KubeObject[] {
  return [
    task(`${id}-discover-node-0`, 'DiscoverPeers', 'node-0', {}, { id, step: 'discover', order: 0, index: 0 }),
    task(`${id}-discover-node-1`, 'DiscoverPeers', 'node-1', {}, { id, step: 'discover', order: 0, index: 1 }),
    task(`${id}-restart-node-0`, 'RestartPod', 'node-0', { podUID: '11111111-2222-3333-4444-555555555555' }, { id, step: 'restart', order: 1, index: 0 }),
    task(`${id}-restart-node-1`, 'RestartPod', 'node-1', { podUID: '66666666-7777-8888-9999-000000000000' }, { id, step: 'restart', order: 1, index: 1 }),
  ];
}

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
