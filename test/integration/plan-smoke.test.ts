import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/plan/service.js';
import { NS, planFleet, planTasks, startPlanCluster, type PlanCluster } from './plan-helpers.js';

describe('plan apply smoke', () => {
  let cluster: PlanCluster;
  beforeAll(async () => {
    cluster = await startPlanCluster(planFleet(5));
  }, 60_000);
  afterAll(async () => {
    await cluster?.sim.stop();
  });
  it('refresh-peers completes', async () => {
    const events: unknown[] = [];
    const { verdict } = await applyPlan({ client: cluster.client, file: 'refresh-peers', namespace: NS, onEvent: (e) => events.push(e) });
    expect(verdict.phase).toBe('Complete');
    expect((await planTasks(cluster.client, verdict.planId)).length).toBe(10);
  }, 60_000);
});
