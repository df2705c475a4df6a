/**
 * Restart-safety of the simulated controller over a persisted store: the sim is stopped (the
 * controller stopped, the store flushed and closed) mid-flight and started again from the same
 * state directory. In-flight tasks resume from their stored status and sidecar records, timers
 * re-arm from stored timestamps, terminal tasks are left alone, and no pod is deleted twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simulatedHeight } from '../../src/sim/controller/index.js';
import type { StoreEvent } from '../../src/sim/types.js';
import { phaseOf, runningNode, startHarness, type Harness } from '../support/sim-controller-harness.js';

type Obj = Record<string, unknown>;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-controller-restart-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function session(dir: string, crd: 'seed' | 'latest' = 'seed', now?: () => number): Harness {
  const h = startHarness({ stateDir: dir, crd, now });
  let stopped = false;
  const stop = h.stop.bind(h);
  h.stop = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  cleanup.push(() => h.stop());
  return h;
}

const podUid = (h: Harness) => h.get('pods', 'node-0-0')?.metadata.uid;
const ready = (h: Harness) =>
  ((h.get('pods', 'node-0-0')?.status as { conditions?: Obj[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

describe('controller restart from a state directory', () => {
  it('resumes an in-flight RestartPod without deleting any pod again', async () => {
    const dir = stateDir();
    const first = session(dir);
    await runningNode(first, 'node-0', { annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.4' } });
    const original = podUid(first)!;
    first.task('restart', 'RestartPod', { podUID: original });
    const replacement = await first.until('replacement created', () => (podUid(first) && podUid(first) !== original ? podUid(first) : undefined));
    expect(ready(first)).toBe(false);
    expect(first.status('restart').phase).toBe('Running');
    await first.stop();

    const second = session(dir);
    const events: StoreEvent[] = [];
    second.store.onChange((e) => events.push(e));
    expect(await second.until('terminal', () => phaseOf(second, 'restart'))).toBe('Complete');
    expect(events.filter((e) => e.resource === 'pods' && e.type === 'DELETED')).toEqual([]);
    expect(podUid(second)).toBe(replacement);
    expect(second.status('restart').task).toMatchObject({ status: 'Complete', restartedPodUID: original });
  });

  it('re-arms the execution timeout from the stored start time', async () => {
    const dir = stateDir();
    const first = session(dir);
    await runningNode(first, 'node-0', { annotations: { 'sim.sei.io/pod-never-ready': 'true' } });
    first.task('restart', 'RestartPod', { podUID: podUid(first) }, { timeoutSeconds: 1 });
    await first.until('running', () => first.status('restart').phase === 'Running');
    await first.stop();

    // The sim was down for a minute: the budget ran out meanwhile, so the first reconcile fails it.
    const second = session(dir, 'seed', () => Date.now() + 60_000);
    await second.controller.idle();
    expect(phaseOf(second, 'restart')).toBe('Failed');
    expect(second.condition('restart', 'Failed')).toMatchObject({ status: 'True', reason: 'Timeout' });
  });

  it('re-arms the requirePhase wait from targetFirstObservedAt', async () => {
    const dir = stateDir();
    const first = session(dir);
    first.node('node-0', { annotations: { 'sim.sei.io/phase': 'Initializing' } });
    first.task('vote', 'GovVote', { proposalId: 1, option: 'yes' }, { target: { requirePhaseTimeout: '30s' } });
    await first.until('PhaseNotMet', () => first.condition('vote', 'TargetReady')?.reason === 'PhaseNotMet');
    const observed = first.status('vote').targetFirstObservedAt;
    await first.stop();

    const second = session(dir, 'seed', () => Date.now() + 60_000);
    await second.controller.idle();
    expect(phaseOf(second, 'vote')).toBe('Failed');
    expect(second.condition('vote', 'Failed')).toMatchObject({ reason: 'TargetResolveFailed' });
    expect(observed).toEqual(expect.any(String));
  });

  it('finishes an in-flight proposal with the proposal id it was given, and never re-runs a terminal task', async () => {
    const dir = stateDir();
    // Proposal ids are published as outputs by the latest controller only (govoutputs.go, 2d670ad).
    const first = session(dir, 'latest');
    await runningNode(first, 'node-0', { annotations: { 'sim.sei.io/block-time-ms': '200' } });
    const upgrade = { chainId: 'sim-1', upgradeName: 'v2', upgradeHeight: 1000, title: 't', description: 'd' };
    first.task('done', 'GovVote', { proposalId: 1, option: 'yes' });
    expect(await first.until('vote terminal', () => phaseOf(first, 'done'))).toBe('Complete');
    const terminal = first.get('seinodetasks', 'done')!;
    first.task('upgrade', 'GovSoftwareUpgrade', upgrade);
    await first.until('minted', () => first.status('upgrade').task);
    expect(first.status('upgrade').phase).toBe('Running');
    await first.stop();

    const second = session(dir, 'latest');
    expect(await second.until('upgrade terminal', () => phaseOf(second, 'upgrade'))).toBe('Complete');
    expect((second.status('upgrade').outputs as { govSoftwareUpgrade: Obj }).govSoftwareUpgrade.proposalId).toBe(1);
    await second.controller.idle();
    // The terminal task was not touched: same resourceVersion, same status.
    expect(second.get('seinodetasks', 'done')).toEqual(terminal);
    second.task('upgrade-2', 'GovSoftwareUpgrade', upgrade);
    await second.until('second upgrade terminal', () => phaseOf(second, 'upgrade-2'));
    expect((second.status('upgrade-2').outputs as { govSoftwareUpgrade: Obj }).govSoftwareUpgrade.proposalId).toBe(2);
  });

  it('resumes an in-flight height wait and restarts RestartSeid at most once (latest CRD)', async () => {
    const dir = stateDir();
    const first = session(dir, 'latest');
    const node = await runningNode(first, 'node-0', { annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.3' } });
    const target = simulatedHeight(node, Date.now()) + 20;
    first.task('await', 'AwaitNodesAtHeight', { targetHeight: target });
    first.task('seid', 'RestartSeid', {});
    await first.until('seid restarted', () => {
      const statuses = (first.get('pods', 'node-0-0')?.status as { containerStatuses?: Obj[] } | undefined)?.containerStatuses ?? [];
      return statuses[0]?.restartCount === 1;
    });
    await first.stop();

    const second = session(dir, 'latest');
    expect(await second.until('await terminal', () => phaseOf(second, 'await'))).toBe('Complete');
    expect(await second.until('seid terminal', () => phaseOf(second, 'seid'))).toBe('Complete');
    const pod = second.get('pods', 'node-0-0')!;
    expect((pod.status as { containerStatuses: Obj[] }).containerStatuses[0]).toMatchObject({ restartCount: 1, ready: true });
    expect(simulatedHeight(second.get('seinodes', 'node-0')!, Date.now())).toBeGreaterThanOrEqual(target);
    // upstream populateOutputs (both versions): await kinds publish no outputs.
    expect(second.status('await').outputs).toBeUndefined();
  });
});
