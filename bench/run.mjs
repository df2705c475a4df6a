#!/usr/bin/env node
// Runs every benchmark scenario of bench/ in one process and prints its figures as ratios
// against a baseline measured in the same run (these machines are noisy: absolute times mean
// little, ratios measured side by side do). Nothing here gates CI.
//   npm run bench                 all scenarios
//   npm run bench -- startup wait only those
import { writeFile, mkdir } from 'node:fs/promises';

const SCENARIOS = [
  { file: './startup.mjs', target: 'start-up ≤ 2.5 × `node -e 0`' },
  { file: './plugin.mjs', target: 'task get ≤ 1.5 × kubectl get seinodetasks (200 tasks); --version ≤ 1.3 × node -e 0; package and release executable' },
  { file: './cluster-import.mjs', target: 'a cluster command starts in ~ the time of --version (client-node bundled, tree-shaken)' },
  { file: './validate.mjs', target: 'validate 10,000 docs ≤ 1.5 × yaml parse alone' },
  { file: './wait.mjs', target: 'wait on 1,000 tasks: O(1) watch connections, requests ≤ tasks + 10, exit < 100 ms after last change' },
  { file: './plan.mjs', target: '1,000-node plan ≤ 1.0 × kubectl apply --server-side + kubectl wait' },
];

const only = process.argv.slice(2);
const results = [];
for (const scenario of SCENARIOS) {
  const id = scenario.file.replace(/^\.\/|\.mjs$/g, '');
  if (only.length > 0 && !only.includes(id)) continue;
  process.stderr.write(`\n== ${id}: ${scenario.target}\n`);
  try {
    const module = await import(new URL(scenario.file, import.meta.url).href);
    const result = await module.run();
    results.push({ id, target: scenario.target, ...result });
    process.stderr.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    results.push({ id, target: scenario.target, error: error instanceof Error ? error.message : String(error) });
    process.stderr.write(`   failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
}

await mkdir(new URL('../.bench-out/', import.meta.url), { recursive: true });
await writeFile(new URL('../.bench-out/results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
// The headline of each scenario: its ratio, or for the wait scenario the counts it is judged by.
function headline(result) {
  if (result.error) return `ERROR ${result.error}`;
  const d = result.details ?? {};
  switch (result.id) {
    case 'startup':
      return `--version ${d.ratios?.version} x, task render ${d.ratios?.render} x  node -e 0`;
    case 'cluster-import':
      return `cluster command ${d.ratios?.cli} x, client-node from node_modules ${d.ratios?.root} x  node -e 0`;
    case 'validate':
      return `${result.ratio} x  yaml parse alone (${d.documents} documents)`;
    case 'wait':
      return `${d.tasks} tasks: ${d.requests} requests, ${d.watchConnections} watch connection(s), exit ${d.exitAfterLastEventMs} ms after the last event, ${d.exitAfterLastChangeMs} ms after the last status write`;
    case 'plan':
      return `${result.ratio?.toFixed(2)} x  kubectl (${d.pluginMs} ms vs ${d.kubectlTotalMs} ms; watch connections ${d.pluginWatchConnections} vs ${d.kubectlWatchConnections})`;
    default:
      return `ratio ${result.ratio}`;
  }
}

process.stdout.write('\n');
for (const result of results) {
  process.stdout.write(`${result.id.padEnd(9)} ${headline(result)}\n          target: ${result.target}\n`);
}
