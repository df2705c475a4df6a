// Scenario (a), start-up: wall time of `kubectl-sei --version` and of an offline
// `task render restart-pod`, each divided by `node -e 0` measured in the same run. Runs are
// interleaved (node, version, render, node, ...) so machine noise hits all three alike; the
// figure is the median of RUNS. Needs the built CLI (npm run build). Target: <= 2.5.
import { fileURLToPath } from 'node:url';
import { median, timedRun } from './lib.mjs';

const BIN = fileURLToPath(new URL('../bin/kubectl-sei', import.meta.url));
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);

const COMMANDS = {
  node: [process.execPath, ['-e', '0']],
  version: [process.execPath, [BIN, '--version']],
  render: [process.execPath, [BIN, 'task', 'render', 'restart-pod', '--node', 'node-0', '--set', 'podUID=x']],
};

function once(command) {
  const { ms, status, stderr } = timedRun(command);
  if (status !== 0) throw new Error(`${command[1].join(' ')} exited ${status}: ${stderr.slice(0, 500)}`);
  return ms;
}

export async function run() {
  const samples = { node: [], version: [], render: [] };
  for (const name of Object.keys(COMMANDS)) once(COMMANDS[name]); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    for (const name of Object.keys(COMMANDS)) samples[name].push(once(COMMANDS[name]));
  }
  const node = median(samples.node);
  const version = median(samples.version);
  const render = median(samples.render);
  const round = (value) => Math.round(value * 100) / 100;
  return {
    name: 'start-up (--version, task render restart-pod) / node -e 0',
    ratio: round(Math.max(version, render) / node),
    details: {
      runs: RUNS,
      medianMs: { node: round(node), version: round(version), render: round(render) },
      ratios: { version: round(version / node), render: round(render / node) },
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
