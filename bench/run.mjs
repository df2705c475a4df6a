#!/usr/bin/env node
// Runs every benchmark scenario of bench/ in one process and prints its figures as ratios
// against a baseline measured in the same run (these machines are noisy: absolute times mean
// little, ratios measured side by side do). Nothing here gates CI.
//   npm run bench                 all scenarios
//   npm run bench -- startup wait only those
import { writeFile, mkdir } from 'node:fs/promises';

const SCENARIOS = [
  { file: './startup.mjs', target: 'start-up ≤ 2.5 × `node -e 0`' },
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
process.stdout.write('\nscenario   ratio    target\n');
for (const result of results) {
  const ratio = typeof result.ratio === 'number' ? result.ratio.toFixed(2).padStart(6) : '   n/a';
  process.stdout.write(`${result.id.padEnd(10)} ${ratio}   ${result.error ? `ERROR ${result.error}` : result.target}\n`);
}
