// Scenario (c): waiting on 1,000 SeiNodeTasks in the simulated cluster. Reports the API requests
// and watch connections the WAIT used (the creates are not counted: they are system writes in
// the sim), and the time from the last status change (the sim's commit of the last task write)
// to waitForTasks resolving.
// The sim runs in a worker thread: in the same event loop as the client, the controller's
// bursts of writes delay the client's reads and the figure would measure the sim, not the wait.
// Times are compared as performance.timeOrigin + performance.now() (absolute, sub-millisecond,
// the same clock in both threads). The tasks are held Pending by their nodes' `sim.sei.io/phase`
// knob until the wait has listed them all, then released together, so every task runs while
// the wait is watching.
//   node bench/wait.mjs [tasks]     (after npm run build)
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadDist, nextMessage } from './lib.mjs';

const absoluteNow = () => performance.timeOrigin + performance.now();
const nodeName = (i) => `bench-node-${i}`;

/** Worker side: the sim, its controller, and the record of the last task write. */
async function simWorker({ tasks, nodes, kubeconfig }) {
  const { startSim } = await loadDist('sim/index.js');
  const seedObjects = Array.from({ length: nodes }, (_, i) => ({
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name: nodeName(i), namespace: 'sei', annotations: { 'sim.sei.io/phase': 'Pending' } },
    spec: { chainId: 'bench-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {}, peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@peer:26656'] } }] },
  }));
  const sim = await startSim({ seedObjects });
  sim.writeKubeconfig(kubeconfig);
  for (let i = 0; i < tasks; i++) {
    sim.store.create('seinodetasks', {
      apiVersion: 'sei.io/v1alpha1',
      kind: 'SeiNodeTask',
      metadata: { name: `bench-${String(i).padStart(4, '0')}`, namespace: 'sei', labels: { bench: 'wait' } },
      spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: nodeName(i % nodes) } }, discoverPeers: {} },
    });
  }
  let lastWriteAt = 0;
  let taskWrites = 0;
  let elu;
  sim.store.onChange((event) => {
    if (event.resource !== 'seinodetasks') return;
    lastWriteAt = absoluteNow();
    taskWrites++;
  });
  parentPort.on('message', async (message) => {
    if (message === 'release') {
      elu = performance.eventLoopUtilization();
      for (let i = 0; i < nodes; i++) {
        const node = sim.store.get('seinodes', 'sei', nodeName(i));
        sim.store.update('seinodes', { ...node, metadata: { ...node.metadata, annotations: { 'sim.sei.io/phase': 'Running' } } });
      }
    } else if (message === 'stop') {
      const stats = sim.stats();
      const simEventLoopUtilization = elu ? performance.eventLoopUtilization(elu).utilization : undefined;
      await sim.stop();
      parentPort.postMessage({ type: 'stopped', lastWriteAt, taskWrites, serverRequests: stats.requests, simEventLoopUtilization });
    }
  });
  parentPort.postMessage({ type: 'ready' });
}

export async function run(options = {}) {
  const tasks = options.tasks ?? 1_000;
  const nodes = options.nodes ?? 10;
  const { connect } = await loadDist('cluster/index.js');
  const { waitForTasks } = await loadDist('watch/wait-for-tasks.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-wait-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  const worker = new Worker(new URL(import.meta.url), { workerData: { tasks, nodes, kubeconfig } });
  try {
    await nextMessage(worker, 'ready');
    const waiter = await connect({ kubeconfig });
    let listed = 0;
    let lastEventAt = 0;
    const started = absoluteNow();
    const clientLoop = performance.eventLoopUtilization();
    const verdicts = await waitForTasks(waiter, {
      namespace: 'sei',
      labelSelector: 'bench=wait',
      for: 'ready',
      timeoutMs: 300_000,
      onObject: () => {
        lastEventAt = absoluteNow();
        if (++listed === tasks) worker.postMessage('release');
      },
    });
    const resolvedAt = absoluteNow();
    const clientEventLoopUtilization = performance.eventLoopUtilization(clientLoop).utilization;
    worker.postMessage('stop');
    const { lastWriteAt, taskWrites, serverRequests, simEventLoopUtilization } = await nextMessage(worker, 'stopped');

    const complete = verdicts.filter((verdict) => verdict.outcome === 'Complete').length;
    if (complete !== tasks) throw new Error(`${complete}/${tasks} tasks Complete`);
    const requests = waiter.stats.requests;
    return {
      name: 'wait',
      // The figure of merit: requests against the (tasks + 10) budget; ≤ 1 meets the target.
      ratio: requests / (tasks + 10),
      details: {
        tasks,
        requests,
        requestsTarget: `≤ ${tasks + 10}`,
        watchConnections: waiter.stats.watchConnections,
        watchConnectionsTarget: 'O(1)',
        exitAfterLastChangeMs: Number((resolvedAt - lastWriteAt).toFixed(2)),
        exitTargetMs: 100,
        // The client's own share: from receiving the last event to resolving. The rest of
        // exitAfterLastChangeMs is the sim delivering its backlog (see the utilisations).
        exitAfterLastEventMs: Number((resolvedAt - lastEventAt).toFixed(2)),
        clientEventLoopUtilization: Number(clientEventLoopUtilization.toFixed(3)),
        simEventLoopUtilization: simEventLoopUtilization === undefined ? undefined : Number(simEventLoopUtilization.toFixed(3)),
        taskStatusWrites: taskWrites,
        serverRequestsTotal: serverRequests,
        waitWallMs: Math.round(resolvedAt - started),
      },
    };
  } finally {
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread && workerData?.kubeconfig) {
  await simWorker(workerData);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const tasks = process.argv[2] ? Number(process.argv[2]) : undefined;
  console.log(JSON.stringify(await run({ tasks }), null, 2));
}
