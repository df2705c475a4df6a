// Every `kubectl …` line in README.md's code blocks, run as written by a shell, in README order,
// through the real kubectl with the built plugin on PATH, in a directory holding the input files
// the README names (examples/, copied). An operator's session is what the walker provides:
// - two simulated clusters: the seed API (204c1c0), the default context (also named `prod`), and
//   the later API (2d670ad) for the lines the README marks as such (rule `cluster: 'latest'`);
// - Git work trees where the README names one (`.`, `../fleet`, `~/src/sei-gitops`; HOME is the
//   walker's) and a bare remote `origin` for `--push`;
// - a block's `export X=…` lines hold for its later lines; a line ending in ` &` is a server run in
//   the background until the block ends, then stopped with Ctrl-C;
// - the README's example plan id stands for the id the last `plan apply` in that namespace printed.
// test/fixtures/readme-examples.ts says which lines exit non-zero by design, what their output
// must show, and, for the command lines that are not kubectl (npm, podman, …), why they cannot
// run inside the suite and where they are covered; any other line must exit 0. The summary at
// the end counts what ran and what did not (README_WALK_LOG=FILE keeps every line's output).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readdirSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../src/cluster/types.js';
import { shortPlanId } from '../../src/plan/naming.js';
import { startCluster, startTestCluster, waitForRunning, type TestCluster } from '../support/cluster.js';
import { seiNode, testFleet } from '../support/builders.js';
import { EXAMPLE_RULES, OTHER_LINE_RULES, README_PLAN_ID, SERVER_READY, type ExampleRule } from '../fixtures/readme-examples.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ReadmeExample {
  line: string;
  /** Index of the code block; `export` lines and background servers hold within it. */
  block: number;
  /** The block's `export X=…` lines above this one. */
  exports: string[];
  /** Ends in ` &`: a server the shell would put in the background. */
  background: boolean;
  /** A kubectl line (kubectl-sei or kubectl itself); the others are npm, podman, … */
  kubectl: boolean;
}

/** The README's command lines: sh/bash blocks, and `$ ` lines of console blocks (the rest is output); `\` continuations joined, prompts, comments and `export` lines dropped. */
export function readmeExamples(markdown: string): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  const seen = new Set<string>();
  let block = 0;
  for (const [, language, body] of markdown.matchAll(/```(sh|bash|console)\n([\s\S]*?)```/g)) {
    block++;
    const exports: string[] = [];
    for (const raw of body!.replace(/\\\n\s*/g, ' ').split('\n')) {
      if (language === 'console' && !raw.startsWith('$ ')) continue;
      const line = raw.trim().replace(/^\$ /, '').replace(/\s+#.*$/, '').trim();
      if (/^export \w+=/.test(line)) exports.push(line);
      const background = / &$/.test(line);
      // A repeated line runs once; a server runs wherever its block needs it.
      if (line === '' || line.startsWith('#') || /^export \w+=/.test(line) || (seen.has(line) && !background)) continue;
      seen.add(line);
      const kubectl = /^(kubectl |\. \S+ && kubectl )/.test(line);
      examples.push({ line: background ? line.replace(/ &$/, '') : line, block, exports: [...exports], background, kubectl });
    }
  }
  return examples;
}

const examples = readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((example) => ({
  ...example,
  rule: (example.kubectl ? EXAMPLE_RULES : OTHER_LINE_RULES).find((rule) => rule.pattern.test(example.line)),
}));
type Example = (typeof examples)[number];
const toRun = examples.filter((example) => (example.kubectl && !example.rule?.skip) || example.rule?.instead);
const partly = examples.filter((example) => example.rule?.instead);
const skipped = examples.filter((example) => example.rule?.skip && !example.rule.instead);
const unexplained = examples.filter((example) => !example.kubectl && !example.rule);

/** Steps in README order: each example, then Ctrl-C for the servers its block started. */
type Step = { title: string; example: Example; stop: boolean };
const steps: Step[] = [];
for (const [i, example] of toRun.entries()) {
  steps.push({ title: example.rule?.instead ? `${example.line} (in part: ${example.rule.instead})` : example.line, example, stop: false });
  const next = toRun[i + 1];
  if (!next || next.block !== example.block) {
    for (const server of toRun.filter((e) => e.block === example.block && e.background)) steps.push({ title: `Ctrl-C: ${server.line}`, example: server, stop: true });
  }
}

let seedCluster: TestCluster;
let latestCluster: TestCluster;
let base: string;
let dir: string;
let pathDir: string;
const servers = new Map<Example, { child: ChildProcess; closed: Promise<number | null> }>();
/** Every line still running (a failed step's line among them), ended with the walk. */
const running = new Set<ChildProcess>();
/** `<cluster>/<namespace>` → the id its last `plan apply` printed. */
const planIds = new Map<string, string>();

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  expect(result.status, `git ${args.join(' ')}: ${result.stderr}`).toBe(0);
}

function workTree(path: string): void {
  mkdirSync(path, { recursive: true });
  git(path, 'init', '-q', '-b', 'main');
  git(path, 'config', 'user.email', 'ops@example.com');
  git(path, 'config', 'user.name', 'ops');
  if (!existsSync(join(path, 'README.md'))) writeFileSync(join(path, 'README.md'), 'GitOps repository\n');
  git(path, 'add', '-A');
  git(path, 'commit', '-qm', 'initial');
}

function kubeconfigFor(cluster: TestCluster, file: string, namespace: string): string {
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as { contexts: Array<{ name: string; context: Record<string, unknown> }> };
  config.contexts[0]!.context['namespace'] = namespace;
  config.contexts.push({ name: 'prod', context: { ...config.contexts[0]!.context } });
  writeFileSync(file, stringify(config));
  return file;
}

function inNamespace(object: KubeObject, namespace: string): KubeObject {
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/** Starts `/bin/sh -c line` in its own process group (so Ctrl-C reaches the whole line, as a terminal's does). */
function start(example: Example, line: string): { child: ChildProcess; output: () => string; closed: Promise<number | null>; shows: (pattern: RegExp) => Promise<void> } {
  const kubeconfig = join(base, example.rule?.cluster === 'latest' ? 'latest.kubeconfig' : 'seed.kubeconfig');
  // A line the walker interrupts is one simple command: exec'd, so Ctrl-C reaches it and not a
  // shell around it, as in a terminal, where the shell is not in the foreground job.
  const exec = example.background || example.rule?.interrupt ? 'exec ' : '';
  const script = [...example.exports, `${exec}${line}`].join('\n');
  const child = spawn('/bin/sh', ['-c', script], {
    cwd: example.rule?.instead ? ROOT : dir,
    detached: true,
    env: { ...process.env, CI: '1', HOME: join(base, 'home'), KUBECONFIG: kubeconfig, PATH: `${pathDir}${delimiter}${process.env.PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const watchers: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const take = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const watcher of watchers.filter((w) => w.pattern.test(output))) {
      watchers.splice(watchers.indexOf(watcher), 1);
      watcher.resolve();
    }
  };
  running.add(child);
  child.on('close', () => running.delete(child));
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : null)));
  });
  // A rejection after the pattern showed is ignored (a settled promise stays settled).
  const shows = (pattern: RegExp): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(output)) return resolve();
      watchers.push({ pattern, resolve });
      void closed.then((code) => reject(new Error(`exited ${code} before its output showed ${pattern}:\n${output}`)));
    });
  return { child, output: () => output, closed, shows };
}

function interrupt(child: ChildProcess): void {
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
}

/** The walker's cluster and namespace a line talks to, for the plan-id stand-in. */
function planKey(example: Example, line: string): string {
  return `${example.rule?.cluster ?? 'seed'}/${/(?:^| )-n +(\S+)/.exec(line)?.[1] ?? 'arctic-1'}`;
}

/** The README's example plan id, in each form it takes (whole, the short id in task names, the 8-hex prefix), replaced by the real one. */
function substitutePlanId(example: Example, line: string): string {
  if (!line.includes(README_PLAN_ID.slice(0, 8)) || /--plan-id /.test(line)) return line;
  const id = planIds.get(planKey(example, line));
  if (!id) throw new Error(`${line}\nnames the README's example plan id, but no earlier \`plan apply\` in ${planKey(example, line)} printed one`);
  return line.replaceAll(README_PLAN_ID, id).replaceAll(shortPlanId(README_PLAN_ID), shortPlanId(id)).replaceAll(README_PLAN_ID.slice(0, 8), id.slice(0, 8));
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('run `npm run build` first');
  // The README's real-chain examples use namespace arctic-1 and nodes labelled sei.io/chain=arctic-1.
  const arctic = ['node-0', 'node-1', 'node-2'].map((name) => inNamespace(seiNode(name, { labels: { 'sei.io/chain': 'arctic-1' } }), 'arctic-1'));
  // `plan apply … --set chain=sei-sim -n sei` means the fleet of `sim serve`, labelled sei.io/chain-id=sei-sim.
  const simFleetNode = seiNode('sim-fleet-0', { labels: { 'sei.io/chain-id': 'sei-sim' } });
  // node-0 is a few thousand blocks below the README's `await-height … --height 1200000`; node-3
  // has no peer source (`discover-peers node-3 … # ParamsBuildFailed`).
  const fleet = testFleet().map((node) => (node.metadata.name === 'node-0' ? seiNode('node-0', { annotations: { 'sim.sei.io/initial-height': '1198000', 'sim.sei.io/block-time-ms': '1' } }) : node));
  // What an Argo CD installation holds that `kubectl -n argocd patch cm argocd-cm` changes.
  const argocd: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': 'argocd' } }, data: { 'admin.enabled': 'true' } },
  ];
  // The later API's fleet: `sim serve --crd latest`'s full nodes and a validator in sei, and in
  // arctic-1 full nodes that bootstrap from a snapshot (two state syncers: giga-store-migration).
  const syncers = ['rpc-a.arctic-1.svc:26657', 'rpc-b.arctic-1.svc:26657'];
  const arcticFull = ['node-0', 'node-1'].map((name) => {
    const node = inNamespace(seiNode(name, { labels: { 'sei.io/chain': 'arctic-1' }, peers: null }), 'arctic-1');
    return { ...node, spec: { ...(node.spec as Record<string, unknown>), fullNode: { snapshot: { stateSync: {}, rpcServers: syncers } } } };
  });
  [seedCluster, latestCluster] = await Promise.all([
    startTestCluster({ seedObjects: [...fleet, seiNode('node-3', { peers: null }), simFleetNode, ...arctic, ...argocd] }),
    startCluster({ crd: 'latest', namespace: 'sei', fleet: 3, validators: 1, seedObjects: arcticFull }, (client) => waitForRunning(client, 4)),
  ]);
  base = mkdtempSync(join(tmpdir(), 'sei-readme-'));
  dir = join(base, 'ops');
  cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  // `--repo .` commits into the directory the examples run in, `--push` pushes it to origin;
  // `--gitops-repo ../fleet` and `--repo ~/src/sei-gitops` are the operator's other work trees.
  workTree(dir);
  git(base, 'init', '-q', '--bare', '-b', 'main', 'origin.git');
  git(dir, 'remote', 'add', 'origin', join(base, 'origin.git'));
  git(dir, 'push', '-q', 'origin', 'main');
  workTree(join(base, 'fleet'));
  workTree(join(base, 'home', 'src', 'sei-gitops'));
  // Like the README's operator, the context's namespace is arctic-1 (examples name -n sei where they mean the sim's).
  kubeconfigFor(seedCluster, join(base, 'seed.kubeconfig'), 'arctic-1');
  kubeconfigFor(latestCluster, join(base, 'latest.kubeconfig'), 'sei');
  pathDir = join(base, 'bin');
  mkdirSync(pathDir);
  symlinkSync(join(ROOT, 'bin', 'kubectl-sei'), join(pathDir, 'kubectl-sei'));
  symlinkSync(join(ROOT, 'bin', 'kubectl_complete-sei'), join(pathDir, 'kubectl_complete-sei'));
}, 60_000);

afterAll(async () => {
  for (const { child, closed } of servers.values()) {
    interrupt(child);
    await closed;
  }
  for (const child of running) if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  await Promise.all([seedCluster?.stop(), latestCluster?.stop()]);
  if (base) rmSync(base, { recursive: true, force: true });
  const asWritten = toRun.length - partly.length;
  console.info(
    `README command lines: ${examples.length}: run as written ${asWritten} (all kubectl), run in part ${partly.length}, not run ${skipped.length}` +
      [...partly, ...skipped].map((e) => `\n  ${e.line}\n    ${e.rule?.instead ? `runs \`${e.rule.instead}\`: ` : 'not run: '}${e.rule?.skip}`).join(''),
  );
});

describe('README examples run as written against the sim', () => {
  it('finds the examples', () => {
    expect(examples.filter((e) => e.kubectl).length).toBeGreaterThan(60);
  });

  it('ships only input files that a README line reads', () => {
    const named = (file: string) => examples.some((e) => new RegExp(`(^|[ =])${file.replace(/\./g, '\\.')}(/| |$)`).test(e.line));
    expect(readdirSync(join(ROOT, 'examples')).filter((file) => !named(file))).toEqual([]);
  });

  it('says why each command line that is not kubectl does not run as written', () => {
    expect(unexplained.map((e) => e.line), 'add a rule to OTHER_LINE_RULES in test/fixtures/readme-examples.ts').toEqual([]);
  });

  it.each(steps.map((step) => [step.title, step] as const))('%s', async (_title, step) => {
    const { example } = step;
    const rule: ExampleRule | undefined = example.rule;
    if (step.stop) {
      const server = servers.get(example);
      expect(server, 'the server was started').toBeDefined();
      servers.delete(example);
      interrupt(server!.child);
      expect(await server!.closed).toBe(0);
      return;
    }
    if (rule?.before) {
      const before = start(example, rule.before);
      expect(await before.closed, `${rule.before}\n${before.output()}`).toBe(0);
    }
    const line = rule?.instead ?? substitutePlanId(example, example.line);
    const run = start(example, line);
    if (example.background) {
      await run.shows(SERVER_READY);
      servers.set(example, { child: run.child, closed: run.closed });
      return;
    }
    if (rule?.interrupt) {
      await run.shows(rule.interrupt);
      interrupt(run.child);
    }
    const code = await run.closed;
    // README_WALK_LOG=FILE keeps every line's output, to read what the README's commands print.
    if (process.env['README_WALK_LOG']) appendFileSync(process.env['README_WALK_LOG'], `$ ${line}\n${run.output()}→ exit ${code}\n\n`);
    expect(code, `${line}\n${run.output()}`).toBe(rule?.exit ?? 0);
    if (rule?.output) expect(run.output()).toMatch(rule.output);
    if (/\bplan apply\b/.test(line)) {
      const id = /(?:plan-id|sei-plan-|\bplan(?: [\w-]+)?)\W{0,4}([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/.exec(run.output())?.[1];
      if (id) planIds.set(planKey(example, line), id);
    }
  });
});
