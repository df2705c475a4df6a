// Every `kubectl sei …` line in README.md's code blocks, run as written by a shell against the
// simulated cluster, through kubectl with the built plugin on PATH, in a directory holding the
// input files the README names (examples/). test/fixtures/readme-examples.ts says which lines
// cannot run here and why, and which exit non-zero by design; any other line must exit 0.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { seiNode, testFleet } from '../support/builders.js';
import { EXAMPLE_RULES } from '../fixtures/readme-examples.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The README's `kubectl sei` lines: code blocks only, `\` continuations joined, `$ ` prompts and trailing comments dropped. */
export function readmeExamples(markdown: string): string[] {
  const lines: string[] = [];
  for (const [, body] of markdown.matchAll(/```(?:sh|bash|console)\n([\s\S]*?)```/g)) {
    for (const raw of body!.replace(/\\\n\s*/g, ' ').split('\n')) {
      const line = raw.trim().replace(/^\$ /, '').replace(/\s{2,}#.*$/, '').trim();
      if (line.startsWith('kubectl sei ')) lines.push(line);
    }
  }
  return [...new Set(lines)];
}

const examples = readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((line) => ({ line, rule: EXAMPLE_RULES.find((rule) => rule.pattern.test(line)) }));

let cluster: TestCluster;
let dir: string;
let pathDir: string;

function sh(line: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', line], { cwd: dir, env: { ...process.env, CI: '1', KUBECONFIG: join(dir, 'kubeconfig'), PATH: `${pathDir}${delimiter}${process.env.PATH ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('run `npm run build` first');
  // The README's real-chain examples use namespace arctic-1 and nodes labelled sei.io/chain=arctic-1.
  const arctic = ['node-0', 'node-1', 'node-2'].map((name) => {
    const node = seiNode(name, { labels: { 'sei.io/chain': 'arctic-1' } });
    return { ...node, metadata: { ...node.metadata, namespace: 'arctic-1' } };
  });
  // `plan apply … --set chain=sei-sim -n sei` means the fleet of `sim serve`, labelled sei.io/chain-id=sei-sim.
  const simFleetNode = seiNode('sim-fleet-0', { labels: { 'sei.io/chain-id': 'sei-sim' } });
  cluster = await startTestCluster({ seedObjects: [...testFleet(), simFleetNode, ...arctic] });
  dir = mkdtempSync(join(tmpdir(), 'sei-readme-'));
  cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  // `--repo .` examples commit into the directory they run in: make it a Git work tree.
  for (const args of [['init', '-q', '-b', 'main'], ['config', 'user.email', 'ops@example.com'], ['config', 'user.name', 'ops'], ['add', '-A'], ['commit', '-qm', 'examples']]) {
    expect(spawnSync('git', args, { cwd: dir }).status).toBe(0);
  }
  // The sim as the default context and as `prod`, which the README also names; like the README's
  // operator, the context's namespace is arctic-1 (examples name -n sei where they mean the sim's).
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as { contexts: Array<{ name: string; context: Record<string, unknown> }> };
  config.contexts[0]!.context['namespace'] = 'arctic-1';
  config.contexts.push({ name: 'prod', context: { ...config.contexts[0]!.context } });
  writeFileSync(join(dir, 'kubeconfig'), stringify(config));
  pathDir = mkdtempSync(join(tmpdir(), 'sei-readme-path-'));
  symlinkSync(join(ROOT, 'bin', 'kubectl-sei'), join(pathDir, 'kubectl-sei'));
  symlinkSync(join(ROOT, 'bin', 'kubectl_complete-sei'), join(pathDir, 'kubectl_complete-sei'));
});

afterAll(async () => {
  await cluster?.sim.stop();
  const skipped = examples.filter((example) => example.rule?.skip);
  if (skipped.length > 0) console.info(`README examples not run here (${skipped.length} of ${examples.length}):\n${skipped.map((e) => `  ${e.line}\n    because ${e.rule?.skip}`).join('\n')}`);
});

describe('README examples run as written against the sim', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThan(20);
  });

  it.each(examples.filter((example) => !example.rule?.skip).map((example) => [example.line, example.rule?.exit ?? 0] as const))('%s', async (line, exit) => {
    const result = await sh(line.replace(/^kubectl sei /, 'kubectl sei '));
    expect(result.code, result.output).toBe(exit);
  });
});
