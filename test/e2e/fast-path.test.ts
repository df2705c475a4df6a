// The fast path (src/cli/quick.ts, dist/bundle/quick.cjs) answers --version, version and
// task|node|workflow get without loading oclif. It may decline, never answer differently: every
// case here runs through the built binary twice, fast and with KUBECTL_SEI_FAST_PATH=off (the
// full oclif CLI), and both answers must be byte-identical: stdout, stderr and the exit code,
// success and failure alike. planQuick shows each case really takes the fast path.
// The sim's manual clock starts in 2010, so every AGE column reads the same years in both runs.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planQuick } from '../../src/cli/quick.js';
import { manualClock } from '../../src/sim/clock.js';
import { BIN, requireBuiltCli, runCli } from '../support/cli.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;

const task = (name: string, node: string) => ({
  apiVersion: 'sei.io/v1alpha1',
  kind: 'SeiNodeTask',
  metadata: { name, namespace: 'sei', labels: { 'sei.io/node': node } },
  spec: { kind: 'RestartPod', target: { nodeRef: { name: node } }, restartPod: { podUID: `uid-${name}` } },
});

beforeAll(async () => {
  requireBuiltCli();
  cluster = await startCluster({ fleet: 2, namespace: 'sei', clock: manualClock(Date.UTC(2010, 0, 1)) });
  for (const [name, node] of [['t-1', 'node-0'], ['t-2', 'node-1'], ['t-3', 'node-0'], ['t-9', 'node-1'], ['t-10', 'node-0']] as const) await cluster.client.apply(task(name, node));
  await cluster.sim.settled();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Cases against the sim get --kubeconfig appended; the offline ones run as written. */
const OFFLINE: string[][] = [['--version'], ['version'], ['version', '-o', 'json'], ['version', '--output=yaml']];
const CLUSTER: string[][] = [
  ['task', 'get', '-n', 'sei'],
  ['-n', 'sei', 'task', 'get', '-o', 'wide', '--show-labels'],
  ['task', 'get', '-A', '--sort-by=.metadata.name', '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.target.nodeRef.name', '--no-headers'],
  ['task', 'get', 't-1', '-n', 'sei', '-o', 'yaml'],
  ['task', 'get', 't-2', 't-1', '-nsei', '-ojson'],
  ['task', 'get', '-n', 'sei', '-l', 'sei.io/node=node-0', '-o', 'name'],
  ['task', 'get', '-n', 'sei', '--field-selector', 'metadata.name=t-3', '-o', 'name'],
  ['task', 'get', '-n', 'sei', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'],
  ['task', 'get', '-n', 'nowhere'],
  ['task', 'get', 'no-such-task', '-n', 'sei', '-o', 'json'],
  ['task', 'get', '-n', 'sei', '-o', 'bogus'],
  ['node', 'get', '-n', 'sei'],
  ['node', 'get', 'node-1', 'node-0', '-n', 'sei', '-o', 'jsonpath={.items[*].metadata.name}'],
  ['node', 'get', '-n', 'sei', '--show-labels', '--no-headers', '-o', 'wide'],
  ['node', 'get', 'node-9', '-n', 'sei'],
  ['workflow', 'get', '-n', 'sei'],
];

async function both(args: string[]): Promise<void> {
  const [fast, full] = await Promise.all([runCli(args), runCli(args, { env: { KUBECTL_SEI_FAST_PATH: 'off' } })]);
  expect({ code: fast.code, stdout: fast.stdout, stderr: fast.stderr }).toEqual({ code: full.code, stdout: full.stdout, stderr: full.stderr });
}

describe('the fast path answers as the full CLI does', () => {
  it.each(OFFLINE.map((args) => [args.join(' '), args]))('%s', async (_name, args) => {
    expect(args[0] === '--version' || planQuick(args) !== undefined).toBe(true);
    await both(args);
  });

  it.each(CLUSTER.map((args) => [args.join(' '), args]))('%s', async (_name, args) => {
    const withConfig = [...args, '--kubeconfig', cluster.kubeconfig];
    expect(planQuick(withConfig)).toBeDefined();
    await both(withConfig);
  });

  it.each([[['-o', 'name']], [['--sort-by=.metadata.name', '-o', 'name']], [['--sort-by=.spec.target.nodeRef.name', '-o', 'name']], [['-A', '-o', 'name']]])(
    'lists in the order the real kubectl does: %j (API order, bytewise --sort-by: t-10 before t-9)',
    async (flags) => {
      const [ours, kubectl] = await Promise.all([
        runCli(['task', 'get', '-n', 'sei', ...flags, '--kubeconfig', cluster.kubeconfig]),
        runCli(['get', 'seinodetasks', '-n', 'sei', ...flags, '--kubeconfig', cluster.kubeconfig], { command: '/usr/bin/kubectl' }),
      ]);
      expect(kubectl.code).toBe(0);
      expect(ours.stdout).toBe(kubectl.stdout);
    },
  );

  it('lists what the sim holds (the comparison is not between two empty answers)', async () => {
    const run = await runCli(['task', 'get', '-n', 'sei', '--kubeconfig', cluster.kubeconfig]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('t-'))).toHaveLength(5);
    expect(run.stdout).toMatch(/\b1[5-9]y\b/);
  });
});

describe('a closed stdout (`kubectl sei --version | true`) is not an error', () => {
  // The pipe's read end is closed before the CLI starts, so its write meets EPIPE every time.
  const CLOSED_PIPE = 'import os, subprocess, sys\nr, w = os.pipe()\nos.close(r)\nrun = subprocess.run([sys.argv[1], *sys.argv[2:]], stdout=w, stderr=subprocess.PIPE)\nprint(run.returncode)\nsys.stderr.write(run.stderr.decode())';
  it.each([[['--version']], [['version']], [['task', 'render', 'restart-pod', '--node', 'node-0', '--set', 'podUID=x']]])('%j exits 0 without a stack trace', (args) => {
    const result = spawnSync('python3', ['-c', CLOSED_PIPE, process.execPath, BIN, ...args], { encoding: 'utf8' });
    expect(result.stdout.trim(), result.stderr).toBe('0');
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
  });
});
