// Plans against the simulated cluster over HTTP: fan-out, stop-on-failure diagnosis that
// simulate predicted, retries, outputs feeding later steps, approvals and cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { applyPlan } from '../../src/services/plan-apply.js';
import { approveStep } from '../../src/services/plan-approve.js';
import { cancelPlan } from '../../src/services/plan-cancel.js';
import { planStatus } from '../../src/services/plan-status.js';
import { resumePlan } from '../../src/services/plan-resume.js';
import { simulatePlan } from '../../src/services/plan-simulate.js';
import { verdictError } from '../../src/plan/verdict-error.js';
import type { PlanEvent } from '../../src/plan/executor.js';
import { shortPlanId } from '../../src/plan/naming.js';
import { NS, planFleet } from '../support/builders.js';
import { planTasks, startPlanCluster, type PlanCluster } from '../support/cluster.js';
import { refusal } from '../support/refusal.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'plans');


describe('refresh-peers over a 50-node label selector', () => {
  let cluster: PlanCluster;
  beforeAll(async () => {
    cluster = await startPlanCluster(planFleet(50, { 'node-07': { peers: false } }));
  }, 120_000);
  afterAll(async () => {
    await cluster?.sim.stop();
  });

  it('simulate predicts ParamsBuildFailed for the node without peers, and nothing else', async () => {
    const result = await simulatePlan({ client: cluster.client, file: 'refresh-peers', namespace: NS, set: ['chain=arctic-1'] });
    const blocked = result.steps.flatMap((s) => s.items.filter((i) => i.class === 'blocked').map((i) => ({ step: s.id, node: i.node, reason: i.reason })));
    expect(blocked).toEqual([{ step: 'discover', node: 'node-07', reason: 'ParamsBuildFailed' }]);
    expect(result.summary.pending).toBe(99);
    // Nothing was written.
    expect((await cluster.client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace: NS })).items).toHaveLength(0);
  });

  it('apply stops at that node with the ParamsBuildFailed diagnosis simulate predicted', async () => {
    const { verdict } = await applyPlan({ client: cluster.client, file: 'refresh-peers', namespace: NS });
    expect(verdict.phase).toBe('Failed');
    expect(verdict.failedStep).toBe('discover');
    expect(verdict.failedIndex).toBe(7);
    expect(verdict.failedTaskDetail).toMatchObject({ node: 'node-07', kind: 'DiscoverPeers', reason: 'ParamsBuildFailed', attempts: 1, maxAttempts: 1 });
    const tasks = await planTasks(cluster.client, verdict.planId);
    // maxParallel 10: nothing launched after the failure was seen; nothing of the next step at all.
    expect(tasks.filter((t) => t.metadata.labels?.['sei.io/plan-step'] === 'restart')).toHaveLength(0);
    expect(tasks.length).toBeLessThan(50);
    const error = verdictError(verdict)!;
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/step discover item 7 \(node-07\).*ParamsBuildFailed/);
  }, 60_000);

  it('with the node fixed, completes with exactly 100 tasks over ONE task watch (plus one on the run record)', async () => {
    const node = await cluster.client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', name: 'node-07', namespace: NS });
    await cluster.client.apply({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-07', namespace: NS }, spec: { ...(node!['spec'] as object), peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@p:26656'] } }] } }, { force: true });
    const before = cluster.client.stats.watchConnections;
    const events: PlanEvent[] = [];
    const { verdict } = await applyPlan({ client: cluster.client, file: 'refresh-peers', namespace: NS, onEvent: (e) => events.push(e) });
    expect(verdict.phase, JSON.stringify(verdict.failedTaskDetail)).toBe('Complete');
    const tasks = await planTasks(cluster.client, verdict.planId);
    expect(tasks).toHaveLength(100);
    expect(new Set(tasks.map((t) => t.metadata.name)).size).toBe(100);
    expect(tasks.filter((t) => (t['spec'] as { kind: string }).kind === 'RestartPod')).toHaveLength(50);
    expect(cluster.client.stats.watchConnections - before).toBe(2); // tasks + the run record
    // maxParallel 1 on restarts: never two restart launches while one is unfinished.
    let inFlight = 0;
    let maxInFlight = 0;
    const running = new Set<string>();
    for (const e of events) {
      if (e.event === 'launch' && e.step === 'restart') running.add(e.name);
      if (e.event === 'task' && e.step === 'restart' && (e.phase === 'Complete' || e.phase === 'Failed')) running.delete(e.name);
      inFlight = running.size;
      maxInFlight = Math.max(maxInFlight, inFlight);
    }
    expect(maxInFlight).toBe(1);
    const status = await planStatus({ client: cluster.client, planId: verdict.planId, namespace: NS });
    expect(status.phase).toBe('Complete');
    expect(status.steps.map((s) => [s.id, s.counts.done, s.counts.total])).toEqual([['discover', 50, 50], ['restart', 50, 50]]);
  }, 120_000);
});

describe('retries, outputs, approvals, cancel', () => {
  let cluster: PlanCluster;
  beforeAll(async () => {
    cluster = await startPlanCluster(planFleet(5, { 'node-02': { annotations: { 'sim.sei.io/fail-kinds': 'DiscoverPeers' } } }));
  }, 60_000);
  afterAll(async () => {
    await cluster?.sim.stop();
  });

  it('fail-kinds on one node with maxAttempts 2 retries exactly once and reports the attempts', async () => {
    const events: PlanEvent[] = [];
    const { verdict } = await applyPlan({ client: cluster.client, file: join(FIXTURES, 'discover-retry.yaml'), namespace: NS, onEvent: (e) => events.push(e) });
    expect(verdict.phase).toBe('Failed');
    expect(verdict.failedTaskDetail).toMatchObject({ node: 'node-02', attempts: 2, maxAttempts: 2 });
    const tasks = await planTasks(cluster.client, verdict.planId);
    const forNode = tasks.filter((t) => t.metadata.labels?.['sei.io/node'] === 'node-02').map((t) => [t.metadata.name, t.metadata.labels?.['sei.io/plan-attempt']]).sort();
    expect(forNode).toEqual([
      [`discover-retry-${shortPlanId(verdict.planId)}-discover-2`, '1'],
      [`discover-retry-${shortPlanId(verdict.planId)}-discover-2-a2`, '2'],
    ]);
    expect(events.filter((e) => e.event === 'retry')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'launch' && e.node === 'node-02').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
  }, 60_000);

  // upstream govoutputs.go (2d670ad) publishes proposalId; the seed controller
  // (internal/controller/nodetask/controller.go:359-379 at 204c1c0) publishes no gov outputs.
  it('on the seed controller a gov-upgrade plan feeding proposalId to votes is refused (exit 2) before any write', async () => {
    const before = await cluster.client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace: NS });
    const error = await refusal(applyPlan({ client: cluster.client, file: join(FIXTURES, 'gov-upgrade.yaml'), namespace: NS }));
    expect(error.exitCode).toBe(2);
    expect(error.message + JSON.stringify(error.causes)).toContain('GovSoftwareUpgrade output proposalId is not published by the seed controller (sei-k8s-controller 204c1c0)');
    expect(error.message + JSON.stringify(error.causes)).toContain('--set / --inputs');
    expect((await cluster.client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace: NS })).items).toHaveLength(before.items.length);
  });

  it('on the latest controller a gov-upgrade plan passes the proposal\'s proposalId to every GovVote', async () => {
    const latest = await startPlanCluster(planFleet(5), { crd: 'latest' });
    try {
      await govUpgradePassesProposalId(latest);
    } finally {
      await latest.sim.stop();
    }
  }, 60_000);

  async function govUpgradePassesProposalId(cluster: PlanCluster): Promise<void> {
    const { verdict } = await applyPlan({ client: cluster.client, file: join(FIXTURES, 'gov-upgrade.yaml'), namespace: NS });
    expect(verdict.phase, JSON.stringify(verdict.failedTaskDetail)).toBe('Complete');
    const tasks = await planTasks(cluster.client, verdict.planId);
    const proposal = tasks.find((t) => (t['spec'] as { kind: string }).kind === 'GovSoftwareUpgrade')!;
    const proposalId = (proposal['status'] as { outputs: { govSoftwareUpgrade: { proposalId: unknown } } }).outputs.govSoftwareUpgrade.proposalId;
    expect(proposalId).toBeDefined();
    const votes = tasks.filter((t) => (t['spec'] as { kind: string }).kind === 'GovVote');
    expect(votes).toHaveLength(5);
    for (const vote of votes) expect((vote['spec'] as { govVote: { proposalId: unknown } }).govVote.proposalId).toBe(proposalId);
  }

  it('an approval step pauses the run (exit 3, WaitingApproval) until plan approve; resume finishes it', async () => {
    const first = await applyPlan({ client: cluster.client, file: join(FIXTURES, 'approval.yaml'), namespace: NS });
    expect(first.verdict.phase).toBe('WaitingApproval');
    expect(first.verdict.waitingFor).toEqual({ step: 'check', message: 'Peers refreshed: approve the restart' });
    const error = verdictError(first.verdict)!;
    expect(error.exitCode).toBe(3);
    expect(error.reason).toBe('WaitingApproval');
    expect(error.message).toContain(`kubectl sei plan approve ${first.verdict.planId} check`);
    expect(await planTasks(cluster.client, first.verdict.planId)).toHaveLength(2);
    await expect(approveStep({ client: cluster.client, planId: first.verdict.planId, step: 'restart', namespace: NS })).rejects.toThrow(/not an approval step/);
    await approveStep({ client: cluster.client, planId: first.verdict.planId, step: 'check', namespace: NS });
    const second = await resumePlan({ client: cluster.client, planId: first.verdict.planId, namespace: NS });
    expect(second.verdict.phase).toBe('Complete');
    // `upgrade` is skipped: its `when` (the image input) is empty.
    // `again` fans out over the items of the skipped `upgrade`: they are still discover's nodes.
    expect(second.verdict.steps.map((s) => [s.id, s.state, s.counts.total])).toEqual([['discover', 'succeeded', 2], ['check', 'approved', 0], ['restart', 'succeeded', 2], ['upgrade', 'skipped', 0], ['again', 'succeeded', 2]]);
    expect(await planTasks(cluster.client, first.verdict.planId)).toHaveLength(6);
  }, 60_000);

  it('cancel from another terminal mid-run: launching stops (checked at most once a second), launched tasks are left to finish', async () => {
    let cancelled: Promise<{ inFlight: string[] }> | undefined;
    let planId = '';
    const launches: string[] = [];
    const outcome = applyPlan({
      client: cluster.client,
      file: join(FIXTURES, 'restarts.yaml'),
      namespace: NS,
      onPlanId: (id) => (planId = id),
      onEvent: (e) => {
        if (e.event !== 'launch') return;
        launches.push(e.name);
        cancelled ??= cancelPlan({ client: cluster.client, planId, namespace: NS });
      },
    });
    const { verdict } = await outcome;
    // Tasks already launched are never stopped (a SeiNodeTask cannot be), only reported.
    expect((await cancelled)!.inFlight.every((name) => launches.includes(name))).toBe(true);
    expect(verdict.phase).toBe('Cancelled');
    expect(verdictError(verdict)).toMatchObject({ exitCode: 1, reason: 'Cancelled' });
    expect(launches.length).toBeLessThan(4);
    expect((await planTasks(cluster.client, verdict.planId)).length).toBe(launches.length);
  }, 60_000);

  it('--timeout gives up following (exit 3, tasks keep running); resume finishes without duplicates', async () => {
    let planId = '';
    const error = await applyPlan({ client: cluster.client, file: join(FIXTURES, 'restarts.yaml'), namespace: NS, timeoutMs: 150, onPlanId: (id) => (planId = id) }).then(
      () => undefined,
      (e: unknown) => e as { exitCode: number; reason: string; hints: string[] },
    );
    expect(error).toMatchObject({ exitCode: 3, reason: 'Timeout' });
    expect(error!.hints.join(' ')).toContain(`kubectl sei plan resume ${planId}`);
    const { verdict } = await resumePlan({ client: cluster.client, planId, namespace: NS });
    expect(verdict.phase).toBe('Complete');
    const tasks = await planTasks(cluster.client, planId);
    expect(tasks).toHaveLength(4);
    expect(tasks.every((t) => t.metadata.labels?.['sei.io/plan-attempt'] === '1')).toBe(true);
  }, 60_000);

  it('a task deleted before it finished counts as a failed attempt and is never re-created under its name', async () => {
    const outcome = applyPlan({
      client: cluster.client,
      file: join(FIXTURES, 'await-forever.yaml'),
      namespace: NS,
      onEvent: (e) => {
        if (e.event === 'launch') void cluster.client.delete({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', name: e.name, namespace: NS });
      },
    });
    const { verdict } = await outcome;
    expect(verdict.phase).toBe('Failed');
    expect(verdict.failedTaskDetail).toMatchObject({ reason: 'Deleted', attempts: 1, maxAttempts: 1 });
    expect(await planTasks(cluster.client, verdict.planId)).toHaveLength(0);
  }, 60_000);

  it('cancel stops launching; resume refuses a cancelled run', async () => {
    const first = await applyPlan({ client: cluster.client, file: join(FIXTURES, 'approval.yaml'), namespace: NS });
    const { alreadyCancelled } = await cancelPlan({ client: cluster.client, planId: first.verdict.planId, namespace: NS });
    expect(alreadyCancelled).toBe(false);
    await expect(resumePlan({ client: cluster.client, planId: first.verdict.planId, namespace: NS })).rejects.toThrow(/cancelled/);
    await expect(applyPlan({ client: cluster.client, file: join(FIXTURES, 'discover-retry.yaml'), planId: first.verdict.planId, namespace: NS })).rejects.toThrow(/is a run of plan approval, not discover-retry/);
    const status = await planStatus({ client: cluster.client, planId: first.verdict.planId, namespace: NS });
    expect(status.phase).toBe('Cancelled');
  }, 60_000);
});
