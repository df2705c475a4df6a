// The plan commands as users run them (the BUILT binary): exit codes, positions in errors,
// Status JSON in machine modes, deterministic render, status/approve/resume from the cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NS, planFleet } from '../support/builders.js';
import { startPlanCluster, type PlanCluster } from '../support/cluster.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'plans');
const ID = '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c';

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(args);
}

describe.skipIf(!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs')))('plan commands (built binary)', () => {
  let cluster: PlanCluster;
  let fleetFile: string;
  beforeAll(async () => {
    cluster = await startPlanCluster(planFleet(4));
    fleetFile = join(cluster.dir, 'fleet.yaml');
    writeFileSync(fleetFile, ['node-00', 'node-01', 'node-02'].map((n) => `- {name: ${n}, labels: {sei.io/chain: arctic-1}, phase: Running, peers: [x]}`).join('\n'));
  }, 60_000);
  afterAll(async () => {
    await cluster?.sim.stop();
  });

  it('an invalid plan exits 2 naming the field at file:line:column, with a Status JSON line in machine mode', async () => {
    const bad = join(cluster.dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: cli.sei.io/v1alpha1\nkind: SeiTaskPlan\nmetadata: {name: bad}\nspec:\n  steps:\n    - id: a\n      kind: DiscoverPeer\n      node: n\n');
    const r = await cli(['plan', 'render', '-f', bad, '--offline', '--fleet', fleetFile]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${bad}:7:7: spec.steps[0].kind: unknown kind "DiscoverPeer" (did you mean "DiscoverPeers"?)`);
    const status = JSON.parse(r.stderr.trim().split('\n').at(-1)!);
    expect(status).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
  });

  it('render is deterministic for the same plan id and inputs, and differs for another id', async () => {
    const args = ['plan', 'render', '-f', 'refresh-peers', '--offline', '--fleet', fleetFile, '-n', NS];
    const a = await cli([...args, '--plan-id', ID]);
    const b = await cli([...args, '--plan-id', ID]);
    const c = await cli([...args, '--plan-id', 'a1b2c3d4-0000-4000-8000-000000000000']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
    expect(a.stdout.split('\n---\n')).toHaveLength(6);
  });

  it('a bad --set exits 2 and names the input', async () => {
    const r = await cli(['plan', 'simulate', '-f', join(FIXTURES, 'gov-upgrade.yaml'), '--offline', '--fleet', fleetFile, '--set', 'height=soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/inputs\.height: --set height: "soon" is not an integer/);
  });

  it('apply pauses at the approval (exit 3, WaitingApproval), status reads it back, approve + resume complete it (exit 0)', async () => {
    const conn = ['--kubeconfig', cluster.kubeconfig, '-n', NS];
    const first = await cli(['plan', 'apply', '-f', join(FIXTURES, 'approval.yaml'), ...conn, '-o', 'json']);
    expect(first.code, first.stderr).toBe(3);
    const verdict = JSON.parse(first.stdout) as { planId: string; phase: string };
    expect(verdict.phase).toBe('WaitingApproval');
    expect(first.stderr).toContain(`waiting for approval: kubectl sei plan approve ${verdict.planId} check`);
    expect(JSON.parse(first.stderr.trim().split('\n').at(-1)!)).toMatchObject({ kind: 'Status', reason: 'WaitingApproval' });
    const status = await cli(['plan', 'status', verdict.planId, ...conn, '-o', 'json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ phase: 'WaitingApproval', waitingFor: { step: 'check' } });
    expect((await cli(['plan', 'approve', verdict.planId, 'check', ...conn])).code).toBe(0);
    const resumed = await cli(['plan', 'resume', verdict.planId, ...conn]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/PHASE Complete/);
    const byName = await cli(['plan', 'status', '-f', join(FIXTURES, 'approval.yaml'), ...conn, '-o', 'yaml']);
    // One YAML writer: a string that starts with a digit is quoted, so no YAML reader takes it for anything else.
    expect(byName.stdout, byName.stderr).toContain(`planId: "${verdict.planId}"`);
  }, 120_000);

  it('--state-file records the run locally; status reads the id back from it', async () => {
    const conn = ['--kubeconfig', cluster.kubeconfig, '-n', NS];
    const stateFile = join(cluster.dir, 'run.json');
    const applied = await cli(['plan', 'apply', '-f', join(FIXTURES, 'discover-retry.yaml'), ...conn, '--state-file', stateFile, '-o', 'ndjson']);
    expect(applied.code, applied.stderr).toBe(0);
    const events = applied.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; phase?: string });
    expect(events.filter((e) => e.event === 'launch')).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({ event: 'verdict', phase: 'Complete' });
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { planId: string; verdict: { phase: string } };
    expect(state.verdict.phase).toBe('Complete');
    const status = await cli(['plan', 'status', '--state-file', stateFile, '--kubeconfig', cluster.kubeconfig, '-o', 'json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ planId: state.planId, phase: 'Complete' });
  }, 120_000);

  it('an unknown plan id exits 2 with the way to list runs', async () => {
    const r = await cli(['plan', 'status', ID, '--kubeconfig', cluster.kubeconfig, '-n', NS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('kubectl get configmaps');
  });
});
