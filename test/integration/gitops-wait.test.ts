/**
 * `gitops wait` end to end: tasks committed to a real repository are applied to the simulated
 * cluster the way a GitOps engine would (kubectl apply --server-side -k on the committed
 * directories, step after step), while waitForCommitted follows them over HTTP.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { commitToGit } from '../../src/services/gitops-commit.js';
import { waitForCommitted } from '../../src/services/gitops-wait.js';
import { waitForTasks } from '../../src/watch/wait-for-tasks.js';
import type { Progress } from '../../src/output/progress.js';
import { tempRepo, type TempRepo } from '../support/git.js';
import { refreshPeersPlan, task } from '../support/builders.js';
import { shortPlanId } from '../../src/plan/naming.js';
import { runArgoHealth, runFluxHealth } from '../unit/gitops-health-runners.js';
import { watchUntil } from '../support/watch-until.js';
import { nextSecond } from '../support/time.js';

const NS = 'arctic-1';
const PATH = 'clusters/dev/arctic-1/tasks';
const KUBECTL = '/usr/bin/kubectl';

let sim: RunningSim;
let kubeconfig: string;
let scratch: string;
let client: ClusterClient;
let repo: TempRepo;

beforeAll(async () => {
  sim = await startSim({
    fleet: 2,
    namespace: NS,
    // A node without spec.peers: DiscoverPeers on it fails with ParamsBuildFailed.
    seedObjects: [{ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'lonely', namespace: NS }, spec: { chainId: 'arctic-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {} } }],
  });
  scratch = mkdtempSync(path.join(tmpdir(), 'gitops-wait-'));
  kubeconfig = path.join(scratch, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  client = await connect({ kubeconfig });
});
afterAll(async () => {
  await sim.stop();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  repo = tempRepo();
});
afterEach(() => repo.cleanup());

function recorder(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return { lines, update: () => undefined, event: (t) => lines.push(t), note: (t) => lines.push(t), succeed: (t) => lines.push(`✔ ${t}`), fail: (t) => lines.push(`✖ ${t}`), stop: () => undefined };
}

// Async: the sim serves from this process, so a blocking child would starve it.
const run = promisify(execFile);

/** What the engine does with a committed directory. */
async function engineApply(dir: string): Promise<string> {
  return (await run(KUBECTL, ['apply', '--server-side', '--field-manager', 'gitops-engine', '-k', path.join(repo.work, dir), '--kubeconfig', kubeconfig])).stdout;
}

async function podUid(node: string): Promise<string> {
  const pod = await client.get({ apiVersion: 'v1', kind: 'Pod', name: `${node}-0`, namespace: NS });
  return pod!.metadata.uid!;
}

async function until(names: string[]): Promise<void> {
  await waitForTasks(client, { namespace: NS, names, for: 'terminal', timeoutMs: 30_000, awaitCreation: true });
}

/** The refresh-peers plan with the live pod uids, as `gitops commit -f refresh-peers` reads them. */
async function livePlan(id: string): Promise<KubeObject[]> {
  const objects: KubeObject[] = refreshPeersPlan(id).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: NS } }));
  for (const o of objects) {
    const spec = o.spec as { kind: string; target: { nodeRef: { name: string } }; restartPod?: { podUID: string } };
    if (spec.kind === 'RestartPod') spec.restartPod = { podUID: await podUid(spec.target.nodeRef.name) };
  }
  return objects;
}

describe('gitops wait against the simulated cluster', () => {
  it('flux layout applied step by step: every task Complete, restarts verified after DiscoverPeers, no error (exit 0)', async () => {
    await commitToGit({ repo: repo.work, path: PATH, objects: await livePlan('gw-ok'), flavor: 'flux' });
    const progress = recorder();
    const watcher = await connect({ kubeconfig });
    // Started before anything exists: absent tasks are waited for, not "not found".
    const waiting = waitForCommitted({ repo: repo.work, path: PATH, client: watcher, timeoutMs: 60_000, progress, planId: 'gw-ok' });
    // The plan directory is <plan>-<shortPlanId> (src/gitops/layout.ts planDirectoryName).
    const planDir = `${PATH}/refresh-peers-${shortPlanId('gw-ok')}`;
    await engineApply(`${planDir}/00-discover`);
    await until(['gw-ok-discover-node-0', 'gw-ok-discover-node-1']);
    await engineApply(`${planDir}/01-restart`);
    const result = await waiting;
    expect(result.error).toBeUndefined();
    expect(result.verdicts.map((v) => [v.name, v.outcome])).toEqual([
      ['gw-ok-discover-node-0', 'Complete'],
      ['gw-ok-discover-node-1', 'Complete'],
      ['gw-ok-restart-node-0', 'Complete'],
      ['gw-ok-restart-node-1', 'Complete'],
    ]);
    expect(result.restarts.map((r) => [r.node, r.ok])).toEqual([
      ['node-0', true],
      ['node-1', true],
    ]);
    expect(result.restarts[0]!.message).toMatch(/after DiscoverPeers gw-ok-discover-node-0 completed/);
    // The engines' health checks judge the live objects the way the watch did.
    for (const verdict of result.verdicts) {
      expect(runArgoHealth(verdict.object!).status).toBe('Healthy');
      expect(runFluxHealth(verdict.object!)).toBe('Current');
    }
    expect(progress.lines.filter((l) => l.startsWith('✔'))).toHaveLength(4);
    // One watch for the namespace, however many tasks; then one GET per restarted pod.
    expect(watcher.stats.watchConnections).toBe(1);
  });

  it('a Failed task ends the wait with its reason and exit code 1', async () => {
    const doomed = { ...task('gw-fail-discover-lonely', 'DiscoverPeers', 'lonely', {}), metadata: { name: 'gw-fail-discover-lonely', namespace: NS } };
    await commitToGit({ repo: repo.work, path: PATH, objects: [doomed], flavor: 'argocd' });
    await engineApply(PATH);
    const progress = recorder();
    const result = await waitForCommitted({ repo: repo.work, path: PATH, client, timeoutMs: 30_000, progress });
    expect(result.verdicts[0]).toMatchObject({ name: 'gw-fail-discover-lonely', outcome: 'Failed', reason: 'ParamsBuildFailed' });
    expect(result.error).toMatchObject({ exitCode: 1, reason: 'ParamsBuildFailed' });
    expect(runArgoHealth(result.verdicts[0]!.object!)).toMatchObject({ status: 'Degraded', message: expect.stringMatching(/^ParamsBuildFailed: /) });
    expect(runFluxHealth(result.verdicts[0]!.object!)).toBe('Failed');
    expect(progress.lines.some((l) => l.startsWith('✖') && l.includes('ParamsBuildFailed'))).toBe(true);
  });

  it('a committed change under a name that already ran is reported: apply-once ignored it', async () => {
    const first: KubeObject = { ...task('gw-reused-await', 'AwaitNodesAtHeight', 'node-0', { targetHeight: 1 }), metadata: { name: 'gw-reused-await', namespace: NS } };
    await commitToGit({ repo: repo.work, path: PATH, objects: [first], flavor: 'plain' });
    await engineApply(PATH);
    await until(['gw-reused-await']);
    // A later commit changes the payload but keeps the name; the engine applies it.
    const changed = { ...first, spec: { ...(first.spec as object), awaitNodesAtHeight: { targetHeight: 2 } } };
    const second = await commitToGit({ repo: repo.work, path: PATH, objects: [changed], flavor: 'plain' });
    expect(second.warnings.some((w) => w.includes('never runs a finished task again'))).toBe(true);
    await engineApply(PATH);
    const progress = recorder();
    const result = await waitForCommitted({ repo: repo.work, path: PATH, client, timeoutMs: 30_000, progress });
    expect(result.verdicts[0]!.outcome).toBe('Complete');
    expect(result.drift).toEqual([{ task: 'gw-reused-await', fields: [], generation: 2 }]);
    expect(progress.lines.some((l) => l.startsWith('Warning: gw-reused-await') && l.includes('Commit it under a new name'))).toBe(true);
  });

  it('a task still running at the timeout: exit 3, and both engines call it progressing', async () => {
    const slow = { ...task('gw-slow-await', 'AwaitNodesAtHeight', 'node-0', { targetHeight: 1_000_000_000_000 }), metadata: { name: 'gw-slow-await', namespace: NS } };
    await commitToGit({ repo: repo.work, path: PATH, objects: [slow], flavor: 'plain' });
    await engineApply(PATH);
    const result = await waitForCommitted({ repo: repo.work, path: PATH, client, timeoutMs: 1_500, progress: recorder() });
    expect(result.verdicts[0]).toMatchObject({ outcome: 'Timeout' });
    expect(result.error).toMatchObject({ exitCode: 3 });
    expect(runArgoHealth(result.verdicts[0]!.object!).status).toBe('Progressing');
    expect(runFluxHealth(result.verdicts[0]!.object!)).toBe('InProgress');
  });

  it('a task the engine never applied times out (exit 3) naming the missing sync', async () => {
    const never = { ...task('gw-never-discover-node-0', 'DiscoverPeers', 'node-0', {}), metadata: { name: 'gw-never-discover-node-0', namespace: NS } };
    await commitToGit({ repo: repo.work, path: PATH, objects: [never], flavor: 'plain' });
    const progress = recorder();
    const result = await waitForCommitted({ repo: repo.work, path: PATH, client, timeoutMs: 1_000, progress });
    expect(result.verdicts[0]).toMatchObject({ outcome: 'Timeout' });
    expect(result.error).toMatchObject({ exitCode: 3 });
    expect(progress.lines.some((l) => l.includes('never created') && l.includes('synced'))).toBe(true);
    // Issue 12 trap 8: not "timed out" — the engine has not synced.
    expect(result.error?.message).toMatch(/^the GitOps engine has not synced yet: none of the 1 SeiNodeTask committed under /);
    expect(result.error?.message).not.toMatch(/timed out/i);
  });

  it('a RestartPod whose pod was replaced between commit and sync completes as a no-op: warned, with the fix', async () => {
    const stale = await podUid('node-1');
    const restart = task('gw-stale-restart-node-1', 'RestartPod', 'node-1', { podUID: stale });
    restart.metadata = { name: 'gw-stale-restart-node-1', namespace: NS };
    await commitToGit({ repo: repo.work, path: PATH, objects: [restart], flavor: 'plain' });
    // Something else restarts the pod before the engine syncs.
    await run(KUBECTL, ['delete', 'pod', 'node-1-0', '-n', NS, '--wait=false', '--kubeconfig', kubeconfig]);
    await watchUntil(client, { apiVersion: 'v1', kind: 'Pod', namespace: NS, timeoutMs: 30_000 }, (pod) => pod.metadata.name === 'node-1-0' && pod.metadata.uid !== stale);
    await nextSecond(); // the replacement starts in an earlier second than the task
    await engineApply(PATH);
    const progress = recorder();
    const result = await waitForCommitted({ repo: repo.work, path: PATH, client, timeoutMs: 30_000, progress });
    expect(result.error).toBeUndefined();
    expect(result.verdicts[0]!.outcome).toBe('Complete');
    expect(result.restarts).toHaveLength(1);
    expect(result.restarts[0]).toMatchObject({ ok: false, fix: `kubectl sei task restart-pod node-1 -n ${NS}` });
    expect(result.restarts[0]!.message).toMatch(/no-op/);
    expect(progress.lines.some((l) => l.startsWith('Warning:') && l.includes('kubectl sei task restart-pod node-1'))).toBe(true);
  });
});
