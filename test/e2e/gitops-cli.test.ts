/**
 * The built CLI (npm run build → bin/kubectl-sei) for the gitops topic, as a user runs it:
 * exit codes, stdout = data only, the metav1.Status line on stderr in machine modes, against
 * real git repositories and the simulated cluster (applied to with the real kubectl -k).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { git, tempRepo, type TempRepo } from '../support/git.js';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'kubectl-sei');
const NS = 'arctic-1';
const PATH = 'clusters/dev/arctic-1/tasks';
const run = promisify(execFile);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], input?: string): Promise<Run> {
  return runCli(args, { input: input ?? '' });
}

const lastStatus = (stderr: string) => JSON.parse(stderr.trimEnd().split('\n').at(-1) ?? '{}') as { kind: string; reason: string; message: string };

let sim: RunningSim;
let dir: string;
let kubeconfig: string;
let repo: TempRepo;

const task = (name: string, node: string) => ({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name, namespace: NS }, spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: node } }, discoverPeers: {} } });

beforeAll(async () => {
  sim = await startSim({ fleet: 1, namespace: NS, seedObjects: [{ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'lonely', namespace: NS }, spec: { chainId: 'arctic-1', image: 'seid:v6', fullNode: {} } }] });
  dir = mkdtempSync(path.join(tmpdir(), 'gitops-cli-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  repo = tempRepo();
});
afterAll(async () => {
  await sim.stop();
  repo.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl sei gitops (built CLI)', () => {
  it('health prints only YAML on stdout', async () => {
    const argocd = await cli(['gitops', 'health', '--flavor', 'argocd']);
    expect(argocd.code).toBe(0);
    expect(parse(argocd.stdout).data['resource.customizations.health.sei.io_SeiNodeTask']).toContain('hs.status = "Degraded"');
    expect(argocd.stderr).toBe('');
    const bad = await cli(['gitops', 'health', '--flavor', 'spinnaker']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/argocd, flux/);
  });

  it('the same `commit -f PLAN` twice without --plan-id is one copy: the second run is a no-op (issue 12 trap 8)', async () => {
    const planPath = 'clusters/dev/arctic-1/plan-twice';
    const args = ['gitops', 'commit', '-f', 'refresh-peers', '--set', 'chainLabel=sei.io/chain-id', '--set', 'chain=sei-sim', '-n', NS, '--kubeconfig', kubeconfig, '--repo', repo.work, '--path', planPath, '--flavor', 'argocd'];
    const first = await cli(args);
    expect(first.code, first.stderr).toBe(0);
    const files = git(repo.work, 'ls-files', planPath).trim().split('\n');
    expect(files.length).toBeGreaterThan(1);
    const head = repo.head();
    const second = await cli(args);
    expect(second.code, second.stderr).toBe(0);
    expect(repo.head()).toBe(head);
    expect(git(repo.work, 'ls-files', planPath).trim().split('\n')).toEqual(files);
    expect(repo.status()).toBe('');
  });

  it('gitops wait before the engine synced says so (exit 3), not "timed out" (issue 12 trap 8)', async () => {
    const unsynced = 'clusters/dev/arctic-1/unsynced';
    const file = path.join(dir, 'unsynced.yaml');
    writeFileSync(file, stringify(task('cli-unsynced-discover', 'node-0')));
    const committed = await cli(['gitops', 'commit', '-f', file, '--repo', repo.work, '--path', unsynced, '--flavor', 'plain']);
    expect(committed.code, committed.stderr).toBe(0);
    // Nothing applies it: the task can never appear. --timeout 0 looks once, so no deadline runs:
    // with a real one, git reads slower than its 1 s grace let the command's --timeout backstop
    // ("did not end within --timeout") answer before the wait's own verdict.
    const waited = await cli(['gitops', 'wait', '--repo', repo.work, '--path', unsynced, '--kubeconfig', kubeconfig, '--timeout', '0']);
    expect(waited.code).toBe(3);
    expect(waited.stderr).toContain('the GitOps engine has not synced yet: none of the 1 SeiNodeTask committed under');
    expect(waited.stderr).not.toMatch(/timed out/i);
  });

  it('Ctrl-C during gitops wait stops waiting with the re-attach line (exit 130), as every wait does', async () => {
    const pending = 'clusters/dev/arctic-1/interrupted';
    const file = path.join(dir, 'interrupted.yaml');
    writeFileSync(file, stringify(task('cli-interrupted-discover', 'node-0')));
    expect((await cli(['gitops', 'commit', '-f', file, '--repo', repo.work, '--path', pending, '--flavor', 'plain'])).code).toBe(0);
    let sent = false;
    const waited = await runCli(['gitops', 'wait', '--repo', repo.work, '--path', pending, '--kubeconfig', kubeconfig, '--timeout', '10m'], {
      onStderr: (stderr, child) => {
        if (!sent && stderr.includes('waiting for 1 SeiNodeTask')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(waited.code, waited.stderr).toBe(130);
    expect(waited.stderr).toContain('kubectl sei task wait cli-interrupted-discover -n arctic-1');
  });

  it('plan apply --gitops-repo keeps an approval meaningful: refused on a direct commit (exit 2, nothing written), committed on --gitops-branch (issue 12 trap 8)', async () => {
    const planFile = path.join(dir, 'approved.yaml');
    writeFileSync(planFile, 'apiVersion: cli.sei.io/v1alpha1\nkind: SeiTaskPlan\nmetadata: {name: approved}\nspec:\n  steps:\n    - id: check\n      approval: {message: "look first"}\n    - id: discover\n      kind: DiscoverPeers\n      forEach: {nodes: [node-0]}\n');
    const approvedPath = 'clusters/dev/arctic-1/approved';
    const args = ['plan', 'apply', '-f', planFile, '-n', NS, '--kubeconfig', kubeconfig, '--gitops-repo', repo.work, '--gitops-path', approvedPath, '--gitops-flavor', 'argocd'];
    const head = repo.head();
    const direct = await cli(args);
    expect(direct.code).toBe(2);
    expect(direct.stderr).toContain('approval step check');
    expect(direct.stderr).toContain('--gitops-branch');
    expect(repo.head()).toBe(head);
    expect(git(repo.work, 'ls-files', approvedPath).trim()).toBe('');
    const branched = await cli([...args, '--gitops-branch', 'sei/approved']);
    expect(branched.code, branched.stderr).toBe(0);
    expect(repo.head()).toBe(head);
    expect(git(repo.work, 'ls-tree', '-r', '--name-only', 'sei/approved', approvedPath).trim()).not.toBe('');
  });

  it('commit --push alone pushes to the upstream; a re-run is a no-op', async () => {
    const file = path.join(dir, 'ok.yaml');
    writeFileSync(file, stringify(task('cli-discover-node-0', 'node-0')));
    const dry = await cli(['gitops', 'commit', '-f', file, '--repo', repo.work, '--path', PATH, '--flavor', 'argocd', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`# ${PATH}/cli-discover-node-0.yaml\napiVersion: sei.io/v1alpha1`);
    expect(dry.stderr).toMatch(/dry run: 2 files would change on main; nothing was written/);
    expect(repo.status()).toBe('');
    const first = await cli(['gitops', 'commit', '-f', file, '--repo', repo.work, '--path', PATH, '--flavor', 'argocd', '--push', '-o', 'json']);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as { commit: string; noop: boolean; branch: string };
    expect(result).toMatchObject({ noop: false, branch: 'main' });
    expect(git(repo.dir, '--git-dir', repo.remote, 'rev-parse', 'main').trim()).toBe(result.commit);
    expect(first.stderr).toMatch(/committed [0-9a-f]{12} on main/);
    const second = await cli(['gitops', 'commit', '-f', file, '--repo', repo.work, '--path', PATH, '--flavor', 'argocd', '--push']);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/nothing to commit/);
    expect(second.stdout).toBe('');
    expect(repo.head()).toBe(result.commit);
  });

  it('a plaintext Secret is refused: exit 2, Status line, nothing committed', async () => {
    const before = repo.head();
    const secret = stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'node-key', namespace: NS }, stringData: { key: 'plaintext' } });
    const refused = await cli(['gitops', 'commit', '--from-stdin', '--repo', repo.work, '--path', PATH, '-o', 'json'], secret);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(lastStatus(refused.stderr)).toMatchObject({ kind: 'Status', reason: 'PlaintextSecret' });
    expect(refused.stderr).toMatch(/hint: Encrypt it first: sops --encrypt/);
    expect(repo.head()).toBe(before);
    expect(repo.status()).toBe('');
  });

  // A SecretList is flattened back into Secrets by kustomize; `kubectl get -o yaml` then `sops`
  // keeps the plaintext in last-applied-configuration (issue 13, defect 2).
  const enc = 'ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]';
  const sopsBlock = { mac: enc, lastmodified: '2026-01-01T00:00:00Z', version: '3.9.0' };
  it.each([
    ['a SecretList holding a plaintext Secret', { apiVersion: 'v1', kind: 'SecretList', metadata: { name: 'keys', namespace: NS }, items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'node-key', namespace: NS }, stringData: { key: 'hunter2-node-key' } }] }, /SecretList .*keys items\[0\]/],
    ['a SOPS Secret whose last-applied-configuration holds the plaintext', {
      apiVersion: 'v1', kind: 'Secret', sops: sopsBlock,
      metadata: { name: 'node-key', namespace: NS, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'node-key', namespace: NS }, data: { key: Buffer.from('hunter2-node-key').toString('base64') } }) } },
      data: { key: enc },
    }, /last-applied-configuration/],
  ])('%s is refused: exit 2, nothing committed', async (_scenario, object, where) => {
    const before = repo.head();
    const refused = await cli(['gitops', 'commit', '--from-stdin', '--repo', repo.work, '--path', PATH, '-o', 'json'], stringify(object));
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stdout).toBe('');
    expect(lastStatus(refused.stderr)).toMatchObject({ kind: 'Status', reason: 'PlaintextSecret' });
    expect(refused.stderr).toMatch(where);
    expect(refused.stderr).not.toContain('hunter2');
    expect(refused.stderr).not.toContain(Buffer.from('hunter2-node-key').toString('base64'));
    expect(repo.head()).toBe(before);
    expect(repo.status()).toBe('');
  });

  it('wait: Complete exits 0, Failed exits 1 with the reason', async () => {
    const ok = path.join(dir, 'ok.yaml');
    writeFileSync(ok, stringify(task('cli-discover-node-0', 'node-0')));
    await run('/usr/bin/kubectl', ['apply', '--server-side', '-k', path.join(repo.work, PATH), '--kubeconfig', kubeconfig]);
    const done = await cli(['gitops', 'wait', '--repo', repo.work, '--path', PATH, '--kubeconfig', kubeconfig, '--timeout', '30s', '-o', 'name']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout.trim()).toBe('seinodetask.sei.io/cli-discover-node-0');
    expect(done.stderr).toMatch(/cli-discover-node-0 Complete/);

    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, stringify(task('cli-discover-lonely', 'lonely')));
    expect((await cli(['gitops', 'commit', '-f', bad, '--repo', repo.work, '--path', PATH])).code).toBe(0);
    await run('/usr/bin/kubectl', ['apply', '--server-side', '-k', path.join(repo.work, PATH), '--kubeconfig', kubeconfig]);
    const failed = await cli(['gitops', 'wait', '--repo', repo.work, '--path', PATH, '--kubeconfig', kubeconfig, '--timeout', '30s', '-o', 'json']);
    expect(failed.code).toBe(1);
    expect(lastStatus(failed.stderr)).toMatchObject({ reason: 'ParamsBuildFailed' });
    expect(failed.stderr).toMatch(/cli-discover-lonely Failed ParamsBuildFailed/);
  });

  it('wait on a path with nothing committed: exit 2', async () => {
    // No --timeout: the answer comes from git, and a 1 s one could end a slow git read first (exit 3).
    const nothing = await cli(['gitops', 'wait', '--repo', repo.work, '--path', 'clusters/none', '--kubeconfig', kubeconfig]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/no SeiNodeTask is committed under clusters\/none/);
  });
});
