/**
 * commitToGit against real repositories: a temp work tree plus a bare "remote", read back with
 * git itself (show, ls-tree, log) and, for the layout, with kubectl's own kustomize.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { commitToGit } from '../../src/services/gitops-commit.js';
import { SeiError } from '../../src/errors/index.js';
import type { KubeObject } from '../../src/cluster/types.js';
import { git, tempRepo, type TempRepo } from '../support/git.js';
import { refreshPeersPlan, task } from '../support/builders.js';
import { shortPlanId } from '../../src/plan/naming.js';

/** The plan directory and Kustomization names carry shortPlanId (src/gitops/layout.ts). */
const RP = shortPlanId('rp-7f3a');

const PATH = 'clusters/dev/arctic-1/tasks';
const KUBECTL = '/usr/bin/kubectl';

let repo: TempRepo;
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

async function refused(promise: Promise<unknown>): Promise<SeiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SeiError);
  return error as SeiError;
}

function kustomize(dir: string): KubeObject[] {
  const out = execFileSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as KubeObject);
}

describe('argocd flavor', () => {
  it('writes one file per task, a sorted kustomization and sync waves from the step order, and commits only them', async () => {
    const before = repo.head();
    const result = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'argocd' });

    expect(result.noop).toBe(false);
    expect(result.branch).toBe('main');
    expect(repo.head()).toBe(result.commit);
    expect(git(repo.work, 'rev-parse', 'HEAD~1').trim()).toBe(before);
    const changed = git(repo.work, 'diff', '--name-only', before, 'HEAD').split('\n').filter(Boolean).sort();
    expect(changed).toEqual([
      `${PATH}/kustomization.yaml`,
      `${PATH}/rp-7f3a-discover-node-0.yaml`,
      `${PATH}/rp-7f3a-discover-node-1.yaml`,
      `${PATH}/rp-7f3a-restart-node-0.yaml`,
      `${PATH}/rp-7f3a-restart-node-1.yaml`,
    ]);
    const kustomization = parse(repo.show(`HEAD:${PATH}/kustomization.yaml`));
    expect(kustomization.resources).toEqual(['rp-7f3a-discover-node-0.yaml', 'rp-7f3a-discover-node-1.yaml', 'rp-7f3a-restart-node-0.yaml', 'rp-7f3a-restart-node-1.yaml']);
    const waves = kustomize(path.join(repo.work, PATH)).map((o) => [o.metadata.name, o.metadata.annotations?.['argocd.argoproj.io/sync-wave']]);
    expect(Object.fromEntries(waves)).toEqual({
      'rp-7f3a-discover-node-0': '0',
      'rp-7f3a-discover-node-1': '0',
      'rp-7f3a-restart-node-0': '1',
      'rp-7f3a-restart-node-1': '1',
    });
    const message = git(repo.work, 'log', '-1', '--format=%B');
    expect(message).toMatch(/^sei: plan refresh-peers rp-7f3a \(4 objects: DiscoverPeers, RestartPod\) on node-0, node-1/);
    expect(message).toContain('- RestartPod arctic-1/rp-7f3a-restart-node-1 -> node-1 (step restart)');
    expect(repo.status()).toBe('');
    expect(result.warnings.some((w) => w.includes('fixed at commit time') && w.includes('no-op'))).toBe(true);
    // Issue 12 trap 8: one warning for the fan-out, naming every node, not one per task.
    const restarts = result.warnings.filter((w) => w.includes('fixed at commit time'));
    expect(restarts).toHaveLength(1);
    expect(restarts[0]).toMatch(/^2 RestartPod tasks delete their pods: rp-7f3a-restart-node-0 \(pod node-0-0, uid [^)]+\), rp-7f3a-restart-node-1 \(pod node-1-0/);
    expect(result.warnings.some((w) => w.includes('gitops health --flavor argocd'))).toBe(true);
  });

  it('a second identical commit is a no-op: no new commit, nothing written', async () => {
    await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'argocd' });
    const head = repo.head();
    const again = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'argocd' });
    expect(again).toMatchObject({ noop: true, branch: 'main' });
    expect(again.commit).toBeUndefined();
    expect(repo.head()).toBe(head);
    expect(repo.status()).toBe('');
  });
});

describe('flux flavor', () => {
  it('gives each step a directory and a Kustomization that depends on the previous step and waits for health', async () => {
    const result = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'flux' });
    expect(result.noop).toBe(false);
    const tree = repo.tree().filter((f) => f.startsWith(PATH)).sort();
    expect(tree).toEqual([
      `${PATH}/kustomization.yaml`,
      `${PATH}/refresh-peers-${RP}/00-discover/kustomization.yaml`,
      `${PATH}/refresh-peers-${RP}/00-discover/rp-7f3a-discover-node-0.yaml`,
      `${PATH}/refresh-peers-${RP}/00-discover/rp-7f3a-discover-node-1.yaml`,
      `${PATH}/refresh-peers-${RP}/01-restart/kustomization.yaml`,
      `${PATH}/refresh-peers-${RP}/01-restart/rp-7f3a-restart-node-0.yaml`,
      `${PATH}/refresh-peers-${RP}/01-restart/rp-7f3a-restart-node-1.yaml`,
      `${PATH}/refresh-peers-${RP}/kustomization.yaml`,
      `${PATH}/refresh-peers-${RP}/sei-refresh-peers-${RP}-00-discover.yaml`,
      `${PATH}/refresh-peers-${RP}/sei-refresh-peers-${RP}-01-restart.yaml`,
    ]);
    // What the parent Kustomization applies: only the per-step Flux Kustomizations, never the tasks.
    const top = kustomize(path.join(repo.work, PATH));
    expect(top.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([`Kustomization/sei-refresh-peers-${RP}-00-discover`, `Kustomization/sei-refresh-peers-${RP}-01-restart`]);
    const [discover, restart] = ['00-discover', '01-restart'].map((s) => parse(repo.show(`HEAD:${PATH}/refresh-peers-${RP}/sei-refresh-peers-${RP}-${s}.yaml`)));
    expect(discover.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(discover.spec).toMatchObject({ path: `./${PATH}/refresh-peers-${RP}/00-discover`, wait: true, prune: false, sourceRef: { kind: 'GitRepository', name: 'flux-system' } });
    expect(discover.spec.dependsOn).toBeUndefined();
    expect(restart.spec.dependsOn).toEqual([{ name: `sei-refresh-peers-${RP}-00-discover`, namespace: 'flux-system' }]);
    expect(restart.spec.healthCheckExprs[0]).toMatchObject({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask' });
    expect(restart.spec.timeout).toBe('16m');
    // Each step directory builds to exactly its tasks.
    const step = kustomize(path.join(repo.work, PATH, `refresh-peers-${RP}/01-restart`));
    expect(step.map((o) => o.metadata.name).sort()).toEqual(['rp-7f3a-restart-node-0', 'rp-7f3a-restart-node-1']);
    expect(result.warnings.some((w) => w.includes('kustomize-controller >= 1.5'))).toBe(true);
  });

  it('a task outside any plan is written flat, like plain', async () => {
    const single = task('vote-node-0', 'DiscoverPeers', 'node-0', {});
    await commitToGit({ repo: repo.work, path: PATH, objects: [single], flavor: 'flux' });
    expect(repo.tree().filter((f) => f.startsWith(PATH)).sort()).toEqual([`${PATH}/kustomization.yaml`, `${PATH}/vote-node-0.yaml`]);
    expect(git(repo.work, 'log', '-1', '--format=%s').trim()).toBe('sei: DiscoverPeers vote-node-0 on node-0');
  });
});

describe('push, branch and author', () => {
  it('--push sends the commit to the upstream remote', async () => {
    const result = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'plain', push: true });
    expect(git(repo.dir, '--git-dir', repo.remote, 'log', '-1', '--format=%H', 'main').trim()).toBe(result.commit);
  });

  it('--branch creates the branch from HEAD, commits there and leaves the checkout alone', async () => {
    const main = repo.head();
    const result = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'argocd', branch: 'sei/rp-7f3a', push: 'origin', author: 'Jane Operator <jane@example.com>' });
    expect(result.branch).toBe('sei/rp-7f3a');
    expect(repo.head()).toBe(main);
    expect(git(repo.work, 'symbolic-ref', '--short', 'HEAD').trim()).toBe('main');
    expect(existsSync(path.join(repo.work, PATH))).toBe(false);
    expect(repo.status()).toBe('');
    expect(git(repo.work, 'rev-parse', 'sei/rp-7f3a~1').trim()).toBe(main);
    expect(git(repo.work, 'log', '-1', '--format=%an <%ae>', 'sei/rp-7f3a').trim()).toBe('Jane Operator <jane@example.com>');
    expect(git(repo.dir, '--git-dir', repo.remote, 'rev-parse', 'sei/rp-7f3a').trim()).toBe(result.commit);
    // Reused, not re-created: a second plan lands on top of the first.
    const second = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan('rp-9c1d'), flavor: 'argocd', branch: 'sei/rp-7f3a' });
    expect(git(repo.work, 'rev-parse', 'sei/rp-7f3a~1').trim()).toBe(result.commit);
    expect(parse(repo.show(`${second.commit}:${PATH}/kustomization.yaml`)).resources).toHaveLength(8);
    const again = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan('rp-9c1d'), flavor: 'argocd', branch: 'sei/rp-7f3a' });
    expect(again.noop).toBe(true);
  });

  it('a failed push is exit 4 with the remote credentials redacted; the commit stays local', async () => {
    git(repo.work, 'remote', 'add', 'private', 'https://bot:s3cr3t-t0ken@127.0.0.1:9/sei/gitops.git');
    const error = await refused(commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'plain', push: 'private' }));
    expect(error).toMatchObject({ exitCode: 4, reason: 'GitError' });
    expect(`${error.message} ${error.hints.join(' ')}`).not.toContain('s3cr3t-t0ken');
    expect(error.hints.join(' ')).toContain('git push private main');
    expect(git(repo.work, 'log', '-1', '--format=%s')).toMatch(/^sei: plan/);
  });

  it('an unknown remote is refused before anything is written', async () => {
    const before = repo.head();
    const error = await refused(commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'plain', push: 'nowhere' }));
    expect(error).toMatchObject({ exitCode: 2, reason: 'NoSuchRemote' });
    expect(repo.head()).toBe(before);
  });

  it('--path . writes at the repository root, and gitops wait reads it back from there', async () => {
    const result = await commitToGit({ repo: repo.work, path: '.', objects: refreshPeersPlan(), flavor: 'flux' });
    expect(result.files).toContain('kustomization.yaml');
    expect(result.files).toContain(`refresh-peers-${RP}/00-discover/rp-7f3a-discover-node-0.yaml`);
    expect(parse(repo.show(`HEAD:refresh-peers-${RP}/sei-refresh-peers-${RP}-00-discover.yaml`)).spec.path).toBe(`./refresh-peers-${RP}/00-discover`);
    const { readCommittedTasks } = await import('../../src/gitops/committed.js');
    expect((await readCommittedTasks(repo.work, '.')).tasks).toHaveLength(4);
  });

  it('an empty repository gets its first commit', async () => {
    const empty = path.join(repo.dir, 'empty');
    execFileSync('git', ['init', '-q', '-b', 'main', empty]);
    git(empty, 'config', 'user.name', 'T');
    git(empty, 'config', 'user.email', 't@example.com');
    const result = await commitToGit({ repo: empty, path: PATH, objects: refreshPeersPlan(), flavor: 'plain' });
    expect(git(empty, 'rev-list', '--count', 'HEAD').trim()).toBe('1');
    expect(git(empty, 'rev-parse', 'HEAD').trim()).toBe(result.commit);
    expect(git(empty, 'status', '--porcelain')).toBe('');
  });

  it('other staged work stays staged and out of the commit', async () => {
    writeFileSync(path.join(repo.work, 'README.md'), '# changed by a human\n');
    git(repo.work, 'add', 'README.md');
    const result = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'plain' });
    expect(git(repo.work, 'show', '--name-only', '--format=', result.commit!)).not.toContain('README.md');
    expect(repo.status()).toBe('M  README.md\n');
  });
});

describe('kustomization.yaml ownership', () => {
  it('keeps comments, other fields and entries; inserts new entries in sorted position', async () => {
    mkdirSync(path.join(repo.work, PATH), { recursive: true });
    const mine = ['# owned by the platform team', 'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'namespace: arctic-1 # pinned', 'resources:', '  - a-first.yaml # keep me first', '  - zz-last.yaml', ''].join('\n');
    writeFileSync(path.join(repo.work, PATH, 'kustomization.yaml'), mine);
    git(repo.work, 'add', PATH);
    git(repo.work, 'commit', '-q', '-m', 'platform kustomization');
    await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'plain' });
    const text = repo.show(`HEAD:${PATH}/kustomization.yaml`);
    expect(text).toContain('# owned by the platform team');
    expect(text).toContain('namespace: arctic-1 # pinned');
    expect(text).toContain('- a-first.yaml # keep me first');
    expect(parse(text).resources).toEqual(['a-first.yaml', 'rp-7f3a-discover-node-0.yaml', 'rp-7f3a-discover-node-1.yaml', 'rp-7f3a-restart-node-0.yaml', 'rp-7f3a-restart-node-1.yaml', 'zz-last.yaml']);
  });
});

describe('dry run', () => {
  it('runs every check, previews the changed files and writes nothing', async () => {
    const before = repo.head();
    const preview = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'argocd', dryRun: true, push: true });
    expect(preview.noop).toBe(false);
    expect(preview.commit).toBeUndefined();
    expect(preview.changed).toEqual(preview.files);
    expect(parse(preview.preview![`${PATH}/rp-7f3a-restart-node-1.yaml`]!).metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(repo.head()).toBe(before);
    expect(repo.status()).toBe('');
    expect(git(repo.dir, '--git-dir', repo.remote, 'rev-parse', 'main').trim()).toBe(before);
    // The same refusals as a real commit.
    await expect(commitToGit({ repo: repo.work, path: PATH, objects: [task('../x', 'DiscoverPeers', 'node-0', {})], flavor: 'plain', dryRun: true })).rejects.toMatchObject({ exitCode: 2 });
    // After the real commit, a dry run of the same input changes nothing.
    await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'argocd' });
    expect(await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'argocd', dryRun: true })).toMatchObject({ noop: true, changed: [] });
  });
});

describe('refusals: exit 2 and nothing committed or written', () => {
  const secret = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'validator-key', namespace: 'arctic-1' }, ...extra });

  it.each([
    ['a name with ..', () => [task('../evil', 'DiscoverPeers', 'node-0', {})], 'Invalid', /metadata\.name/],
    ['a name with a slash', () => [task('a/b', 'DiscoverPeers', 'node-0', {})], 'Invalid', /metadata\.name/],
    ['an absolute name', () => [task('/etc/passwd', 'DiscoverPeers', 'node-0', {})], 'Invalid', /metadata\.name/],
    ['a NUL in the name', () => [task('a\0b', 'DiscoverPeers', 'node-0', {})], 'Invalid', /metadata\.name/],
    ['a namespace that escapes', () => [{ ...task('ok', 'DiscoverPeers', 'node-0', {}), metadata: { name: 'ok', namespace: '../..' } }], 'Invalid', /metadata\.namespace/],
    ['a plaintext Secret', () => [secret({ stringData: { priv_validator_key: '{"priv_key":"plain"}' } })], 'PlaintextSecret', /not SOPS-encrypted/],
    ['a Secret with sops but a plaintext value', () => [secret({ data: { key: 'cGxhaW4=' }, sops: { mac: 'ENC[AES256_GCM,data:x]', age: [] } })], 'Invalid', /data\.key is not encrypted/],
    ['an invalid task (RestartPod with an empty podUID)', () => [task('restart-node-0', 'RestartPod', 'node-0', { podUID: '' })], 'Invalid', /podUID/],
    ['a RestartPod with the offline placeholder uid', () => [task('restart-node-0', 'RestartPod', 'node-0', { podUID: 'read-by-preflight-before-apply' })], 'Invalid', /offline placeholder/],
    ['two objects for one file', () => [task('same', 'DiscoverPeers', 'node-0', {}), task('same', 'DiscoverPeers', 'node-1', {})], 'Invalid', /both be written/],
  ])('%s', async (_scenario, objects, reason, message) => {
    const before = repo.head();
    const error = await refused(commitToGit({ repo: repo.work, path: PATH, objects: objects(), flavor: 'argocd' }));
    expect(error.exitCode).toBe(2);
    expect(error.reason).toBe(reason);
    expect(`${error.message} ${error.causes.map((c) => c.field).join(' ')}`).toMatch(message);
    expect(repo.head()).toBe(before);
    expect(repo.status()).toBe('');
    expect(existsSync(path.join(repo.work, PATH))).toBe(false);
  });

  it('a SOPS-encrypted Secret is committed', async () => {
    const sealed = secret({ data: { key: 'ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]' }, sops: { mac: 'ENC[AES256_GCM,data:m]', age: [{ recipient: 'age1xyz', enc: '...' }], encrypted_regex: '^(data|stringData)$' } });
    const result = await commitToGit({ repo: repo.work, path: PATH, objects: [sealed], flavor: 'plain' });
    expect(parse(repo.show(`${result.commit}:${PATH}/validator-key.yaml`)).data.key).toMatch(/^ENC\[/);
  });

  it.each([
    ['an unstaged edit of the kustomization', (dir: string) => writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: [mine.yaml]\n'), false],
    ['a staged edit of a task file', (dir: string) => {
      writeFileSync(path.join(dir, 'rp-7f3a-discover-node-0.yaml'), 'kind: Edited\n');
      git(dir, 'add', '.');
    }, false],
    ['an untracked file where a new task goes', (dir: string) => writeFileSync(path.join(dir, 'rp-9c1d-restart-node-1.yaml'), 'hand: written\n'), true],
  ])('refuses %s and leaves it alone', async (_scenario, edit, newPlan) => {
    await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'plain' });
    const dir = path.join(repo.work, PATH);
    edit(dir);
    const before = repo.head();
    const status = repo.status();
    const error = await refused(commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(newPlan ? 'rp-9c1d' : 'rp-7f3a').map((o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, extra: 'changed' } } })), flavor: 'plain' }));
    expect(error).toMatchObject({ exitCode: 2, reason: 'UncommittedChanges' });
    expect(error.hints.join(' ')).toContain('git diff HEAD --');
    expect(repo.head()).toBe(before);
    expect(repo.status()).toBe(status);
  });

  it('a path outside the repository is refused', async () => {
    const error = await refused(commitToGit({ repo: repo.work, path: '../outside', objects: refreshPeersPlan(), flavor: 'plain' }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('outside the repository');
  });

  it('a file in the way of --path is refused', async () => {
    const error = await refused(commitToGit({ repo: repo.work, path: 'clusters/dev/other.yaml/tasks', objects: refreshPeersPlan(), flavor: 'plain' }));
    expect(error).toMatchObject({ exitCode: 2, reason: 'PathConflict' });
  });

  it('a detached HEAD needs --branch', async () => {
    git(repo.work, 'checkout', '-q', '--detach');
    const error = await refused(commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'plain' }));
    expect(error).toMatchObject({ exitCode: 2, reason: 'DetachedHead' });
  });

  it('not a git repository', async () => {
    const error = await refused(commitToGit({ repo: repo.dir, path: PATH, objects: refreshPeersPlan(), flavor: 'plain' }));
    expect(error).toMatchObject({ exitCode: 2, reason: 'NotAGitRepository' });
  });
});

it('an interrupted earlier run (our files written but not committed) is finished, not refused', async () => {
  const dir = path.join(repo.work, PATH);
  mkdirSync(dir, { recursive: true });
  const first = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'plain', branch: 'scratch' });
  // Simulate: the files as kubectl-sei would write them are in the tree, uncommitted, on main.
  for (const file of first.files) writeFileSync(path.join(repo.work, file), git(repo.work, 'show', `scratch:${file}`));
  const result = await commitToGit({ repo: repo.work, path: PATH, objects: refreshPeersPlan(), flavor: 'plain' });
  expect(result.noop).toBe(false);
  expect(repo.status()).toBe('');
  expect(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')).toBe(repo.show(`HEAD:${PATH}/kustomization.yaml`));
});
