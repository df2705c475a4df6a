// Scenario (c): waiting on 1,000 SeiNodeTasks in the simulated cluster. Reports the API requests
// and watch connections the WAIT used (the creates are not counted: they use another client),
// and the time from the last status change (the sim's commit of the last task write, same
// process, same clock) to waitForTasks resolving. The tasks are held Pending by their nodes'
// `sim.sei.io/phase` knob until the wait has listed them all, then released together, so the
// whole run of every task happens while the wait is watching.
//   node bench/wait.mjs [tasks]     (after npm run build)
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dist = new URL('../dist/', import.meta.url);
const load = (file) => import(new URL(file, dist).href);

export async function run(options = {}) {
  const tasks = options.tasks ?? 1_000;
  const nodes = options.nodes ?? 10;
  const { startSim } = await load('sim/index.js');
  const { connect } = await load('cluster/index.js');
  const { waitForTasks } = await load('watch/wait-for-tasks.js');

  const nodeNames = Array.from({ length: nodes }, (_, i) => `bench-node-${i}`);
  const seedObjects = nodeNames.map((name) => ({
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name, namespace: 'sei', annotations: { 'sim.sei.io/phase': 'Pending' } },
    spec: { chainId: 'bench-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {}, peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@peer:26656'] } }] },
  }));
  const sim = await startSim({ seedObjects });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-wait-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  try {
    const writer = await connect({ kubeconfig });
    const names = Array.from({ length: tasks }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
    for (const [i, name] of names.entries()) {
      await writer.apply({
        apiVersion: 'sei.io/v1alpha1',
        kind: 'SeiNodeTask',
        metadata: { name, namespace: 'sei', labels: { bench: 'wait' } },
        spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: nodeNames[i % nodes] } }, discoverPeers: {} },
      });
    }

    let lastChange = 0;
    let taskWrites = 0;
    const unsubscribe = sim.store.onChange((event) => {
      if (event.resource === 'seinodetasks') {
        lastChange = performance.now();
        taskWrites++;
      }
    });
    const waiter = await connect({ kubeconfig });
    let listed = 0;
    let released = false;
    const release = () => {
      released = true;
      for (const name of nodeNames) {
        const node = sim.store.get('seinodes', 'sei', name);
        sim.store.update('seinodes', { ...node, metadata: { ...node.metadata, annotations: { 'sim.sei.io/phase': 'Running' } } });
      }
    };
    const started = performance.now();
    const verdicts = await waitForTasks(waiter, {
      namespace: 'sei',
      labelSelector: 'bench=wait',
      for: 'ready',
      timeoutMs: 300_000,
      onObject: () => {
        if (!released && ++listed === tasks) setImmediate(release);
      },
    });
    const resolved = performance.now();
    unsubscribe();

    const complete = verdicts.filter((verdict) => verdict.outcome === 'Complete').length;
    if (complete !== tasks) throw new Error(`${complete}/${tasks} tasks Complete`);
    const exitAfterLastChangeMs = resolved - lastChange;
    const requests = waiter.stats.requests;
    return {
      name: 'wait',
      // The figure of merit: requests per (tasks + 10) budget; ≤ 1 meets the target.
      ratio: requests / (tasks + 10),
      details: {
        tasks,
        requests,
        requestsTarget: `≤ ${tasks + 10}`,
        watchConnections: waiter.stats.watchConnections,
        watchConnectionsTarget: 'O(1)',
        exitAfterLastChangeMs: Number(exitAfterLastChangeMs.toFixed(2)),
        exitTargetMs: 100,
        taskStatusWrites: taskWrites,
        waitWallMs: Number((resolved - started).toFixed(0)),
      },
    };
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tasks = process.argv[2] ? Number(process.argv[2]) : undefined;
  console.log(JSON.stringify(await run({ tasks }), null, 2));
}
