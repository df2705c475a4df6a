// What loading the cluster layer costs, as ratios to `node -e 0` measured in the same run
// (interleaved, median of RUNS), so machine noise hits every variant alike:
// - root:    import('@kubernetes/client-node'), the whole package (~2,300 generated modules);
// - deep:    the deep paths src/cluster imports (KubeConfig, RequestContext, Watch, PatchStrategy),
//            unbundled; config.js still pulls the generated index, so this saves little;
// - cli:     the built CLI running a cluster command that fails right after loading the
//            cluster layer (unknown --context), i.e. oclif + command + cluster layer, no network.
// `cli` needs `npm run build` (scripts/bundle.mjs inlines and tree-shakes client-node).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, median, timedRun } from './lib.mjs';

const BIN = join(ROOT, 'bin', 'kubectl-sei');
const RUNS = Number(process.env.BENCH_CLUSTER_IMPORT_RUNS ?? 11);

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-import-'));
  try {
    const built = existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n');
    const node = process.execPath;
    const deep = [
      '@kubernetes/client-node/dist/config.js',
      '@kubernetes/client-node/dist/watch.js',
      '@kubernetes/client-node/dist/gen/http/http.js',
      '@kubernetes/client-node/dist/patch.js',
    ];
    const variants = {
      node: [node, ['-e', '0']],
      root: [node, ['--input-type=module', '-e', "await import('@kubernetes/client-node')"]],
      deep: [node, ['--input-type=module', '-e', `await Promise.all(${JSON.stringify(deep)}.map((m) => import(m)))`]],
    };
    if (built) {
      variants.cli = [node, [BIN, 'task', 'get', '--kubeconfig', kubeconfig, '--context', 'no-such-context']];
    }
    for (const [name, command] of Object.entries(variants)) {
      const { status, stderr } = timedRun(command); // warm the file cache, and check it does what we think
      const want = name === 'cli' ? 2 : 0;
      if (status !== want) throw new Error(`${name} exited ${status} (want ${want}): ${stderr.slice(0, 400)}`);
    }
    const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const [name, command] of Object.entries(variants)) samples[name].push(timedRun(command).ms);
    }
    const round = (value) => Math.round(value * 100) / 100;
    const medianMs = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, round(median(values))]));
    const ratios = Object.fromEntries(Object.entries(medianMs).filter(([name]) => name !== 'node').map(([name, ms]) => [name, round(ms / medianMs.node)]));
    return { name: 'cluster layer load / node -e 0', ratio: ratios.cli, details: { runs: RUNS, medianMs, ratios } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
