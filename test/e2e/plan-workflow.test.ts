// The built-in giga-store-migration plan with the BUILT binary against a `--crd latest` sim with
// 6 full nodes and 2 validators: simulate predicts TargetRejected for the validators (upstream
// internal/controller/node/workflow.go:253, 2d670ad); apply waits at `approve` (exit 3); approve +
// resume create exactly 6 SeiNodeTaskWorkflows and complete; SIGKILL mid-run + resume finishes
// with no duplicate. Requires `npm run build`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { watchUntil } from '../support/watch-until.js';

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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--kubeconfig', kubeconfig, '-n', NS], { env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (killWhen && lines.some(killWhen)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
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
