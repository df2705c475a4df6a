// The BUILT bin/kubectl-sei (npm run build) run as a user runs it, against the simulated
// cluster started in this process: exit codes, stdout = data only, stderr = progress and the
// metav1.Status line, Ctrl-C, and once through `kubectl sei` with the plugin on PATH.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS } from '../support/builders.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { runCli } from '../support/cli.js';
import type { ChildProcess } from 'node:child_process';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const KUBECTL = '/usr/bin/kubectl';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let cluster: TestCluster;
const everything: string[] = [];

function cli(args: string[], options: { command?: string; env?: NodeJS.ProcessEnv; onStderr?: (text: string, child: ChildProcess) => void } = {}): Promise<Run> {
  return runCli(args, { ...options, cwd: cluster.dir }).then((run) => {
    everything.push(run.stdout, run.stderr);
    return run;
  });
}

const k = () => ['--kubeconfig', cluster.kubeconfig, '-n', NS];

function lastStatus(stderr: string): Record<string, unknown> {
  const last = stderr.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('run `npm run build` first: the e2e tests run the built bin/kubectl-sei');
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.sim.stop();
});

describe('built kubectl-sei: exit codes and streams', () => {
  it('restart-pod: exit 0, nothing on stdout, progress and one ✔ line on stderr', async () => {
    const run = await cli(['task', 'restart-pod', 'node-0', ...k()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/pod node-0-0 deleted \(uid /);
    expect(run.stderr.match(/^✔ /gm)).toHaveLength(1);
  });

  it('-o ndjson streams every observed task as one JSON object per stdout line; stderr holds no JSON', async () => {
    const run = await cli(['task', 'discover-peers', 'node-1', '--name', 'e2e-ndjson', '-o', 'ndjson', ...k()]);
    expect(run.code).toBe(0);
    const objects = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { kind: string; status?: { phase?: string } });
    expect(objects.length).toBeGreaterThanOrEqual(2);
    expect(objects.every((o) => o.kind === 'SeiNodeTask')).toBe(true);
    expect(objects.at(-1)?.status?.phase).toBe('Complete');
    expect(run.stderr.split('\n').some((l) => l.startsWith('{'))).toBe(false);
  });

  it.each([
    ['preflight refusal (no peers)', 2, 'NoPeerSources', ['task', 'discover-peers', 'lonely', '-o', 'json']],
    ['missing node with a suggestion', 2, 'TargetNotFound', ['task', 'restart-pod', 'nod-2', '-o', 'yaml']],
    ['task Failed (TaskFailed)', 1, 'TaskFailed', ['task', 'restart-pod', 'flaky', '-o', 'name']],
    ['--timeout expiry', 3, 'Timeout', ['task', 'restart-pod', 'stuck', '--timeout', '500ms', '-o', 'json']],
    ['wait on a missing task', 2, 'NotFound', ['task', 'wait', 'no-such-task', '-o', 'name']],
  ])('%s: exit %i and a metav1.Status with reason %s as the last stderr line', async (_scenario, code, reason, args) => {
    const run = await cli([...args, ...k()]);
    expect(run.code).toBe(code);
    const status = lastStatus(run.stderr);
    expect(status['kind']).toBe('Status');
    expect(status['reason']).toBe(reason);
    expect(run.stderr).toMatch(/^error: /m);
  });

  it('--no-preflight DiscoverPeers without peers: Failed ParamsBuildFailed, exit 1, the object on stdout', async () => {
    const file = join(cluster.dir, 'e2e-dp.yaml');
    writeFileSync(file, `apiVersion: sei.io/v1alpha1\nkind: SeiNodeTask\nmetadata:\n  name: e2e-dp-forced\nspec:\n  kind: DiscoverPeers\n  target:\n    nodeRef:\n      name: lonely\n  discoverPeers: {}\n`);
    const run = await cli(['task', 'apply', '-f', file, '--no-preflight', '--wait', '-o', 'json', ...k()]);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { status: { phase: string } }).status.phase).toBe('Failed');
    expect(lastStatus(run.stderr)['reason']).toBe('ParamsBuildFailed');
  });

  it('an invalid manifest: exit 2 with file:line:column, nothing applied', async () => {
    const file = join(cluster.dir, 'e2e-bad.yaml');
    writeFileSync(file, `apiVersion: sei.io/v1alpha1\nkind: SeiNodeTask\nmetadata:\n  name: e2e-bad\nspec:\n  kind: RestartPod\n  target:\n    nodeRef:\n      name: node-0\n  restartPod:\n    podUID: ""\n`);
    const run = await cli(['task', 'apply', '-f', file, ...k()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:`);
    expect(run.stderr).toMatch(/e2e-bad\.yaml:\d+:\d+: spec/);
    const get = await cli(['task', 'get', 'e2e-bad', ...k()]);
    expect(get.code).toBe(2);
  });

  it.each([
    ['a missing NODE argument', ['task', 'restart-pod']],
    ['an unknown -o value', ['task', 'get', '-o', 'xml']],
    ['a bad --timeout', ['task', 'wait', 'x', '--timeout', 'soon']],
  ])('parse errors exit 2: %s', async (_scenario, args) => {
    const run = await cli([...args, ...k()]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('Ctrl-C while waiting: exit 130, the task keeps running, and the re-attach command is printed', async () => {
    let sent = false;
    const run = await cli(['task', 'restart-pod', 'stuck', '--name', 'e2e-sigint', '-o', 'name', ...k()], {
      onStderr: (text, child) => {
        if (!sent && text.includes('created')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`kubectl sei task wait e2e-sigint -n ${NS}`);
    expect(lastStatus(run.stderr)['reason']).toBe('Interrupted');
    const get = await cli(['task', 'get', 'e2e-sigint', '-o', 'json', ...k()]);
    expect(get.code).toBe(0);
    expect((JSON.parse(get.stdout) as { status?: { phase?: string } }).status?.phase).not.toBe('Complete');
  });

  it('get prints aligned columns on stdout; describe explains; delete removes', async () => {
    const get = await cli(['task', 'get', ...k()]);
    expect(get.code).toBe(0);
    expect(get.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+NODE\s+PHASE\s+REASON\s+AGE$/);
    const describe = await cli(['task', 'describe', 'e2e-ndjson', ...k()]);
    expect(describe.code).toBe(0);
    expect(describe.stdout).toContain('Conditions:');
    const del = await cli(['task', 'delete', 'e2e-ndjson', ...k()]);
    expect(del.code).toBe(0);
    expect(del.stdout).toBe('seinodetask.sei.io "e2e-ndjson" deleted\n');
  });

  // This sim serves the seed controller (upstream 204c1c0), which publishes no gov outputs
  // (internal/controller/nodetask/controller.go:359-379); the latest one's: task-paved-road.test.ts.
  it('--output-env of an output the cluster\'s controller does not publish: exit 2, nothing written, the version and the alternative named', async () => {
    const upgrade = ['task', 'gov-upgrade', 'node-2', '--chain-id', 'sim-1', '--title', "it's v2", '--summary', 'd', '--upgrade-name', 'v2', '--upgrade-height', '100000', '--deposit', '10usei', '--fees', '20usei', '--gas', '500000'];
    const refused = await cli([...upgrade, '--output-env', 'PROPOSAL_ID={.status.outputs.govSoftwareUpgrade.proposalId}', ...k()]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('not published by the seed controller (sei-k8s-controller 204c1c0)');
    expect(refused.stderr).toContain('--set / --inputs');
    const run = await cli([...upgrade, ...k()]);
    expect(run.code).toBe(0);
  });

  it('wait -l SELECTOR: every matching task, exit 0 when all are Complete', async () => {
    const run = await cli(['task', 'wait', '-l', 'sei.io/node=node-2', '--timeout', '30s', '-o', 'name', ...k()]);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n').every((l) => l.startsWith('seinodetask.sei.io/'))).toBe(true);
  });

  it('--help of every task command shows the exit-code table', async () => {
    const run = await cli(['task', 'restart-pod', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/EXIT CODES[\s\S]*3\s+--timeout expired/);
  });

  it.each([
    ['a wrong bearer token', (text: string) => text.replace(/token: .*/, 'token: wrong-token-must-never-print-7f3a'), 'Unauthorized'],
    ['an unreachable server', (text: string) => text.replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:9'), 'ServiceUnavailable'],
  ])('cluster errors exit 4: %s, with no credential in any output', async (_scenario, edit, reason) => {
    const kubeconfig = join(cluster.dir, `kubeconfig-${reason}`);
    writeFileSync(kubeconfig, edit(readFileSync(cluster.kubeconfig, 'utf8')));
    const run = await cli(['task', 'restart-pod', 'node-0', '-o', 'json', '--kubeconfig', kubeconfig, '-n', NS, '--request-timeout', '5s']);
    expect(run.code).toBe(4);
    expect(lastStatus(run.stderr)['reason']).toBe(reason);
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain('wrong-token-must-never-print-7f3a');
      expect(text).not.toContain(cluster.sim.token);
      expect(text).not.toMatch(/authorization|bearer/i);
    }
  });

  it('never prints the bearer token, in any output of any run above', () => {
    expect(everything.length).toBeGreaterThan(10);
    for (const text of everything) expect(text).not.toContain(cluster.sim.token);
  });
});

/** Runs a shell command line under `script`, a real pseudo-terminal, as an operator would (CI unset). */
function inPty(commandLine: string): Promise<{ code: number | null; tty: string }> {
  const env = { ...process.env };
  delete env['CI'];
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qec', commandLine, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let tty = '';
    child.stdout.on('data', (c: Buffer) => (tty += c.toString()));
    child.on('error', reject);
    // A runaway terminal renderer must fail the test, not hang it: kill the pty.
    const guard = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, tty });
    });
  });
}

describe('in a terminal', () => {
  it.skipIf(!existsSync('/usr/bin/script'))('draws an ora spinner on the TTY stderr, ends with one ✔ line, and keeps stdout clean', async () => {
    const out = join(cluster.dir, 'tty-stdout.txt');
    // `script` gives a pty of 0x0 when the test has no terminal: size it like a real one.
    const inner = `stty cols 120 rows 40; '${process.execPath}' '${BIN}' task restart-pod slow --kubeconfig '${cluster.kubeconfig}' -n ${NS} > '${out}'`;
    const run = await inPty(inner);
    expect(run.code).toBe(0);
    // ora redraws in place: carriage returns / ANSI erase sequences and braille frames.
    expect(run.tty).toMatch(/\u001b\[\d*[GK]|\r/);
    expect(run.tty).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(run.tty.match(/✔/g)).toHaveLength(1);
    expect(readFileSync(out, 'utf8')).toBe('');
  });
});

describe('in an unsized pty', () => {
  it.skipIf(!existsSync('/usr/bin/script'))('falls back to plain progress lines instead of a spinner', async () => {
    const inner = `'${process.execPath}' '${BIN}' task discover-peers node-2 --kubeconfig '${cluster.kubeconfig}' -n ${NS}`;
    const run = await inPty(inner);
    expect(run.code).toBe(0);
    expect(run.tty).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(run.tty).toMatch(/✔ node-2-discover-peers-\S+ Complete/);
  });
});

describe('through kubectl', () => {
  it.skipIf(!existsSync(KUBECTL))('`kubectl sei …` finds the plugin on PATH and passes its exit code through', async () => {
    const dir = join(cluster.dir, 'path');
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'kubectl-sei'))) symlinkSync(BIN, join(dir, 'kubectl-sei'));
    const env = { PATH: `${dir}:${process.env['PATH'] ?? ''}` };
    const ok = await cli(['sei', 'task', 'get', ...k()], { command: KUBECTL, env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^NAME\s+KIND/);
    const refused = await cli(['sei', 'task', 'discover-peers', 'lonely', ...k()], { command: KUBECTL, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('has no spec.peers');
  });
});
