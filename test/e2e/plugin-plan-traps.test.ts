// Issue 12 traps 6 and 7 through the built binary against the simulated cluster: `plan apply`
// refuses a plan the cluster's CRD cannot run before it writes the run record, and `plan status`
// of a run whose driver died says it is not driven (when last seen, how to resume).
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS, planFleet } from '../support/builders.js';
import { startPlanCluster, type PlanCluster } from '../support/cluster.js';
import { requireBuiltCli, runCli, type CliOptions } from '../support/cli.js';

describe('trap 6: plan apply on a cluster whose CRD lacks a step kind', () => {
  let cluster: PlanCluster;
  beforeAll(async () => {
    requireBuiltCli();
    // The latest CRD serves neither DiscoverPeers nor RestartPod (upstream api/v1alpha1 at 2d670ad).
    cluster = await startPlanCluster(planFleet(2), { crd: 'latest' });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  const cli = (args: string[], options: CliOptions = {}) => runCli([...args, '--kubeconfig', cluster.kubeconfig], options);

  it('refuses with exit 2 before writing the run record, and says nothing was written', async () => {
    const result = await cli(['plan', 'apply', '-f', 'refresh-peers', '-n', NS]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('step discover');
    expect(result.stderr).toContain('does not serve kind DiscoverPeers');
    expect(result.stderr).not.toContain('started plan run');
    expect(result.stderr).toMatch(/nothing was written/);
    const records = await cluster.client.list('v1', 'ConfigMap', { namespace: NS, labelSelector: 'sei.io/plan-id' });
    expect(records.items.map((cm) => cm.metadata.name)).toEqual([]);
    const tasks = await cluster.client.list('sei.io/v1alpha1', 'SeiNodeTask', { namespace: NS });
    expect(tasks.items).toEqual([]);
  });
});

describe('trap 7: plan status of a run whose driver died', () => {
  let cluster: PlanCluster;
  beforeAll(async () => {
    requireBuiltCli();
    cluster = await startPlanCluster(planFleet(1));
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  const cli = (args: string[], options: CliOptions = {}) => runCli([...args, '--kubeconfig', cluster.kubeconfig], options);

  it('shows the run as not driven, with when the driver was last seen and the resume line, once plan apply was SIGKILLed', async () => {
    // A task that never finishes on its own (a height the sim's chain does not reach), so the run stays unfinished.
    const file = join(cluster.dir, 'never-ends.yaml');
    writeFileSync(file, 'apiVersion: cli.sei.io/v1alpha1\nkind: SeiTaskPlan\nmetadata: {name: never-ends}\nspec:\n  steps:\n    - id: wait\n      kind: AwaitNodesAtHeight\n      forEach: {nodes: [node-00]}\n      params: {targetHeight: 1000000000000}\n');
    const planId = randomUUID();
    let driver: ChildProcess | undefined;
    let statusWhileDriven: Promise<Awaited<ReturnType<typeof cli>>> | undefined;
    // Once the task is launched: status while the driver lives, then SIGKILL it (events, never time).
    const applied = await cli(['plan', 'apply', '-f', file, '--plan-id', planId, '-n', NS, '-o', 'ndjson'], {
      onStdoutLine: (line, child) => {
        if (!line.startsWith('{')) return;
        const event = JSON.parse(line) as { event?: string };
        if (event.event === 'launch' && !driver) {
          driver = child;
          statusWhileDriven = cli(['plan', 'status', planId, '-n', NS, '-o', 'json'], { env: { SEI_PLAN_DRIVER_STALE_SECONDS: '3600' } }).finally(() => child.kill('SIGKILL'));
        }
      },
    });
    expect(applied.signal).toBe('SIGKILL');
    const alive = await statusWhileDriven!;
    expect(alive.code, alive.stderr).toBe(0);
    expect(JSON.parse(alive.stdout)).toMatchObject({ planId, phase: 'Running', driver: { driven: true } });

    // The driver is dead: with a zero threshold its last heartbeat is already stale.
    const env = { SEI_PLAN_DRIVER_STALE_SECONDS: '0' };
    const table = await cli(['plan', 'status', planId, '-n', NS], { env });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/PHASE NotDriven/);
    expect(table.stdout).not.toMatch(/PHASE Running/);
    expect(table.stdout).toMatch(/NOT DRIVEN: no plan apply or plan resume has driven this run since \d{4}-\d\d-\d\dT/);
    expect(table.stdout).toContain(`continue: kubectl sei plan resume ${planId} -n ${NS}`);
    const json = JSON.parse((await cli(['plan', 'status', planId, '-n', NS, '-o', 'json'], { env })).stdout) as { driver?: { driven: boolean; lastSeen: string } };
    expect(json.driver).toMatchObject({ driven: false, lastSeen: expect.stringMatching(/^\d{4}-/) });
    const list = await cli(['plan', 'list', '-n', NS], { env });
    expect(list.stdout).toMatch(new RegExp(`^${planId}\\s+never-ends\\s+NotDriven\\s`, 'm'));
  });
});
