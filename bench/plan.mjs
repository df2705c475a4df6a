// Scenario (d): a 1,000-node plan. The plugin (`kubectl-sei plan apply`, the BUILT binary,
// maxParallel 50) against `kubectl apply --server-side -f DIR` + `kubectl wait
// --for=condition=Ready --all` over the same rendered manifests (another plan id, so other
// names), against the same simulated cluster, in the same run. Both are separate processes
// timed from spawn to exit. The sim runs in a worker thread so its controller does not share
// an event loop with this process; watch connections are counted by the sim (watches served).
//   node bench/plan.mjs [nodes]     (after npm run build)
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadDist, nextMessage } from './lib.mjs';

const BIN = new URL('../bin/kubectl-sei', import.meta.url).pathname;
const nodeName = (i) => `bench-node-${String(i).padStart(4, '0')}`;

const PLAN = `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: bench}
spec:
  steps:
    - id: discover
      kind: DiscoverPeers
      forEach:
        selector: {matchLabels: {sei.io/chain: bench-1}}
      maxParallel: 50
`;

async function simWorker({ nodes, kubeconfig }) {
  const { startSim } = await loadDist('sim/index.js');
  const seedObjects = Array.from({ length: nodes }, (_, i) => ({
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name: nodeName(i), namespace: 'sei', labels: { 'sei.io/chain': 'bench-1' }, annotations: { 'sim.sei.io/pod-ready-after-seconds': '0', 'sim.sei.io/block-time-ms': '5' } },
    spec: { chainId: 'bench-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {}, peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@peer:26656'] } }] },
  }));
  const sim = await startSim({ seedObjects });
  sim.writeKubeconfig(kubeconfig);
  const running = () => sim.store.list('seinodes', 'sei').filter((n) => n.status?.phase === 'Running').length;
  parentPort.on('message', async (message) => {
    if (message === 'stats') parentPort.postMessage({ type: 'stats', stats: { ...sim.stats(), memory: undefined }, running: running() });
    else if (message === 'stop') {
      await sim.stop();
      parentPort.postMessage({ type: 'stopped' });
    }
  });
  parentPort.postMessage({ type: 'ready' });
}

function exec(cmd, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      else resolve({ ms, stdout, stderr });
    });
  });
}

export async function run(options = {}) {
  const nodes = options.nodes ?? 1_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-plan-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  const planFile = path.join(dir, 'plan.yaml');
  writeFileSync(planFile, PLAN);
  const worker = new Worker(new URL(import.meta.url), { workerData: { nodes, kubeconfig } });
  try {
    await nextMessage(worker, 'ready');
    // The fleet must be Running before either contender starts (DiscoverPeers requires it).
    for (;;) {
      worker.postMessage('stats');
      const { running } = await nextMessage(worker, 'stats');
      if (running >= nodes) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const { connect } = await loadDist('cluster/index.js');
    const { renderPlan } = await loadDist('services/plan-render.js');
    const client = await connect({ kubeconfig });
    const rendered = await renderPlan({ file: planFile, namespace: 'sei', client });
    const manifests = path.join(dir, 'manifests');
    mkdirSync(manifests);
    rendered.objects.forEach((o, i) => writeFileSync(path.join(manifests, `${String(i).padStart(4, '0')}.json`), JSON.stringify(o)));

    const stats = async () => {
      worker.postMessage('stats');
      return (await nextMessage(worker, 'stats')).stats;
    };
    // Baseline: kubectl, same manifests, same sim.
    const k0 = await stats();
    const apply = await exec('kubectl', ['--kubeconfig', kubeconfig, 'apply', '--server-side', '-f', manifests]);
    const wait = await exec('kubectl', ['--kubeconfig', kubeconfig, 'wait', '--for=condition=Ready', '--all', 'seinodetasks', '-n', 'sei', '--timeout=600s', '-l', `sei.io/plan-id=${rendered.planId}`]);
    const k1 = await stats();
    // The plugin.
    const plugin = await exec(process.execPath, [BIN, 'plan', 'apply', '-f', planFile, '--kubeconfig', kubeconfig, '-n', 'sei', '-o', 'json']);
    const p1 = await stats();
    const verdict = JSON.parse(plugin.stdout);
    if (verdict.phase !== 'Complete' || verdict.tasks.created !== nodes) throw new Error(`plugin run: ${verdict.phase}, ${verdict.tasks.created} tasks`);
    const kubectlMs = apply.ms + wait.ms;
    return {
      name: 'plan',
      ratio: plugin.ms / kubectlMs,
      details: {
        nodes,
        maxParallel: 50,
        pluginMs: Math.round(plugin.ms),
        kubectlApplyMs: Math.round(apply.ms),
        kubectlWaitMs: Math.round(wait.ms),
        kubectlTotalMs: Math.round(kubectlMs),
        pluginRequests: p1.requests - k1.requests,
        // One watch of the plan's tasks (however many) plus one of the run record (cancel/approve).
        pluginWatchConnections: p1.watchesServed - k1.watchesServed,
        kubectlRequests: k1.requests - k0.requests,
        kubectlWatchConnections: k1.watchesServed - k0.watchesServed,
        note: 'the plugin caps 50 tasks in flight (maxParallel) and follows every task to its verdict; kubectl applies all at once',
      },
    };
  } finally {
    worker.postMessage('stop');
    await Promise.race([nextMessage(worker, 'stopped'), new Promise((r) => setTimeout(r, 5000))]);
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread && workerData?.kubeconfig) {
  await simWorker(workerData);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const nodes = process.argv[2] ? Number(process.argv[2]) : undefined;
  console.log(JSON.stringify(await run({ nodes }), null, 2));
}
