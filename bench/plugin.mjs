// Scenario: the plugin's start-up as operators meet it, side by side in one run (issue 12):
// - cluster:  `kubectl sei task get -n sei` vs `kubectl get seinodetasks -n sei` on the same
//             simulated cluster holding 200 tasks (target ≤ 1.5 × kubectl);
// - offline:  `--version` and `task render restart-pod` vs `node -e 0` (target --version ≤ 1.3 ×);
// each for the npm package (bin/kubectl-sei) and, when `npm run release` has built it, the
// linux-amd64 release executable (release/work/linux-amd64/kubectl-sei); and the floor of any
// Node.js program for the same request (bench/https-floor.cjs: node:https alone, no library, no
// kubeconfig parsing), to show how much of the gap to kubectl is Node's own. Runs are interleaved
// and the figure is the median of RUNS, so machine noise hits every variant alike. The sim runs
// in a worker (timedRun blocks this thread). Nothing here gates a test.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ROOT, loadDist, median, nextMessage, timedRun } from './lib.mjs';

const RUNS = Number(process.env.BENCH_PLUGIN_RUNS ?? 9);
const TASKS = 200;
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const RELEASE = join(ROOT, 'release', 'work', 'linux-amd64', 'kubectl-sei');

async function simWorker({ kubeconfig }) {
  const { startSim } = await loadDist('sim/index.js');
  const seedObjects = [{ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-0', namespace: 'sei' }, spec: { chainId: 'bench-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {} } }];
  const sim = await startSim({ seedObjects, namespace: 'sei' });
  sim.writeKubeconfig(kubeconfig);
  parentPort.postMessage({ type: 'identity', url: sim.url, ca: sim.caPem, token: sim.token });
  for (let i = 0; i < TASKS; i++) {
    sim.store.create('seinodetasks', {
      apiVersion: 'sei.io/v1alpha1',
      kind: 'SeiNodeTask',
      metadata: { name: `bench-${String(i).padStart(4, '0')}`, namespace: 'sei' },
      spec: { kind: 'MarkReady', target: { nodeRef: { name: 'node-0' } }, markReady: {} },
    });
  }
  parentPort.on('message', async (message) => {
    if (message === 'stop') {
      await sim.stop();
      parentPort.postMessage({ type: 'stopped' });
    }
  });
  parentPort.postMessage({ type: 'ready' });
}

export async function run() {
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'bench-plugin-')), 'kubeconfig');
  const worker = new Worker(new URL(import.meta.url), { workerData: { kubeconfig } });
  const identity = nextMessage(worker, 'identity');
  await nextMessage(worker, 'ready');
  const { url, ca, token } = await identity;
  try {
    const node = process.execPath;
    const k = ['--kubeconfig', kubeconfig, '-n', 'sei'];
    const variants = {
      'node -e 0': [node, ['-e', '0']],
      'kubectl get seinodetasks': ['/usr/bin/kubectl', ['get', 'seinodetasks', ...k]],
      'node https GET (floor)': [node, [join(ROOT, 'bench', 'https-floor.cjs'), JSON.stringify({ url, ca, token })]],
      'package --version': [BIN, ['--version']],
      'package task render': [BIN, ['task', 'render', 'restart-pod', '--node', 'node-0', '--set', 'podUID=x']],
      'package task get': [BIN, ['task', 'get', ...k]],
    };
    if (existsSync(RELEASE)) {
      variants['release --version'] = [RELEASE, ['--version']];
      variants['release task render'] = [RELEASE, ['task', 'render', 'restart-pod', '--node', 'node-0', '--set', 'podUID=x']];
      variants['release task get'] = [RELEASE, ['task', 'get', ...k]];
    }
    for (const [name, command] of Object.entries(variants)) {
      const { status, stderr } = timedRun(command); // warm caches (and the release's unpacking); check it works
      if (status !== 0) throw new Error(`${name} exited ${status}: ${stderr.slice(0, 400)}`);
    }
    const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    for (let i = 0; i < RUNS; i++) for (const [name, command] of Object.entries(variants)) samples[name].push(timedRun(command).ms);
    const round = (value) => Math.round(value * 100) / 100;
    const ms = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, round(median(values))]));
    const vs = (name, base) => (ms[name] === undefined ? undefined : round(ms[name] / ms[base]));
    const ratios = {
      'package task get / kubectl get': vs('package task get', 'kubectl get seinodetasks'),
      'node https GET (floor) / kubectl get': vs('node https GET (floor)', 'kubectl get seinodetasks'),
      'package --version / node -e 0': vs('package --version', 'node -e 0'),
      'package task render / node -e 0': vs('package task render', 'node -e 0'),
      'release task get / kubectl get': vs('release task get', 'kubectl get seinodetasks'),
      'release --version / node -e 0': vs('release --version', 'node -e 0'),
      'release task render / node -e 0': vs('release task render', 'node -e 0'),
    };
    return { name: 'plugin start-up: task get vs kubectl get (200 tasks), --version and task render vs node -e 0', ratio: ratios['package task get / kubectl get'], details: { runs: RUNS, tasks: TASKS, medianMs: ms, ratios } };
  } finally {
    worker.postMessage('stop');
    await nextMessage(worker, 'stopped');
    await worker.terminate();
  }
}

if (!isMainThread && workerData?.kubeconfig) {
  await simWorker(workerData);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
