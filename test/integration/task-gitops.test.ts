// The paved roads' GitOps hook: --gitops-repo commits the rendered, validated task to a real
// git repository instead of applying it; a RestartPod still gets the live pod UID.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { silentProgress } from '../../src/output/progress.js';
import { runTask } from '../../src/services/run-task.js';
import { isSeiError } from '../../src/errors/sei-error.js';
import { NS } from '../support/builders.js';
import { podUid, startTestCluster, taskNames, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
let repo: string;
const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });

beforeAll(async () => {
  cluster = await startTestCluster();
  repo = join(cluster.dir, 'repo');
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  git('commit', '-q', '--allow-empty', '-m', 'init');
});

afterAll(async () => {
  await cluster?.sim.stop();
});

describe('--gitops-repo on the paved roads', () => {
  it('commits a DiscoverPeers instead of applying it', async () => {
    const before = await taskNames(cluster.client);
    const progress = silentProgress();
    const result = await runTask({ client: cluster.client, render: { kind: 'discover-peers', node: 'node-1', name: 'git-dp', namespace: NS }, wait: true, progress, gitops: { repo, path: 'clusters/sim/tasks' } });
    expect(result.gitops?.noop).toBe(false);
    expect(git('log', '--format=%H', '-1').trim()).toBe(result.gitops?.commit);
    const committed = parse(git('show', 'HEAD:clusters/sim/tasks/git-dp.yaml')) as { spec: { kind: string } };
    expect(committed.spec.kind).toBe('DiscoverPeers');
    expect(await taskNames(cluster.client)).toEqual(before);
  });

  it('fills a RestartPod with the live pod UID read at commit time', async () => {
    const uid = await podUid(cluster.client, 'node-0');
    const progress = silentProgress();
    const result = await runTask({ client: cluster.client, render: { kind: 'restart-pod', node: 'node-0', name: 'git-rp', namespace: NS }, wait: true, progress, gitops: { repo, path: 'clusters/sim/tasks' } });
    const committed = parse(git('show', 'HEAD:clusters/sim/tasks/git-rp.yaml')) as { spec: { restartPod: { podUID: string } } };
    expect(committed.spec.restartPod.podUID).toBe(uid);
    expect(result.gitops?.warnings.join('\n')).toContain('applies it later');
  });

  it('refuses an invalid task before touching the repository', async () => {
    const head = git('rev-parse', 'HEAD');
    let error: unknown;
    try {
      await runTask({ client: cluster.client, render: { kind: 'update-node-image', node: 'node-0', name: 'git-bad', namespace: NS }, wait: true, progress: silentProgress(), gitops: { repo, path: 'clusters/sim/tasks' } });
    } catch (e) {
      error = e;
    }
    expect(isSeiError(error) && error.exitCode).toBe(2);
    expect(git('rev-parse', 'HEAD')).toBe(head);
  });
});
