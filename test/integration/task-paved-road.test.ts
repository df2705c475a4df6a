// The paved roads against the simulated cluster over real HTTP: every verdict, every preflight
// refusal, re-attach, --replace, NDJSON, --output-env, version skew. Services are called
// directly (the CLI wrapping is covered by test/e2e/cli-*.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { silentProgress } from '../../src/output/progress.js';
import { verdictsToError } from '../../src/services/follow-tasks.js';
import { refreshPeers, runTask, type RunTaskOptions } from '../../src/services/run-task.js';
import { NS } from '../support/builders.js';
import { podUid, startTestCluster, taskNames, type TestCluster } from '../support/cluster.js';
import { refusal } from '../support/refusal.js';

let cluster: TestCluster;
/** A second cluster serving the latest controller's CRD, for the outputs only that version publishes. */
let latestCluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
  latestCluster = await startTestCluster({ crd: 'latest' });
});

afterAll(async () => {
  await cluster?.sim.stop();
  await latestCluster?.sim.stop();
});

function run(kind: string, node: string, extra: Partial<RunTaskOptions> & { set?: string[]; name?: string } = {}) {
  return runOn(cluster, kind, node, extra);
}

function runOn(target: TestCluster, kind: string, node: string, extra: Partial<RunTaskOptions> & { set?: string[]; name?: string } = {}) {
  const progress = silentProgress();
  const { set, name, ...rest } = extra;
  const promise = runTask({
    client: target.client,
    render: { kind, node, namespace: NS, ...(set ? { set } : {}), ...(name ? { name } : {}) },
    wait: true,
    progress,
    ...rest,
  });
  return { promise, progress };
}

describe('verdicts', () => {
  it('restart-pod reads the live pod uid, restarts exactly that pod and narrates deleted → replaced → Ready', async () => {
    const before = await podUid(cluster.client, 'node-0');
    const { promise, progress } = run('restart-pod', 'node-0');
    const result = await promise;
    expect(result.verdict?.outcome).toBe('Complete');
    expect(verdictsToError([result.verdict!], NS)).toBeUndefined();
    const spec = result.applied.object['spec'] as { restartPod: { podUID: string } };
    expect(spec.restartPod.podUID).toBe(before);
    const after = await podUid(cluster.client, 'node-0');
    expect(after).not.toBe(before);
    const status = result.verdict?.object?.['status'] as { task?: { restartedPodUID?: string } };
    expect(status.task?.restartedPodUID).toBeDefined();
    const text = progress.lines.join('\n');
    expect(text).toContain(`pod node-0-0 deleted (uid ${before})`);
    expect(text).toContain(`pod node-0-0 Ready (uid ${after})`);
    expect(progress.lines.at(-1) ?? '').toMatch(/^✔ .* Complete/);
  });

  it('restart-pod still narrates the replacement Ready when the pod stream lags behind the task verdict', async () => {
    // Two streams (task, pod) race on a real cluster; a pod stream that delivers nothing until
    // the task is Complete is the worst case, and the narration must still end at Ready.
    const real = cluster.client;
    const laggingPodStream: ClusterClient = {
      namespace: real.namespace,
      contextName: real.contextName,
      server: real.server,
      stats: real.stats,
      get: (ref) => real.get(ref),
      list: (apiVersion, kind, options) => real.list(apiVersion, kind, options),
      apply: (object, options) => real.apply(object, options),
      delete: (ref) => real.delete(ref),
      servedCrd: (name) => real.servedCrd(name),
      watch: (request) => (request.kind === 'Pod' ? real.watch({ ...request, onEvent: () => undefined }) : real.watch(request)),
    } as ClusterClient;
    const before = await podUid(real, 'node-2');
    const progress = silentProgress();
    const result = await runTask({ client: laggingPodStream, render: { kind: 'restart-pod', node: 'node-2', namespace: NS }, wait: true, progress });
    expect(result.verdict?.outcome).toBe('Complete');
    const after = await podUid(real, 'node-2');
    const text = progress.lines.join('\n');
    expect(text).toContain(`pod node-2-0 deleted (uid ${before})`);
    expect(text).toContain(`pod node-2-0 Ready (uid ${after})`);
    expect(progress.lines.at(-1) ?? '').toMatch(/^✔ .* Complete/);
  });

  // upstream internal/controller/nodetask/controller.go:359-379 (204c1c0) populateOutputs: the
  // seed controller publishes only updateNodeImage.appliedImage.
  it.each([
    ['update-node-image', ['image=ghcr.io/sei-protocol/seid:v6.1.0'], ['updateNodeImage']],
    ['await-nodes-at-height', ['targetHeight=3'], []],
    ['await-condition', ['targetHeight=3'], []],
    ['gov-vote', ['chainId=sim-1', 'proposalId=1', 'option=yes', 'fees=20usei', 'gas=200000'], []],
  ])('%s completes, with the outputs the seed controller publishes', async (kind, set, outputs) => {
    const result = await run(kind, 'node-1', { set }).promise;
    const verdict = result.verdict;
    expect(verdict?.outcome).toBe('Complete');
    expect(Object.keys((verdict?.object?.['status'] as { outputs?: Record<string, unknown> }).outputs ?? {})).toEqual(outputs);
  });

  it.each([
    ['TaskFailed on a node whose sidecar fails the kind', 'restart-pod', 'flaky', [] as string[], 'TaskFailed'],
    ['Timeout when the replacement pod never becomes Ready', 'restart-pod', 'stuck', ['timeoutSeconds=1'], 'Timeout'],
  ])('Failed with %s → exit 1 and the reason', async (_scenario, kind, node, set, reason) => {
    const { promise, progress } = run(kind, node, { set });
    const result = await promise;
    expect(result.verdict?.outcome).toBe('Failed');
    expect(result.verdict?.reason).toBe(reason);
    const error = verdictsToError([result.verdict!], NS);
    expect(error?.exitCode).toBe(1);
    expect(error?.toStatus()['reason']).toBe(reason);
    expect(progress.lines.at(-1) ?? '').toMatch(new RegExp(`^✖ .*Failed ${reason}`));
  });

  it('--timeout expiry leaves the task running and exits 3 with the re-attach command', async () => {
    const { promise } = run('restart-pod', 'stuck', { timeoutMs: 300 });
    const result = await promise;
    expect(result.verdict?.outcome).toBe('Timeout');
    const error = verdictsToError([result.verdict!], NS);
    expect(error?.exitCode).toBe(3);
    expect(error?.hints.join('\n')).toContain(`kubectl sei task wait ${result.applied.name} -n ${NS}`);
    const live = await cluster.client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', name: result.applied.name, namespace: NS });
    expect((live?.['status'] as { phase?: string } | undefined)?.phase).not.toBe('Complete');
  });

  it('an aborted signal (Ctrl-C) stops waiting with an Interrupted verdict; the task keeps running', async () => {
    const abort = new AbortController();
    const { promise } = run('restart-pod', 'stuck', { signal: abort.signal, timeoutMs: 60_000, onObject: () => abort.abort() });
    const result = await promise;
    expect(result.verdict?.outcome).toBe('Interrupted');
    expect(await taskNames(cluster.client)).toContain(result.applied.name);
  });

  it('--no-wait applies and returns without a verdict', async () => {
    const { promise } = run('discover-peers', 'node-2', { wait: false, name: 'dp-no-wait' });
    const result = await promise;
    expect(result.verdict).toBeUndefined();
    expect(result.applied.action).toBe('created');
    expect(result.applied.generation).toBe(1);
  });
});

describe('preflight refusals (exit 2, nothing written)', () => {
  it.each([
    ['a missing node, suggesting the close name', 'restart-pod', 'nod-1', 'TargetNotFound', 'did you mean node-1'],
    ['DiscoverPeers on a node without spec.peers', 'discover-peers', 'lonely', 'NoPeerSources', 'ParamsBuildFailed'],
    ['DiscoverPeers on an unresolved label source', 'discover-peers', 'labelled', 'PeersUnresolved', 'resolvedPeers is empty'],
    ['RestartPod on a multi-replica node', 'restart-pod', 'multi', 'MultiReplicaTarget', '2 replicas'],
  ])('refuses %s', async (_scenario, kind, node, reason, text) => {
    const before = await taskNames(cluster.client);
    const error = await refusal(run(kind, node).promise);
    expect(error.exitCode).toBe(2);
    expect(error.reason).toBe(reason);
    expect(`${error.message}\n${error.hints.join('\n')}`).toContain(text);
    expect(await taskNames(cluster.client)).toEqual(before);
  });

  it('warns when the target is not in requirePhase, and still applies', async () => {
    const { promise, progress } = run('discover-peers', 'booting', { wait: false, name: 'dp-booting' });
    await promise;
    expect(progress.lines.join('\n')).toContain('SeiNode "booting" is Initializing, not Running');
  });
});

describe('apply-once by name', () => {
  it('refuses a same-named terminal task, then --replace deletes and recreates it', async () => {
    const first = await run('discover-peers', 'node-1', { name: 'dp-once' }).promise;
    expect(first.verdict?.outcome).toBe('Complete');
    const error = await refusal(run('discover-peers', 'node-1', { name: 'dp-once' }).promise);
    expect(error.exitCode).toBe(2);
    expect(error.reason).toBe('AlreadyTerminal');
    expect(error.message).toContain('apply-once');
    const { promise, progress } = run('discover-peers', 'node-1', { name: 'dp-once', replace: true });
    const again = await promise;
    expect(again.applied.action).toBe('replaced');
    expect(again.verdict?.outcome).toBe('Complete');
    expect(again.applied.object.metadata.uid).not.toBe(first.applied.object.metadata.uid);
    expect(progress.lines.join('\n')).toContain('--replace');
  });

  it('--replace on a gov kind warns loudly that it broadcasts again', async () => {
    const set = ['chainId=sim-1', 'proposalId=1', 'option=yes', 'fees=20usei', 'gas=200000'];
    await run('gov-vote', 'node-2', { name: 'vote-once', set }).promise;
    const { promise, progress } = run('gov-vote', 'node-2', { name: 'vote-once', set, replace: true });
    await promise;
    expect(progress.lines.join('\n')).toMatch(/BROADCASTS A NEW TRANSACTION/);
  });

  it('attaches to a same-named task that is still running instead of duplicating it', async () => {
    const first = await run('restart-pod', 'stuck', { name: 'rp-attach', wait: false }).promise;
    const ourWrites = (o: KubeObject | undefined) => JSON.stringify((o?.metadata.managedFields ?? []).filter((m) => m['manager'] === 'kubectl-sei'));
    const writesBefore = ourWrites(await cluster.client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', name: 'rp-attach', namespace: NS }));
    const { promise, progress } = run('restart-pod', 'stuck', { name: 'rp-attach', timeoutMs: 200 });
    const second = await promise;
    // No second write: kubectl-sei's managed-fields entry (with its timestamp) is untouched.
    expect(ourWrites(await cluster.client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', name: 'rp-attach', namespace: NS }))).toBe(writesBefore);
    expect(writesBefore).toContain('kubectl-sei');
    // The pod was replaced meanwhile, so a second apply would carry a new podUID and bump generation.
    const live = await cluster.client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', name: 'rp-attach', namespace: NS });
    expect(live?.metadata.generation).toBe(1);
    expect((live?.['spec'] as { restartPod: { podUID: string } }).restartPod.podUID).toBe((first.applied.object['spec'] as { restartPod: { podUID: string } }).restartPod.podUID);
    expect(second.applied.action).toBe('attached');
    expect(second.applied.object.metadata.uid).toBe(first.applied.object.metadata.uid);
    expect(progress.lines.join('\n')).toContain('attaching');
    expect((await taskNames(cluster.client)).filter((n) => n === 'rp-attach')).toHaveLength(1);
  });
});

describe('outputs and streams', () => {
  const upgrade = ['chainId=sim-1', 'title=t', 'description=d', 'upgradeName=v2', 'upgradeHeight=100000', 'initialDeposit=10usei', 'fees=20usei', 'gas=500000'];

  it('on the seed controller, --output-env of a gov output is refused (exit 2) before anything is written, naming the version and the alternative', async () => {
    const before = await taskNames(cluster.client);
    const envFile = join(cluster.dir, 'seed-gov.env');
    const error = await refusal(run('gov-software-upgrade', 'node-0', { set: upgrade, name: 'gov-up-seed', outputEnv: ['PROPOSAL_ID={.status.outputs.govSoftwareUpgrade.proposalId}'], envFile }).promise);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('GovSoftwareUpgrade output proposalId is not published by the seed controller (sei-k8s-controller 204c1c0)');
    expect(error.message).toContain('--set / --inputs');
    expect(await taskNames(cluster.client)).toEqual(before);
    expect(existsSync(envFile)).toBe(false);
    const alone = await refusal(run('gov-vote', 'node-0', { set: ['chainId=sim-1', 'proposalId=1', 'option=yes', 'fees=20usei', 'gas=200000'], name: 'gov-vote-seed', envFile }).promise);
    expect(alone.exitCode).toBe(2);
    expect(alone.message).toContain('GovVote publishes no outputs on the seed controller');
  });

  it('--output-env + --env-file append the proposalId of a Complete gov-upgrade on the latest controller, shell-quoted', async () => {
    const envFile = join(latestCluster.dir, 'gov.env');
    const result = await runOn(latestCluster, 'gov-software-upgrade', 'node-0', {
      set: upgrade,
      name: 'gov-up-env',
      outputEnv: ['PROPOSAL_ID={.status.outputs.govSoftwareUpgrade.proposalId}', 'TX={.status.outputs.govSoftwareUpgrade.txHash}'],
      envFile,
    }).promise;
    expect(result.verdict?.outcome).toBe('Complete');
    const outputs = (result.verdict?.object?.['status'] as { outputs: { govSoftwareUpgrade: { proposalId: number; txHash: string } } }).outputs.govSoftwareUpgrade;
    expect(readFileSync(envFile, 'utf8')).toBe(`PROPOSAL_ID='${outputs.proposalId}'\nTX='${outputs.txHash}'\n`);
  });

  it('--env-file alone writes every output the latest controller publishes for the kind', async () => {
    const envFile = join(latestCluster.dir, 'all.env');
    await runOn(latestCluster, 'gov-software-upgrade', 'node-1', { set: upgrade, name: 'gov-up-all', envFile }).promise;
    expect(readFileSync(envFile, 'utf8')).toMatch(/^TX_HASH='.+'\nHEIGHT='\d+'\nPROPOSAL_ID='\d+'\n$/);
  });

  it('a bad --output-env is refused before anything is written', async () => {
    const before = await taskNames(cluster.client);
    const error = await refusal(run('gov-software-upgrade', 'node-1', { set: upgrade, name: 'gov-bad-env', outputEnv: ['1X={.status}'] }).promise);
    expect(error.exitCode).toBe(2);
    expect(await taskNames(cluster.client)).toEqual(before);
  });

  it('streams every observed object (NDJSON source), ending with the terminal one, generation-gated', async () => {
    const seen: KubeObject[] = [];
    const result = await run('discover-peers', 'node-0', { name: 'dp-stream', onObject: (o) => seen.push(o) }).promise;
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((o) => o.metadata.name === 'dp-stream')).toBe(true);
    const lastStatus = seen.at(-1)?.['status'] as { phase: string; observedGeneration: number };
    expect(lastStatus.phase).toBe('Complete');
    expect(lastStatus.observedGeneration).toBeGreaterThanOrEqual(result.applied.generation);
  });

  it('dry-run=server goes through admission but creates nothing; dry-run=client never writes', async () => {
    const before = await taskNames(cluster.client);
    const server = await run('discover-peers', 'node-0', { name: 'dp-dry-server', dryRun: 'server' }).promise;
    expect(server.applied.action).toBe('dry-run');
    expect(server.applied.object.metadata.uid).toBeDefined();
    const client = await run('restart-pod', 'node-0', { name: 'rp-dry-client', dryRun: 'client' }).promise;
    expect(client.applied.action).toBe('dry-run');
    expect(await taskNames(cluster.client)).toEqual(before);
  });

  it('never shows the bearer token in progress or errors', async () => {
    const { promise, progress } = run('restart-pod', 'node-9');
    const error = await refusal(promise);
    const everything = [...progress.lines, error.message, ...error.hints, JSON.stringify(error.toStatus())].join('\n');
    expect(everything).not.toContain(cluster.sim.token);
  });
});

describe('refresh-peers', () => {
  it('runs DiscoverPeers to Complete, then RestartPod with the pod uid read after it', async () => {
    const progress = silentProgress();
    const before = await podUid(cluster.client, 'node-2');
    const result = await refreshPeers({ client: cluster.client, node: 'node-2', render: { kind: 'discover-peers', node: 'node-2', namespace: NS }, wait: true, progress });
    expect(result.discover.verdict?.outcome).toBe('Complete');
    expect(result.restart?.verdict?.outcome).toBe('Complete');
    const restartSpec = result.restart?.applied.object['spec'] as { restartPod: { podUID: string } };
    expect(restartSpec.restartPod.podUID).toBe(before);
    const discoveredAt = Date.parse((result.discover.verdict?.object?.['status'] as { phaseTransitionTime: string }).phaseTransitionTime);
    const restartCreated = Date.parse(result.restart?.applied.object.metadata.creationTimestamp ?? '');
    expect(restartCreated).toBeGreaterThanOrEqual(Math.floor(discoveredAt / 1000) * 1000);
    expect(await podUid(cluster.client, 'node-2')).not.toBe(before);
  });

  it('stops after a failed DiscoverPeers without restarting anything', async () => {
    const before = await podUid(cluster.client, 'flaky');
    const result = await refreshPeers({ client: cluster.client, node: 'flaky', render: { kind: 'discover-peers', node: 'flaky', namespace: NS }, wait: true, progress: silentProgress() });
    expect(result.discover.verdict?.outcome).toBe('Failed');
    expect(result.restart).toBeUndefined();
    expect(await podUid(cluster.client, 'flaky')).toBe(before);
  });
});
