// Plan runs under the interleavings an adversarial probe found: a cancel or an approval written
// while the executor writes the run record, two runs whose ids share their first digits, tasks
// deleted while nothing watched, and options that must survive a resume. Every interleaving is
// forced (the executor's record write waits for the other writer), never left to timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { applyPlan } from '../../src/services/plan-apply.js';
import { approveStep } from '../../src/services/plan-approve.js';
import { cancelPlan } from '../../src/services/plan-cancel.js';
import { planStatus } from '../../src/services/plan-status.js';
import { resumePlan } from '../../src/services/plan-resume.js';
import { readRun } from '../../src/plan/run-store.js';
import type { PlanEvent } from '../../src/plan/executor.js';
import { NS, planFleet } from '../support/builders.js';
import { planTasks, startPlanCluster, type PlanCluster } from '../support/cluster.js';

const THREE_STEPS = `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: busy}
spec:
  steps:
    - id: first
      kind: DiscoverPeers
      forEach: {nodes: [node-00, node-01, node-02]}
    - id: second
      kind: DiscoverPeers
      forEach: {step: first}
    - id: third
      kind: DiscoverPeers
      forEach: {step: first}
`;

const GATED = `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: gated}
spec:
  steps:
    - id: discover
      kind: DiscoverPeers
      forEach: {nodes: [node-00, node-01]}
    - id: go
      approval: {message: go on}
    - id: restart
      kind: RestartPod
      forEach: {nodes: [node-00, node-01, node-02, node-03]}
`;

/**
 * The client the executor uses, except that before its `k`-th write of the run record (after
 * it has read the record) `interleave` runs to completion: the other writer always lands in the
 * middle of the executor's read-modify-write.
 */
function interleaving(client: ClusterClient, k: number, interleave: () => Promise<unknown>): ClusterClient {
  let writes = 0;
  const wrapped = Object.create(client) as ClusterClient;
  wrapped.apply = async <T extends KubeObject = KubeObject>(object: KubeObject, options?: Parameters<ClusterClient['apply']>[1]): Promise<T> => {
    if (object.kind === 'ConfigMap' && ++writes === k + 1) await interleave();
    return client.apply<T>(object, options);
  };
  return wrapped;
}

describe('the run record under concurrent writers', () => {
  let cluster: PlanCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startPlanCluster(planFleet(4));
    dir = cluster.dir;
    writeFileSync(join(dir, 'busy.yaml'), THREE_STEPS);
    writeFileSync(join(dir, 'gated.yaml'), GATED);
  }, 60_000);
  afterAll(async () => {
    await cluster?.sim.stop();
  });

  it('a cancel written in the middle of the executor\'s record write sticks, 12 times in 12 (and resume refuses the run)', async () => {
    for (let i = 0; i < 12; i++) {
      let planId = '';
      // Record writes after the first (the run's creation): the first and second step resolutions.
      const k = 1 + (i % 2);
      const client = interleaving(cluster.client, k, () => cancelPlan({ client: cluster.client, planId, namespace: NS }));
      const { verdict } = await applyPlan({ client, file: join(dir, 'busy.yaml'), namespace: NS, onPlanId: (id) => (planId = id) });
      const record = await readRun(cluster.client, planId, NS);
      expect({ run: i, cancelled: record?.cancelled }).toEqual({ run: i, cancelled: true });
      expect(verdict.phase).toBe('Cancelled');
      await expect(resumePlan({ client: cluster.client, planId, namespace: NS })).rejects.toThrow(/was cancelled/);
    }
  }, 240_000);

  it('an approval written in the middle of a second driver\'s record write sticks', async () => {
    const first = await applyPlan({ client: cluster.client, file: join(dir, 'gated.yaml'), namespace: NS });
    expect(first.verdict.phase).toBe('WaitingApproval');
    const planId = first.verdict.planId;
    // The second driver's first record write records its --max-parallel; the approval lands inside it.
    const client = interleaving(cluster.client, 0, () => approveStep({ client: cluster.client, planId, step: 'go', namespace: NS }));
    const other = await resumePlan({ client, planId, namespace: NS, maxParallel: 2 });
    const record = await readRun(cluster.client, planId, NS);
    expect(record?.approvals['go']).toBeDefined();
    expect(record?.shape.maxParallel).toBe(2);
    expect(other.verdict.phase).toBe('Complete');
  }, 60_000);
});

describe('runs stay apart and decided items stay decided', () => {
  let cluster: PlanCluster;
  beforeAll(async () => {
    cluster = await startPlanCluster(planFleet(4));
    writeFileSync(join(cluster.dir, 'busy.yaml'), THREE_STEPS);
    writeFileSync(join(cluster.dir, 'gated.yaml'), GATED);
  }, 60_000);
  afterAll(async () => {
    await cluster?.sim.stop();
  });

  it('two drivers of one run at once (apply and resume together) finish it with one first-attempt task per item', async () => {
    const planId = 'c0ffee00-0000-4000-8000-000000000001';
    let recorded!: () => void;
    const recordExists = new Promise<void>((resolve) => (recorded = resolve));
    // The second driver starts as soon as the record exists (onPlanId comes right after it).
    const first = applyPlan({ client: cluster.client, file: join(cluster.dir, 'busy.yaml'), namespace: NS, planId, onPlanId: () => recorded() });
    const second = recordExists.then(() => resumePlan({ client: cluster.client, planId, namespace: NS }));
    const [a, b] = await Promise.all([first, second]);
    expect([a.verdict.phase, b.verdict.phase]).toEqual(['Complete', 'Complete']);
    const tasks = await planTasks(cluster.client, planId);
    expect(tasks).toHaveLength(9);
    expect(tasks.every((t) => t.metadata.labels?.['sei.io/plan-attempt'] === '1')).toBe(true);
  }, 60_000);

  it('two plan ids sharing their first 8 hex digits get their own tasks; the first run stays Complete', async () => {
    const a = 'abcdef01-0000-4000-8000-000000000001';
    const b = 'abcdef01-0000-4000-8000-000000000002';
    const first = await applyPlan({ client: cluster.client, file: join(cluster.dir, 'busy.yaml'), namespace: NS, planId: a });
    expect(first.verdict.phase).toBe('Complete');
    const second = await applyPlan({ client: cluster.client, file: join(cluster.dir, 'busy.yaml'), namespace: NS, planId: b });
    expect(second.verdict.phase).toBe('Complete');
    const tasksA = await planTasks(cluster.client, a);
    const tasksB = await planTasks(cluster.client, b);
    expect(tasksA).toHaveLength(9);
    expect(tasksB).toHaveLength(9);
    expect(tasksA.map((t) => t.metadata.name).filter((n) => tasksB.some((t) => t.metadata.name === n))).toEqual([]);
    expect((await planStatus({ client: cluster.client, planId: a, namespace: NS })).phase).toBe('Complete');
  }, 60_000);

  it('resume never starts again an item that finished, even when its task was deleted while nothing watched', async () => {
    const first = await applyPlan({ client: cluster.client, file: join(cluster.dir, 'gated.yaml'), namespace: NS });
    expect(first.verdict.phase).toBe('WaitingApproval');
    const planId = first.verdict.planId;
    for (const task of await planTasks(cluster.client, planId)) {
      await cluster.client.delete({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', name: task.metadata.name!, namespace: NS });
    }
    await approveStep({ client: cluster.client, planId, step: 'go', namespace: NS });
    const launches: PlanEvent[] = [];
    const { verdict } = await resumePlan({ client: cluster.client, planId, namespace: NS, onEvent: (e) => e.event === 'launch' && launches.push(e) });
    expect(verdict.phase).toBe('Complete');
    expect(launches.map((e) => (e as { step: string }).step)).toEqual(['restart', 'restart', 'restart', 'restart']);
    expect(verdict.steps.find((s) => s.id === 'discover')?.counts).toMatchObject({ total: 2, done: 2 });
  }, 60_000);

  it('--max-parallel is part of the run: a resume without the flag still runs one task at a time', async () => {
    const first = await applyPlan({ client: cluster.client, file: join(cluster.dir, 'gated.yaml'), namespace: NS, maxParallel: 1 });
    expect(first.verdict.phase).toBe('WaitingApproval');
    const planId = first.verdict.planId;
    await approveStep({ client: cluster.client, planId, step: 'go', namespace: NS });
    let most = 0;
    const { verdict } = await resumePlan({ client: cluster.client, planId, namespace: NS, onState: (d) => (most = Math.max(most, d.running)) });
    expect(verdict.phase).toBe('Complete');
    expect(most).toBe(1);
    expect((await readRun(cluster.client, planId, NS))?.shape).toEqual({ maxParallel: 1 });
  }, 60_000);
});
