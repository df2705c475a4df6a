// Crash recovery with the BUILT binary: SIGKILL `kubectl-sei plan apply` mid-run, then
// `plan resume` finishes with no duplicate task and the verdict of an uninterrupted run — also
// after the simulated cluster itself restarts from its state dir. Requires `npm run build`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { applyPlan } from '../../src/services/plan-apply.js';
import { NS, planFleet } from '../support/builders.js';
import { planTasks, waitForRunning } from '../support/cluster.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const FLEET = 8;
const TOKEN = 'plan-crash-test-token';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; `killWhen` sees each stdout line and may ask for a SIGKILL. */
function cli(args: string[], killWhen?: (line: string) => boolean): Promise<Run> {
  return runCli(args, killWhen ? { onStdoutLine: (line, child) => void (killWhen(line) && child.kill('SIGKILL')) } : {});
}

/** Kill once the run is mid-way: some restarts launched, not all. */
function midRun(): (line: string) => boolean {
  let restarts = 0;
  return (line) => {
    if (!line.startsWith('{')) return false;
    const event = JSON.parse(line) as { event: string; step?: string };
    if (event.event === 'launch' && event.step === 'restart') restarts++;
    return restarts === 3;
  };
}

function byKey(tasks: KubeObject[]): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const t of tasks) {
    const l = t.metadata.labels ?? {};
    const key = `${l['sei.io/plan-step']}/${l['sei.io/plan-index']}`;
    keys.set(key, [...(keys.get(key) ?? []), l['sei.io/plan-attempt'] ?? '?']);
  }
  return keys;
}

describe.skipIf(!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs')))('plan apply killed mid-run, then plan resume (built binary)', () => {
  let sim: RunningSim;
  let client: ClusterClient;
  let kubeconfig: string;
  let dir: string;
  let stateDir: string;
  let reference: { phase: string; steps: Array<[string, string, number, number]> };

  const start = async (): Promise<void> => {
    sim = await startSim({ namespace: NS, stateDir, token: TOKEN, ...(sim ? {} : { seedObjects: planFleet(FLEET) }) });
    sim.writeKubeconfig(kubeconfig);
    client = await connect({ kubeconfig });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sei-plan-crash-'));
    stateDir = join(dir, 'state');
    kubeconfig = join(dir, 'kubeconfig');
    await start();
    await waitForRunning(client, FLEET);
    const { verdict } = await applyPlan({ client, file: 'refresh-peers', namespace: NS });
    reference = { phase: verdict.phase, steps: verdict.steps.map((s) => [s.id, s.state, s.counts.done, s.counts.total]) };
    expect(reference.phase).toBe('Complete');
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it.each([
    { scenario: 'the CLI is SIGKILLed', restartSim: false },
    { scenario: 'the CLI is SIGKILLed and the sim restarts from its state dir', restartSim: true },
  ])('$scenario → resume finishes, no duplicate task, same verdict', async ({ restartSim }) => {
    const planId = randomUUID();
    const killed = await cli(['plan', 'apply', '-f', 'refresh-peers', '--plan-id', planId, '--kubeconfig', kubeconfig, '-n', NS, '-o', 'ndjson'], midRun());
    expect(killed.code, killed.stderr).toBeNull(); // killed by the signal, not exited
    const before = await planTasks(client, planId);
    expect(before.length).toBeGreaterThan(FLEET);
    expect(before.length).toBeLessThan(2 * FLEET);
    if (restartSim) {
      await sim.stop();
      await start();
    }
    const resumed = await cli(['plan', 'resume', planId, '--kubeconfig', kubeconfig, '-n', NS, '-o', 'json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const verdict = JSON.parse(resumed.stdout) as { phase: string; steps: Array<{ id: string; state: string; counts: { done: number; total: number } }> };
    expect({ phase: verdict.phase, steps: verdict.steps.map((s) => [s.id, s.state, s.counts.done, s.counts.total]) }).toEqual(reference);
    const tasks = await planTasks(client, planId);
    expect(tasks).toHaveLength(2 * FLEET);
    // Exactly one task per (step, index), all first attempts: recovery never counted as an attempt.
    const keys = byKey(tasks);
    expect(keys.size).toBe(2 * FLEET);
    for (const attempts of keys.values()) expect(attempts).toEqual(['1']);
    // Every task that existed before the kill is still the same object (not re-created).
    const uids = new Map(tasks.map((t) => [t.metadata.name, t.metadata.uid]));
    for (const t of before) expect(uids.get(t.metadata.name)).toBe(t.metadata.uid);
  }, 120_000);

  // The probe's matrix: a SIGKILL at many moments of the run (after the n-th event: the first
  // launch, mid discover, the step boundary, mid restart, near the end). Whatever the moment,
  // resume ends with the reference verdict, one first-attempt task per item and nothing re-created.
  it.each([1, 2, 5, 9, 12, 17, 22, 26])('SIGKILL after event %i → resume completes with no duplicate', async (n) => {
    const planId = randomUUID();
    let events = 0;
    await cli(['plan', 'apply', '-f', 'refresh-peers', '--plan-id', planId, '--kubeconfig', kubeconfig, '-n', NS, '-o', 'ndjson'], (line) => line.startsWith('{') && ++events === n);
    const before = await planTasks(client, planId);
    const resumed = await cli(['plan', 'resume', planId, '--kubeconfig', kubeconfig, '-n', NS, '-o', 'json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const verdict = JSON.parse(resumed.stdout) as { phase: string; steps: Array<{ id: string; state: string; counts: { done: number; total: number } }> };
    expect({ phase: verdict.phase, steps: verdict.steps.map((s) => [s.id, s.state, s.counts.done, s.counts.total]) }).toEqual(reference);
    const tasks = await planTasks(client, planId);
    const keys = byKey(tasks);
    expect(keys.size).toBe(2 * FLEET);
    for (const attempts of keys.values()) expect(attempts).toEqual(['1']);
    const uids = new Map(tasks.map((t) => [t.metadata.name, t.metadata.uid]));
    for (const t of before) expect(uids.get(t.metadata.name)).toBe(t.metadata.uid);
  }, 120_000);
});
