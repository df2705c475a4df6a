// The built-in giga-store-migration plan with the BUILT binary against a `--crd latest` sim with
// 6 full nodes and 2 validators: simulate predicts TargetRejected for the validators (upstream
// internal/controller/node/workflow.go:253, 2d670ad); apply waits at `approve` (exit 3); approve +
// resume create exactly 6 SeiNodeTaskWorkflows and complete; SIGKILL mid-run + resume finishes
// with no duplicate. Requires `npm run build`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { watchUntil } from '../support/watch-until.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const NS = 'sei';
const FULL = ['node-0', 'node-1', 'node-2', 'node-3', 'node-4', 'node-5'];
const INPUTS = ['--set', 'chainLabel=sei.io/chain-id', '--set', 'chain=sim-1'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let sim: RunningSim;
let client: ClusterClient;
let dir: string;
let kubeconfig: string;

function seiNode(name: string, mode: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name, namespace: NS, labels: { 'sei.io/chain-id': 'sim-1' }, annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.05' } },
    spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', ...mode },
  };
}

function cli(args: string[], killWhen?: (line: string) => boolean): Promise<Run> {
  return runCli([...args, '--kubeconfig', kubeconfig, '-n', NS], killWhen ? { onStdoutLine: (line, child) => void (killWhen(line) && child.kill('SIGKILL')) } : {});
}

async function planWorkflows(planId: string): Promise<KubeObject[]> {
  return (await client.list('sei.io/v1alpha1', 'SeiNodeTaskWorkflow', { namespace: NS, labelSelector: `sei.io/plan-id=${planId}` })).items;
}

function planIdOf(run: Run): string {
  const match = /kubectl sei plan approve ([0-9a-f-]{36}) approve/.exec(run.stderr + run.stdout);
  if (!match?.[1]) throw new Error(`no plan id in: ${run.stderr}`);
  return match[1];
}

describe.skipIf(!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs')))('giga-store-migration (built binary)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sei-plan-wf-'));
    sim = await startSim({
      namespace: NS,
      crd: 'latest',
      seedObjects: [
        // Full nodes that bootstrap from a snapshot resolve two state syncers (the recipe's witnesses).
        ...FULL.map((n) => seiNode(n, { fullNode: { snapshot: { stateSync: {}, rpcServers: ['rpc-a.sei.svc:26657', 'rpc-b.sei.svc:26657'] } } })),
        seiNode('validator-0', { validator: {} }),
        seiNode('validator-1', { validator: {} }),
      ],
    });
    kubeconfig = join(dir, 'kubeconfig');
    sim.writeKubeconfig(kubeconfig);
    client = await connect({ kubeconfig });
    const running = new Set<string>();
    await watchUntil(client, { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', namespace: NS, timeoutMs: 30_000 }, (o) => {
      const status = (o['status'] ?? {}) as Record<string, unknown>;
      if (status['phase'] === 'Running' && !status['plan']) running.add(o.metadata.name ?? '');
      else running.delete(o.metadata.name ?? '');
      return running.size === 8;
    });
  });

  afterAll(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plan simulate over all 8 nodes predicts TargetRejected for the 2 validators', async () => {
    const run = await cli(['plan', 'simulate', '-f', 'giga-store-migration', ...INPUTS, '--set', 'nodeMode=', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { steps: Array<{ id: string; items: Array<{ node: string; class: string; reason?: string }> }> };
    const items = result.steps.find((s) => s.id === 'migrate')!.items;
    expect(items.filter((i) => i.reason === 'TargetRejected').map((i) => i.node).sort()).toEqual(['validator-0', 'validator-1']);
    expect(items.filter((i) => i.class !== 'blocked').map((i) => i.node).sort()).toEqual(FULL);
    // The default (nodeMode=fullNode) selects the 6 full nodes only.
    const only = await cli(['plan', 'simulate', '-f', 'giga-store-migration', ...INPUTS, '--format', 'json']);
    const onlyItems = (JSON.parse(only.stdout) as typeof result).steps.find((s) => s.id === 'migrate')!.items;
    expect(onlyItems.map((i) => i.node).sort()).toEqual(FULL);
  });

  it('waits at approve (exit 3); approve + resume create exactly 6 workflows and complete (exit 0)', async () => {
    const applied = await cli(['plan', 'apply', '-f', 'giga-store-migration', ...INPUTS, '--max-parallel', '2']);
    expect(applied.code, applied.stderr).toBe(3);
    const planId = planIdOf(applied);
    expect(await planWorkflows(planId)).toEqual([]);
    const approved = await cli(['plan', 'approve', planId, 'approve']);
    expect(approved.code, approved.stderr).toBe(0);
    const resumed = await cli(['plan', 'resume', planId]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const created = await planWorkflows(planId);
    expect(created.map((w) => ((w['spec'] as { target: { nodeRef: { name: string } } }).target.nodeRef.name)).sort()).toEqual(FULL);
    expect(created.every((w) => (w['status'] as { phase?: string }).phase === 'Complete')).toBe(true);
    expect(created.every((w) => JSON.stringify(w['spec']).includes('"backend":"pebbledb"'))).toBe(true);
  });

  it('SIGKILL mid-run, then plan resume: finishes with no duplicate workflow', async () => {
    const applied = await cli(['plan', 'apply', '-f', 'giga-store-migration', ...INPUTS, '--max-parallel', '2']);
    expect(applied.code).toBe(3);
    const planId = planIdOf(applied);
    expect((await cli(['plan', 'approve', planId, 'approve'])).code).toBe(0);
    let launches = 0;
    const killed = await cli(['plan', 'resume', planId, '-o', 'ndjson'], (line) => {
      if (!line.startsWith('{')) return false;
      const event = JSON.parse(line) as { event: string; step?: string };
      if (event.event === 'launch' && event.step === 'migrate') launches++;
      return launches === 3;
    });
    expect(killed.code).toBeNull(); // killed by the signal
    const resumed = await cli(['plan', 'resume', planId]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const created = await planWorkflows(planId);
    expect(created).toHaveLength(6);
    expect(created.map((w) => w.metadata.labels?.['sei.io/plan-attempt'])).toEqual(['1', '1', '1', '1', '1', '1']);
    expect(new Set(created.map((w) => (w['spec'] as { target: { nodeRef: { name: string } } }).target.nodeRef.name)).size).toBe(6);
  });
});

describe.skipIf(!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs')))('giga-store-migration committed to Git (built binary, real git)', () => {
  it('flux: one Kustomization per wave with prune off and a SeiNodeTaskWorkflow health check; a warning about pruning', () => {
    const repo = mkdtempSync(join(tmpdir(), 'sei-plan-wf-git-'));
    try {
      execFileSync('git', ['init', '-q', repo]);
      execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'init']);
      const fleet = join(repo, '..', `${repo.split('/').pop()}-fleet.yaml`);
      writeFileSync(fleet, '- {name: rpc-0, labels: {sei.io/chain: arctic-1}, mode: fullNode, stateSyncers: 2}\n- {name: val-0, labels: {sei.io/chain: arctic-1}, mode: validator}\n');
      const out = spawnSync(process.execPath, [BIN, 'gitops', 'commit', '-f', 'giga-store-migration', '--fleet', fleet, '-n', NS, '--repo', repo, '--path', 'clusters/dev/sei/wf', '--flavor', 'flux'], {
        encoding: 'utf8',
        env: { ...process.env, CI: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out.status, out.stderr).toBe(0);
      expect(out.stderr).toContain('never let the engine prune an adopted one');
      const planDir = join(repo, 'clusters/dev/sei/wf', readdirSync(join(repo, 'clusters/dev/sei/wf')).find((d) => d.startsWith('giga-store-migration-'))!);
      const kustomizations = readdirSync(planDir).filter((f) => f.startsWith('sei-') && f.endsWith('.yaml')).map((f) => parse(readFileSync(join(planDir, f), 'utf8')) as { spec: { prune: boolean; healthCheckExprs: Array<{ kind: string }> } });
      // forEach.mode: fullNode — only rpc-0 gets a workflow.
      expect(kustomizations).toHaveLength(1);
      expect(kustomizations[0]!.spec.prune).toBe(false);
      expect(kustomizations[0]!.spec.healthCheckExprs.map((e) => e.kind)).toContain('SeiNodeTaskWorkflow');
      const stepDir = join(planDir, readdirSync(planDir).find((d) => d.startsWith('01-migrate'))!);
      const workflowFile = readdirSync(stepDir).find((f) => f.startsWith('giga-store-migration-'))!;
      expect(parse(readFileSync(join(stepDir, workflowFile), 'utf8'))).toMatchObject({ kind: 'SeiNodeTaskWorkflow', spec: { kind: 'StateSync', target: { nodeRef: { name: 'rpc-0' } } } });
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
