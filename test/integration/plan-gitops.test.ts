// plan apply --gitops-repo: the rendered tasks are committed (not applied) to a real git repo,
// with the plan labels and step-order annotation the GitOps engines order by.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { commitPlanToGit } from '../../src/services/plan-gitops.js';

const ID = '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

describe('plan apply --gitops-repo', () => {
  it('commits every task of a plan with plan labels and step order, in one commit', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'sei-plan-git-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'Test');
    writeFileSync(join(repo, 'README.md'), 'fleet\n');
    git('add', '.');
    git('commit', '-qm', 'init');
    const fleet = join(repo, '..', `fleet-${Date.now()}.yaml`);
    writeFileSync(fleet, ['a', 'b', 'c'].map((n) => `- {name: node-${n}, labels: {sei.io/chain: arctic-1}, phase: Running, peers: [x]}`).join('\n'));
    await expect(commitPlanToGit({ file: 'refresh-peers', planId: ID, namespace: 'arctic-1', fleetFile: fleet, repo, path: 'clusters/dev/tasks', flavor: 'argocd' })).rejects.toThrow(/needs the uid of pod node-a-0 and no cluster is reachable/);
    expect(git('log', '--oneline').trim().split('\n')).toHaveLength(1);
    const result = await commitPlanToGit({ file: join(import.meta.dirname, '..', 'fixtures', 'plans', 'two-steps.yaml'), planId: ID, namespace: 'arctic-1', fleetFile: fleet, repo, path: 'clusters/dev/tasks', flavor: 'argocd' });
    expect(result.planId).toBe(ID);
    expect(result.commit.noop).toBe(false);
    expect(git('log', '--oneline').trim().split('\n')).toHaveLength(2);
    const objects = files(join(repo, 'clusters', 'dev', 'tasks'))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()))
      .filter((o) => o?.kind === 'SeiNodeTask');
    expect(objects).toHaveLength(6);
    expect(objects.map((o) => o.spec.kind).sort()).toEqual(['DiscoverPeers', 'DiscoverPeers', 'DiscoverPeers', 'MarkReady', 'MarkReady', 'MarkReady']);
    for (const o of objects) {
      expect(o.metadata.labels['sei.io/plan-id']).toBe(ID);
      expect(['0', '1']).toContain(o.metadata.annotations['sei.io/plan-step-order']);
    }
  }, 60_000);
});
