// Progress of every wait through the built binary (src/output/progress.ts, the one reporter):
// the elapsed time on every status line, the node's current height against the target on
// await-height, the items in flight on plan apply, in a terminal (a real pseudo-terminal from
// util-linux `script`) and without one (CI lines, one per state change); and -v=6/9 logging the
// watch streams. Every assertion is on content, never on timing: the runs end on events (a task
// deleted, a line seen), and the elapsed time is matched by its format only.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, requireBuiltCli, runCli } from '../support/cli.js';
import { fleetNode, NS, seiNode } from '../support/builders.js';
import { startCluster, waitForPods, type TestCluster } from '../support/cluster.js';
import type { KubeObject } from '../../src/cluster/types.js';

/** humanDuration's forms (45s, 5m30s, 3h, 3d4h, 3y12d), matched by shape: the value depends on the machine. */
const ELAPSED = String.raw`\[\d+[smhdy](?:\d+[smhd])? elapsed\]`;
/** A block time no test outlives: the node's height stays at its initial height. */
const FROZEN = { 'sim.sei.io/block-time-ms': '3600000000', 'sim.sei.io/initial-height': '1000' };

/** Everything a terminal shows, without colours and cursor movements. */
function screenText(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');
}

interface PtyRun {
  code: number | null;
  raw: string;
}

/**
 * Runs the CLI in a pseudo-terminal of 160 columns (script -qfec; `stty` sizes it, as a real
 * terminal is sized), with CI unset; `onOutput` sees everything so far and may act on it.
 */
function runInPty(args: readonly string[], onOutput: (screen: string) => void, env: NodeJS.ProcessEnv = {}): Promise<PtyRun> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const environment: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete environment['CI'];
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('script', ['-qfec', `stty cols 160 rows 40; exec ${quoted}`, '/dev/null'], { env: environment, stdio: ['pipe', 'pipe', 'pipe'] });
    let raw = '';
    const take = (chunk: Buffer) => {
      raw += chunk.toString();
      onOutput(screenText(raw));
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, raw }));
  });
}

const TASKS = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask' };

describe('progress of every wait (built binary)', () => {
  let cluster: TestCluster;
  let dir: string;
  beforeAll(async () => {
    requireBuiltCli();
    dir = mkdtempSync(join(tmpdir(), 'sei-progress-'));
    const fleet: KubeObject[] = [
      seiNode('node-0'),
      seiNode('tall', { annotations: FROZEN }),
      fleetNode('pa-0', { annotations: FROZEN, labels: { 'sei.io/role': 'progress' } }),
      fleetNode('pa-1', { annotations: FROZEN, labels: { 'sei.io/role': 'progress' } }),
      fleetNode('pa-2', { annotations: FROZEN, labels: { 'sei.io/role': 'progress' } }),
      seiNode('held', { annotations: { 'sim.sei.io/phase': 'Initializing' } }),
    ];
    cluster = await startCluster({ namespace: NS, seedObjects: fleet }, (client) => waitForPods(client, ['node-0', 'tall', 'pa-0', 'pa-1', 'pa-2']));
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Deletes the one task named `prefix…` once: ends a wait on an event instead of a clock. */
  const deleteTask = async (prefix: string): Promise<void> => {
    const tasks = await cluster.client.list(TASKS.apiVersion, TASKS.kind, { namespace: NS });
    for (const task of tasks.items) if (task.metadata.name?.startsWith(prefix)) await cluster.client.delete({ ...TASKS, namespace: NS, name: task.metadata.name });
  };

  /** An output callback that deletes the task named `prefix…` the first time the output matches `seen`. */
  const deleteTaskOnceSeen = (seen: RegExp, prefix: string) => {
    let ended = false;
    return (output: string): void => {
      if (ended || !seen.test(output)) return;
      ended = true;
      void deleteTask(prefix);
    };
  };

  it('await-height without a terminal: one line per state change with the current height against the target and the elapsed time', async () => {
    const run = await runCli(['task', 'await-height', 'tall', '-n', NS, '--height', '1200', '--name', 'tall-plain', '--kubeconfig', cluster.kubeconfig], {
      onStderr: deleteTaskOnceSeen(/height 1000\/1200/, 'tall-plain'),
    });
    // The task deleted under the wait: exit 1, and stdout stays clean of progress.
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^tall-plain: \\w+.*, height 1000/1200 ${ELAPSED}$`, 'm'));
    // A line per change, not per tick: no status line repeats.
    const statusLines = run.stderr.split('\n').filter((l) => l.startsWith('tall-plain:'));
    const withoutClock = statusLines.map((l) => l.replace(new RegExp(` ${ELAPSED}$`), ''));
    expect(new Set(withoutClock).size).toBe(withoutClock.length);
  });

  it('await-height in a terminal: the spinner shows the height against the target and the elapsed time; NO_COLOR draws no colour', async () => {
    const run = await runInPty(['task', 'await-height', 'tall', '-n', NS, '--height', '1200', '--name', 'tall-pty', '--kubeconfig', cluster.kubeconfig], deleteTaskOnceSeen(/height 1000\/1200 \[\d+s elapsed\]/, 'tall-pty'), { NO_COLOR: '1' });
    const screen = screenText(run.raw);
    expect(run.code, screen).toBe(1);
    expect(screen).toMatch(new RegExp(`tall-pty: \\w+.*, height 1000/1200 ${ELAPSED}`));
    expect(screen).toMatch(/✖ tall-pty Deleted/);
    // eslint-disable-next-line no-control-regex
    expect(run.raw).not.toMatch(/\x1b\[[0-9;]*m/);
  });

  it('task apply --wait and task wait: the status line carries the height and the elapsed time', async () => {
    const manifest = join(dir, 'tall-apply.yaml');
    const rendered = await runCli(['task', 'render', 'await-nodes-at-height', '--node', 'tall', '--set', 'targetHeight=1300', '--name', 'tall-apply', '-n', NS]);
    expect(rendered.code, rendered.stderr).toBe(0);
    writeFileSync(manifest, rendered.stdout);
    const atHeight = /tall-apply: .*height 1000\/1300 \[/;
    const applied = await runCli(['task', 'apply', '-f', manifest, '--wait', '--kubeconfig', cluster.kubeconfig], { onStderr: deleteTaskOnceSeen(atHeight, 'tall-apply') });
    expect(applied.code, applied.stderr).toBe(1);
    expect(applied.stderr).toMatch(new RegExp(`^tall-apply: \\w+.*, height 1000/1300 ${ELAPSED}$`, 'm'));

    const created = await runCli(['task', 'apply', '-f', manifest, '--kubeconfig', cluster.kubeconfig]);
    expect(created.code, created.stderr).toBe(0);
    const waited = await runCli(['task', 'wait', 'tall-apply', '-n', NS, '--timeout', '10m', '--kubeconfig', cluster.kubeconfig], { onStderr: deleteTaskOnceSeen(atHeight, 'tall-apply') });
    expect(waited.code, waited.stderr).toBe(1);
    expect(waited.stderr).toMatch(new RegExp(`^tall-apply: \\w+.*, height 1000/1300 ${ELAPSED}$`, 'm'));
  });

  it('node wait: the node status line carries the elapsed time', async () => {
    let released = false;
    const run = await runCli(['node', 'wait', 'held', '-n', NS, '--timeout', '10m', '--kubeconfig', cluster.kubeconfig], {
      onStderr: (stderr) => {
        if (!released && /^SeiNode held: Initializing \[/m.test(stderr)) {
          released = true;
          // The sim holds the node in Initializing while this knob is set: removing it lets it run.
          void runCli(['annotate', 'seinode', 'held', 'sim.sei.io/phase-', '-n', NS, '--kubeconfig', cluster.kubeconfig], { command: 'kubectl' });
        }
      },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^SeiNode held: Initializing ${ELAPSED}$`, 'm'));
  });

  it('restart-pod without a terminal: pod milestones and status lines carry the elapsed time; -o json keeps stdout machine-readable', async () => {
    const run = await runCli(['task', 'restart-pod', 'node-0', '-n', NS, '-o', 'json', '--kubeconfig', cluster.kubeconfig]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'SeiNodeTask', status: { phase: 'Complete' } });
    expect(run.stderr).toMatch(new RegExp(`^pod node-0-0 deleted \\(uid [^)]+\\), waiting for replacement ${ELAPSED}$`, 'm'));
    expect(run.stderr).toMatch(new RegExp(`^pod node-0-0 Ready \\(uid [^)]+\\) ${ELAPSED}$`, 'm'));
    expect(run.stderr).toMatch(/^✔ node-0-restart-pod-\S+ Complete/m);
  });

  it('plan apply without a terminal: a line per step change naming the items in flight (node and task)', async () => {
    const plan = join(dir, 'in-flight.yaml');
    writeFileSync(plan, `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata:
  name: in-flight
spec:
  steps:
    - id: climb
      kind: AwaitNodesAtHeight
      forEach: {selector: {matchLabels: {sei.io/role: progress}}}
      maxParallel: 2
      params: {targetHeight: 999999999}
`);
    let sent = false;
    const run = await runCli(['plan', 'apply', '-f', plan, '-n', NS, '--kubeconfig', cluster.kubeconfig], {
      onStderr: (stderr, child) => {
        if (!sent && /running: pa-\d \(\S+\), pa-\d \(\S+\)/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toMatch(new RegExp(`^climb: running 0/3 done, 0 failed, 2 running: pa-0 \\(in-flight-[0-9a-f]+-climb-0\\), pa-1 \\(in-flight-[0-9a-f]+-climb-1\\) ${ELAPSED}$`, 'm'));
  });

  it('plan apply in a terminal: the spinner lists each step with its items in flight and the elapsed time', async () => {
    const plan = join(dir, 'in-flight-pty.yaml');
    writeFileSync(plan, `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata:
  name: in-flight-pty
spec:
  steps:
    - id: climb
      kind: AwaitNodesAtHeight
      forEach: {nodes: [pa-2]}
      params: {targetHeight: 999999998}
`);
    // The plan fails on its deleted task: the run ends on that event.
    const run = await runInPty(['plan', 'apply', '-f', plan, '-n', NS, '--kubeconfig', cluster.kubeconfig], deleteTaskOnceSeen(/climb: running 0\/1 done, 0 failed, 1 running: pa-2 \(in-flight-pty-\S+\)/, 'in-flight-pty-'));
    const screen = screenText(run.raw);
    expect(screen).toMatch(new RegExp(`plan in-flight-pty [0-9a-f]{8}: Running ${ELAPSED}\\n\\s+climb: running 0/1 done, 0 failed, 1 running: pa-2 \\(in-flight-pty-[0-9a-f]+-climb-0\\)`));
    expect(run.code, screen).not.toBe(0);
  });

  it('-v=6 logs the watch streams as kubectl does (GET ?watch=true, status, duration); -v=9 their events', async () => {
    // A task that never finishes on its own: its stream is certainly opened, and its deletion
    // (after the height line is seen) certainly arrives as a watch event.
    const run = (verbosity: string, name: string) =>
      runCli([verbosity, 'task', 'await-height', 'tall', '-n', NS, '--height', '1200', '--name', name, '--kubeconfig', cluster.kubeconfig], {
        onStderr: deleteTaskOnceSeen(/height 1000\/1200/, name),
      });
    const six = await run('-v=6', 'tall-v6');
    expect(six.code, six.stderr).toBe(1);
    expect(six.stderr).toMatch(/round_trippers: GET https:\/\/127\.0\.0\.1:\d+\/apis\/sei\.io\/v1alpha1\/namespaces\/sei\/seinodetasks\?[^ ]*watch=true[^ ]* 200 OK in \d+ milliseconds/);
    // The height read through the pod proxy is a request like any other.
    expect(six.stderr).toMatch(/round_trippers: GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/sei\/pods\/tall-0:26657\/proxy\/status 200 OK in \d+ milliseconds/);
    expect(six.stderr).not.toMatch(/watch: /);
    expect(six.stdout).toBe('');
    const nine = await run('-v=9', 'tall-v9');
    expect(nine.code, nine.stderr).toBe(1);
    expect(nine.stderr).toMatch(/watch: event DELETED SeiNodeTask sei\/tall-v9 resourceVersion=\d+/);
    expect(nine.stderr).toMatch(/round_trippers:\s+authorization: Bearer <masked>/i);
  });
});

describe('progress of workflow wait (built binary, later controller API)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    requireBuiltCli();
    // rpc-1's plans stall at reset-data (sim knob): the first workflow stays adopted, a second queues.
    const rpc = seiNode('rpc-1', { annotations: { 'sim.sei.io/stall-plan-task': 'reset-data' } });
    cluster = await startCluster({ namespace: NS, crd: 'latest', seedObjects: [rpc] }, (client) => waitForPods(client, ['rpc-1']));
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('workflow wait: the adopted workflow and the one queued behind it both carry the elapsed time', async () => {
    const witnesses = ['--rpc-servers', 'rpc-a.sei.svc:26657', '--rpc-servers', 'rpc-b.sei.svc:26657'];
    const base = ['-n', NS, '--kubeconfig', cluster.kubeconfig];
    for (const name of ['wf-first', 'wf-second']) {
      const created = await runCli(['workflow', 'state-sync', 'rpc-1', ...witnesses, '--yes', '--no-wait', '--name', name, ...base]);
      expect(created.code, created.stderr).toBe(0);
    }
    let deleted = false;
    const waited = await runCli(['workflow', 'wait', 'wf-second', '--timeout', '10m', ...base], {
      onStderr: (stderr) => {
        if (!deleted && /^wf-second: .*elapsed\]$/m.test(stderr)) {
          deleted = true;
          // Nobody adopted it: deleting it ends the wait on that event.
          void runCli(['workflow', 'delete', 'wf-second', ...base]);
        }
      },
    });
    expect(waited.code, waited.stderr).not.toBe(0);
    expect(waited.stderr).toMatch(new RegExp(`^wf-second: .* ${ELAPSED}$`, 'm'));
    let released = false;
    const first = await runCli(['workflow', 'wait', 'wf-first', '--timeout', '10m', ...base], {
      onStderr: (stderr, child) => {
        // The adopted form (phase and plan summary): the controller may not have written a status at the first line.
        if (!released && /^wf-first: \w+ \(.*\) \[.*elapsed\]$/m.test(stderr)) {
          released = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(first.code, first.stderr).toBe(130);
    expect(first.stderr).toMatch(new RegExp(`^wf-first: \\w+ \\(.*\\) ${ELAPSED}$`, 'm'));
  });
});
