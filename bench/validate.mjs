// Scenario (b): validating one file of 10,000 SeiNodeTask documents (every kind of the seed API)
// through the full `task validate` path (multi-doc parse with positions + CRD schema + CEL per
// document), divided by parsing the same file with `yaml` alone (parseAllDocuments + toJS).
// Both run in this process, interleaved, from dist/ (what ships). Target ≤ 1.5.
// The ratio is the median of paired CPU-time ratios: these machines are shared and heavily
// loaded, and CPU time of this process is far less sensitive to that than wall time (which is
// reported too, best of N).
import { performance } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';

const DOCS = 10_000;
const ROUNDS = 7;

function taskYaml(i) {
  const node = `node-${i % 50}`;
  const head = `apiVersion: sei.io/v1alpha1\nkind: SeiNodeTask\nmetadata:\n  name: task-${i}\n  namespace: sei\n  labels:\n    sei.io/plan: bench\nspec:\n  target:\n    nodeRef:\n      name: ${node}\n`;
  switch (i % 7) {
    case 0:
      return `${head}  kind: RestartPod\n  restartPod:\n    podUID: 6f1c${String(i).padStart(4, '0')}-1b1e-4c55-9d1c-3a1d1f0b9e11\n`;
    case 1:
      return `${head}  kind: DiscoverPeers\n  discoverPeers: {}\n  timeoutSeconds: 120\n`;
    case 2:
      return `${head}  kind: UpdateNodeImage\n  updateNodeImage:\n    image: ghcr.io/sei-protocol/seid:v6.${i % 10}.0\n`;
    case 3:
      return `${head}  kind: AwaitNodesAtHeight\n  awaitNodesAtHeight:\n    targetHeight: ${1000 + i}\n`;
    case 4:
      return `${head}  kind: AwaitCondition\n  awaitCondition:\n    height:\n      targetHeight: ${2000 + i}\n    action: SIGTERM_SEID\n`;
    case 5:
      return `${head}  kind: GovVote\n  govVote:\n    chainId: arctic-1\n    proposalId: ${1 + (i % 90)}\n    option: "yes"\n    fees: 2000usei\n    gas: 200000\n`;
    default:
      return `${head}  kind: GovSoftwareUpgrade\n  govSoftwareUpgrade:\n    chainId: arctic-1\n    title: "Upgrade v6.${i % 10}"\n    description: Scheduled upgrade\n    upgradeName: v6.${i % 10}.0\n    upgradeHeight: ${50000 + i}\n    initialDeposit: 10000000usei\n    fees: 2000usei\n    gas: 300000\n`;
  }
}

export function generate(count = DOCS) {
  const parts = [];
  for (let i = 0; i < count; i++) parts.push(taskYaml(i));
  return parts.join('---\n');
}

function time(fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, value };
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

export async function run() {
  const distDir = process.env.SEI_BENCH_DIST ?? new URL('../dist/', import.meta.url).href;
  const base = distDir.endsWith('/') ? distDir : `${distDir}/`;
  const { parseManifests, validateManifests, projectResolver } = await import(new URL('validate/index.js', base.startsWith('file:') ? base : `file://${base}`).href);
  const text = generate();
  const resolver = projectResolver('seed');

  const baseline = () => {
    const docs = parseAllDocuments(text);
    let n = 0;
    for (const doc of docs) if (doc.toJS() !== null) n++;
    return n;
  };
  const full = () => {
    const report = validateManifests(parseManifests(text, 'bench.yaml'), resolver, { supported: resolver.supported });
    if (!report.valid) throw new Error(`bench corpus invalid: ${report.causes[0]?.message}`);
    return report.documents.length;
  };
  // Warm up JIT and caches (the CRD validator compiles here, once, as in the CLI).
  baseline();
  full();

  let bestBaseline = Infinity;
  let bestFull = Infinity;
  const pairRatios = [];
  const cpuRatios = [];
  const cpuBaseline = [];
  const cpuFull = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so neither side always pays for the other's garbage.
    const [first, second] = round % 2 === 0 ? [baseline, full] : [full, baseline];
    const a = time(first);
    const b = time(second);
    const [bt, ft] = round % 2 === 0 ? [a, b] : [b, a];
    if (bt.value !== DOCS || ft.value !== DOCS) throw new Error(`expected ${DOCS} documents, got ${bt.value}/${ft.value}`);
    bestBaseline = Math.min(bestBaseline, bt.ms);
    bestFull = Math.min(bestFull, ft.ms);
    pairRatios.push(ft.ms / bt.ms);
    cpuRatios.push(ft.cpuMs / bt.cpuMs);
    cpuBaseline.push(bt.cpuMs);
    cpuFull.push(ft.cpuMs);
  }
  // Schema + CEL alone on already-parsed documents: where the extra time goes.
  const parsed = parseManifests(text, 'bench.yaml');
  let bestValidate = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const v = time(() => validateManifests(parsed, resolver).documents.length);
    if (v.value !== DOCS) throw new Error(`expected ${DOCS} documents, got ${v.value}`);
    bestValidate = Math.min(bestValidate, v.ms);
  }
  return {
    name: 'validate 10,000 SeiNodeTask documents in one file vs yaml parse alone',
    ratio: Math.round(median(cpuRatios) * 100) / 100,
    details: {
      ratioMeasure: 'median of interleaved paired CPU-time ratios',
      documents: DOCS,
      bytes: Buffer.byteLength(text),
      rounds: ROUNDS,
      yamlParseCpuMsMedian: Math.round(median(cpuBaseline)),
      fullValidateCpuMsMedian: Math.round(median(cpuFull)),
      yamlParseWallMsBest: Math.round(bestBaseline),
      fullValidateWallMsBest: Math.round(bestFull),
      wallRatioBestOf: Math.round((bestFull / bestBaseline) * 100) / 100,
      wallRatioMedianPaired: Math.round(median(pairRatios) * 100) / 100,
      schemaAndCelOnlyMs: Math.round(bestValidate),
      schemaAndCelShareOfParse: Math.round((bestValidate / bestBaseline) * 1000) / 1000,
      perDocumentUs: Math.round((bestValidate / DOCS) * 1000 * 10) / 10,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
