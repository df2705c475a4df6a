/**
 * Issue 11 item 6: the commands a Chaos Mesh export runs exist and mean what plan apply means.
 * Each Task template's container command is run as Chaos Mesh runs it (sh -c with the template's
 * env; pkg/workflow/task/pod.go), with the built kubectl-sei and the real /usr/bin/kubectl on
 * PATH, against the sim; the chain is walked as the Chaos Mesh controller walks it: Parallel
 * children, then the gate, whose exit code picks the conditional branch to the rest of the plan.
 * Items 1 and 5: an Argo resource step's manifest, after Argo's parameter substitution, given to
 * the real kubectl as workflow/executor/resource.go does (`kubectl create -f FILE -o json`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { exportPlanWorkflow } from '../../src/services/plan-export.js';
import { connect } from '../../src/cluster/index.js';
import { taskName } from '../../src/plan/naming.js';
import type { ClusterClient } from '../../src/cluster/types.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- engine templates

const ROOT = join(import.meta.dirname, '..', '..');
const KUBECTL = '/usr/bin/kubectl';
const NS = 'sei';
let sim: RunningSim;
let dir: string;
let kubeconfig: string;
let bin: string;
let client: ClusterClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engines-run-'));
  sim = await startSim({ fleet: 3 });
  kubeconfig = join(dir, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(join(ROOT, 'bin', 'kubectl-sei'), join(bin, 'kubectl-sei'));
  client = await connect({ kubeconfig });
});

afterAll(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What Chaos Mesh does with a Task template: run its container's command with its env; the exit code is collected. */
function runTask(template: Rec): Promise<{ code: number; stdout: string; stderr: string }> {
  const { command, env } = template.task.container as { command: string[]; env: Array<{ name: string; value: string }> };
  return new Promise((resolve) => {
    execFile(command[0]!, command.slice(1), {
      timeout: 120_000,
      env: { ...process.env, ...Object.fromEntries(env.map((e) => [e.name, e.value])), PATH: `${bin}:${process.env['PATH']}`, KUBECONFIG: kubeconfig, HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
    }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** Walks the exported chain like the Chaos Mesh controller: run each batch, then its gate; follow the branch whose expression holds. */
async function runChain(workflow: Rec): Promise<Array<{ template: string; code: number }>> {
  const byName = new Map<string, Rec>(workflow.spec.templates.map((t: Rec) => [t.name, t]));
  const ran: Array<{ template: string; code: number }> = [];
  const run = async (name: string): Promise<void> => {
    const t = byName.get(name)!;
    if (t.templateType === 'Serial') {
      for (const child of t.children) await run(child);
    } else if (t.templateType === 'Parallel') {
      await Promise.all(t.children.map((child: string) => run(child)));
    } else if (t.templateType === 'Task') {
      const result = await runTask(t);
      ran.push({ template: name, code: result.code });
      for (const branch of t.conditionalBranches ?? []) {
        // The only expressions the export writes: exitCode == 0.
        expect(branch.expression).toBe('exitCode == 0');
        if (result.code === 0) await run(branch.target);
      }
    }
  };
  await run(workflow.spec.entry);
  return ran;
}

function planFile(name: string, text: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe.skipIf(!existsSync(KUBECTL) || !existsSync(join(ROOT, 'dist')))('a Chaos Mesh export run as Chaos Mesh runs it', () => {
  it('every task completes through kubectl-sei task apply --wait, the RestartPod with the live pod uid, and the gates let the plan go on', async () => {
    const file = planFile('ok', `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: cm-ok}
spec:
  steps:
    - {id: discover, kind: DiscoverPeers, forEach: {nodes: [node-0, node-1]}, maxParallel: 1, timeoutSeconds: 300}
    - {id: restart, kind: RestartPod, node: node-2, requirePhase: Running}
`);
    const { object } = await exportPlanWorkflow({ to: 'chaos-mesh', file, client, namespace: NS, planId: '11111111-2222-4333-8444-555555555555' });
    const uidBefore = ((await client.get({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'node-2-0' })) as Rec).metadata.uid;
    const ran = await runChain(object as Rec);
    expect(ran.map((r) => [r.template, r.code])).toEqual([
      ['s0-discover-0', 0], ['s0-discover-batch-0-gate', 0],
      ['s0-discover-1', 0], ['s0-discover-batch-1-gate', 0],
      ['s1-restart-0', 0],
    ]);
    const task = (await client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', namespace: NS, name: taskName('cm-ok', '11111111-2222-4333-8444-555555555555', 'restart', 0) })) as Rec;
    expect(task.status.phase).toBe('Complete');
    expect(task.spec.restartPod.podUID).toBe(uidBefore);
    expect(task.spec.target.requirePhase).toBe('Running');
    const discover = (await client.get({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', namespace: NS, name: taskName('cm-ok', '11111111-2222-4333-8444-555555555555', 'discover', 1) })) as Rec;
    expect(discover.spec.timeoutSeconds).toBe(300);
    expect(discover.metadata.labels).toMatchObject({ 'sei.io/plan-id': '11111111-2222-4333-8444-555555555555', 'sei.io/plan-step': 'discover', 'sei.io/plan-index': '1', 'sei.io/plan-attempt': '1' });
  }, 240_000);

  it('a failed task stops the plan: its container exits non-zero, the gate exits 1, nothing after it runs', async () => {
    const lonely = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'lonely', namespace: NS }, spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {} } };
    const created = await runTask({ task: { container: { command: ['sh', '-c', 'printf "%s" "$NODE" | kubectl create -f -'], env: [{ name: 'NODE', value: JSON.stringify(lonely) }] } } });
    expect(created.code, created.stderr).toBe(0);
    const file = planFile('fail', `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: cm-fail}
spec:
  steps:
    - {id: discover, kind: DiscoverPeers, node: lonely}
    - {id: after, kind: DiscoverPeers, node: node-0}
`);
    const { object } = await exportPlanWorkflow({ to: 'chaos-mesh', file, client, namespace: NS, planId: '22222222-2222-4333-8444-555555555555' });
    const ran = await runChain(object as Rec);
    expect(ran.map((r) => r.template)).toEqual(['s0-discover-0', 's0-discover-batch-0-gate']);
    expect(ran[0]!.code).not.toBe(0);
    expect(ran[1]!.code).toBe(1);
  }, 240_000);
});

/** Argo's simple-tag substitution ({{name}}) over a manifest, as the controller does before the executor runs. */
function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{([^{}]+)\}\}/g, (tag, name: string) => {
    if (!(name in values)) throw new Error(`no value for ${tag}`);
    return values[name]!;
  });
}

function kubectlCreate(manifest: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `manifest-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, manifest);
  return new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'create', '-f', file, '-o', 'json'], { timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe.skipIf(!existsSync(KUBECTL))('Argo resource steps as the executor runs them', () => {
  it('two runs of the same exported Workflow (submit twice, resubmit) create distinct tasks; option "yes" reaches the CRD as a string', async () => {
    const file = planFile('argo', `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: argo-run}
spec:
  steps:
    - {id: discover, kind: DiscoverPeers, forEach: {nodes: [node-0, node-1]}}
    - {id: vote, kind: GovVote, node: node-0, params: {chainId: sim-1, proposalId: 3, option: "yes", fees: 4000usei, gas: 200000}}
`);
    const { object } = await exportPlanWorkflow({ to: 'argo-workflows', file, client, namespace: NS, planId: '33333333-2222-4333-8444-555555555555' });
    const templates: Rec[] = (object as Rec).spec.templates;
    const discoverItems = templates.find((t) => t.name === 's0-discover-items')!.steps[0][0].withItems as Array<Record<string, string>>;
    const created: Rec[] = [];
    for (const workflowUid of ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002']) {
      for (const item of discoverItems) {
        const manifest = substitute(templates.find((t) => t.name === 's0-discover-create')!.resource.manifest, {
          'workflow.uid': workflowUid, 'inputs.parameters.node': item['node']!, 'inputs.parameters.index': item['index']!, 'inputs.parameters.name-prefix': item['name-prefix']!,
        });
        const result = await kubectlCreate(manifest);
        expect(result.code, result.stderr).toBe(0);
        created.push(JSON.parse(result.stdout));
      }
      const vote = await kubectlCreate(substitute(templates.find((t) => t.name === 's1-vote-create')!.resource.manifest, { 'workflow.uid': workflowUid }));
      expect(vote.code, vote.stderr).toBe(0);
      created.push(JSON.parse(vote.stdout));
    }
    const names = created.map((o) => o.metadata.name as string);
    expect(new Set(names).size).toBe(6);
    const prefixes = [0, 1].map((i) => taskName('argo-run', '33333333-2222-4333-8444-555555555555', 'discover', i)).concat(taskName('argo-run', '33333333-2222-4333-8444-555555555555', 'vote', 0));
    for (const name of names) expect(prefixes.some((p) => name.startsWith(`${p}-`) && name.length === p.length + 6), name).toBe(true);
    expect(created.filter((o) => o.spec.kind === 'GovVote').map((o) => o.spec.govVote.option)).toEqual(['yes', 'yes']);
    expect(new Set(created.map((o) => o.metadata.labels['sei.io/plan-id']))).toEqual(new Set(['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002']));
  }, 120_000);
});
