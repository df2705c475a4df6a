// Issue 10's acceptance through client-node against a `--crd latest` sim with 6 full nodes and 2
// validators: workflow state-sync (narration, verdicts, preflight, queueing, the held node, delete
// and force), node describe/wait of a failing init plan, and update-image's plan narration.
// Semantics cited from upstream sei-protocol/sei-k8s-controller at 2d670ad.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient, KubeObject } from '../../src/cluster/types.js';
import type { Progress } from '../../src/output/progress.js';
import { describeNode } from '../../src/output/node-printers.js';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { describeNodeData, nodeVerdictToError, waitNode } from '../../src/services/nodes.js';
import { applyWorkflows, deleteWorkflow, renderWorkflow, runWorkflow } from '../../src/services/workflows.js';
import { followWorkflows, workflowVerdictsToError } from '../../src/services/follow-workflows.js';
import { stateSyncSet } from '../../src/cli/workflow-flags.js';
import { runTask } from '../../src/services/run-task.js';
import { watchUntil } from '../support/watch-until.js';
import { refusal } from '../support/refusal.js';

const NS = 'sei';
const SYNCERS = ['rpc-a.sei.svc:26657', 'rpc-b.sei.svc:26657'];

function seiNode(name: string, mode: Record<string, unknown>, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name, namespace: NS, labels: { 'sei.io/chain-id': 'sim-1' }, annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.05', ...annotations } },
    spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', ...mode },
  };
}
// Full nodes that bootstrap from a snapshot resolve two state syncers (status.resolvedStateSyncers).
const full = (name: string, annotations: Record<string, string> = {}) => seiNode(name, { fullNode: { snapshot: { stateSync: {}, rpcServers: SYNCERS } } }, annotations);

let sim: RunningSim;
let client: ClusterClient;

function recorder(): Progress & { lines: string[]; line(match: RegExp): Promise<string> } {
  const lines: string[] = [];
  const waiters: Array<{ match: RegExp; resolve: (line: string) => void }> = [];
  const push = (text: string): void => {
    lines.push(text);
    for (const w of [...waiters]) if (w.match.test(text)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(text);
    }
  };
  return {
    lines,
    // Event-driven: resolves when a matching progress line is written (or already was).
    line: (match) => new Promise((resolve) => {
      const seen = lines.find((l) => match.test(l));
      if (seen !== undefined) resolve(seen);
      else waiters.push({ match, resolve });
    }),
    update: () => undefined,
    event: push,
    note: push,
    succeed: (t) => push(`✔ ${t}`),
    fail: (t) => push(`✖ ${t}`),
    stop: () => undefined,
  };
}

async function workflows(): Promise<KubeObject[]> {
  return (await client.list('sei.io/v1alpha1', 'SeiNodeTaskWorkflow', { namespace: NS })).items;
}

async function untilNode(name: string, done: (node: KubeObject) => boolean): Promise<void> {
  const reached = await watchUntil(client, { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', namespace: NS, timeoutMs: 20_000 }, (o) => o.metadata.name === name && done(o));
  if (!reached) throw new Error(`SeiNode ${name} never reached the state`);
}
const phaseOf = (o: KubeObject) => String((o['status'] as Record<string, unknown> | undefined)?.['phase'] ?? '');

beforeAll(async () => {
  sim = await startSim({
    namespace: NS,
    crd: 'latest',
    seedObjects: [
      ...['node-0', 'node-1', 'node-2', 'node-3', 'node-4', 'node-5'].map((n) => full(n)),
      seiNode('validator-0', { validator: {} }),
      seiNode('validator-1', { validator: {} }),
    ],
  });
  client = await connect({ kubeconfig: writeKubeconfig() });
  for (const n of ['node-0', 'node-1', 'node-2', 'node-3', 'node-4', 'node-5', 'validator-0', 'validator-1']) {
    await untilNode(n, (o) => phaseOf(o) === 'Running' && !(o['status'] as Record<string, unknown>)['plan']);
  }
});

function writeKubeconfig(): string {
  const file = `${process.env['TMPDIR'] ?? '/tmp'}/wf-accept-${process.pid}.kubeconfig`;
  sim.writeKubeconfig(file);
  return file;
}

afterAll(async () => {
  await sim?.stop();
});

const run = (node: string, set: string[], extra: Partial<Parameters<typeof runWorkflow>[1]> = {}, name?: string) =>
  runWorkflow({ kind: 'state-sync', node, set, namespace: NS, ...(name ? { name } : {}) }, { client, yes: true, wait: true, timeoutMs: 30_000, progress: recorder(), ...extra });

describe('workflow state-sync on the sim', () => {
  it('a full node with the giga-store migration completes (exit 0), narrating the six steps in order', async () => {
    const progress = recorder();
    const result = await run('node-0', stateSyncSet({ migration: 'giga-store', backend: 'pebbledb' }), { progress });
    expect(result.verdicts.map((v) => v.outcome)).toEqual(['Complete']);
    expect(workflowVerdictsToError(result.verdicts, NS)).toBeUndefined();
    // upstream internal/planner/workflow.go BuildPlan: the recipe, config-patch only with a migration
    const done = progress.lines.filter((l) => / Complete$/.test(l) && l.startsWith('  ')).map((l) => l.trim().split(' ')[0]);
    expect(done).toEqual(['mark-not-ready', 'stop-seid', 'reset-data', 'config-patch', 'configure-state-sync', 'mark-ready']);
    expect(progress.lines.at(-1)).toMatch(/^✔ node-0-state-sync-\w+ Complete WorkflowComplete/);
    // The GigaStore keys land in the config-patch step's params (workflow.go gigaStoreConfigPatch).
    const plan = ((result.verdicts[0]?.object?.['status'] as Record<string, unknown>)['plan'] as { tasks: Array<{ type: string; params?: unknown }> }).tasks;
    expect(JSON.stringify(plan.find((t) => t.type === 'config-patch')?.params)).toContain('"ss-backend":"pebbledb"');
  });

  it('a validator: preflight refuses (exit 2, nothing written); with --no-preflight the verdict is Failed/TargetRejected (exit 1)', async () => {
    const before = (await workflows()).length;
    const refused = await refusal(run('validator-0', []));
    expect(refused.exitCode).toBe(2);
    expect(refused.reason).toBe('TargetRejected');
    expect((await workflows()).length).toBe(before);
    // upstream internal/controller/node/workflow.go:253-258: Failed condition, reason TargetRejected
    const result = await run('validator-0', [], { targetChecks: false });
    expect(result.verdicts[0]).toMatchObject({ outcome: 'Failed', reason: 'TargetRejected' });
    const error = workflowVerdictsToError(result.verdicts, NS);
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toContain('validator target is ineligible; workflows target full/RPC nodes only');
  });

  it('two workflows on one node: the second shows QueuedBehindActive naming the first, then completes after it', async () => {
    // Hold node-1 non-idle (an image roll stalled at replace-pod) so both wait: upstream
    // workflow.go:260-281 seeds the loser QueuedBehindActive and the winner TargetNotReady.
    await client.apply({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-1', namespace: NS, annotations: { 'sim.sei.io/stall-plan-task': 'replace-pod' } }, spec: { image: 'ghcr.io/sei-protocol/seid:v6.1.0' } }, { force: true });
    await untilNode('node-1', (o) => Boolean((o['status'] as Record<string, unknown>)['plan']));
    const first = await renderWorkflow({ kind: 'state-sync', node: 'node-1', namespace: NS, name: 'q-first' });
    const second = await renderWorkflow({ kind: 'state-sync', node: 'node-1', namespace: NS, name: 'q-second' });
    await applyWorkflows([{ object: first.object }], { client, yes: true, wait: false, progress: recorder() });
    const queuedProgress = recorder();
    await applyWorkflows([{ object: second.object }], { client, yes: true, wait: false, progress: queuedProgress });
    expect(queuedProgress.lines.join('\n')).toContain('already has workflow "q-first" queued');
    const queued = await watchUntil(client, { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTaskWorkflow', namespace: NS, timeoutMs: 20_000 }, (o) => o.metadata.name === 'q-second' && JSON.stringify(o['status'] ?? {}).includes('QueuedBehindActive'));
    expect(queued).toBe(true);
    const progress = recorder();
    const following = followWorkflows(client, { namespace: NS, names: ['q-second'], timeoutMs: 30_000, progress });
    // Release the roll: the first adopts, completes, then the second.
    const queuedLine = await progress.line(/QueuedBehindActive/);
    await client.apply({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-1', namespace: NS }, spec: { image: 'ghcr.io/sei-protocol/seid:v6.1.0' } }, { force: true });
    const [verdict] = await following;
    expect(queuedLine).toContain('(the active workflow is q-first)');
    expect(verdict?.outcome).toBe('Complete');
    const all = await workflows();
    const created = (n: string) => all.find((w) => w.metadata.name === n);
    expect(JSON.stringify(created('q-first')?.['status'])).toContain('"phase":"Complete"');
  });

  it('fail-plan-task reset-data: exit 1 naming reset-data and its error; the node is held; a new workflow is refused naming it; delete explains; --force releases', async () => {
    await client.apply({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-2', namespace: NS, annotations: { 'sim.sei.io/fail-plan-task': 'reset-data' } } }, { force: true });
    const result = await run('node-2', [], {}, 'broken');
    const error = workflowVerdictsToError(result.verdicts, NS);
    expect(error?.exitCode).toBe(1);
    // upstream workflow.go:196-199 + 740-745: Failed/WorkflowFailed "task <type>: <error>"
    expect(error?.reason).toBe('WorkflowFailed');
    expect(error?.message).toMatch(/task reset-data: .+; SeiNode node-2 stays held/);
    await untilNode('node-2', (o) => JSON.stringify(o['status']).includes('WorkflowFailedHeld'));
    const again = await refusal(run('node-2', [], {}, 'again'));
    expect(again.reason).toBe('WorkflowFailedHeld');
    expect(again.message).toContain('"broken"');
    // upstream workflow.go:387-411: an adopted workflow's delete is parked (data-state unverifiable)
    const held = await deleteWorkflow(client, { name: 'broken', namespace: NS, progress: recorder() });
    expect(held.state).toBe('held');
    expect(held.message).toContain('Terminating but held by its finalizer');
    expect((await workflows()).some((w) => w.metadata.name === 'broken')).toBe(true);
    const notConfirmed = await refusal(deleteWorkflow(client, { name: 'broken', namespace: NS, force: true, progress: recorder() }));
    expect(notConfirmed.reason).toBe('ConfirmationRequired');
    const typedWrong = await refusal(deleteWorkflow(client, { name: 'broken', namespace: NS, force: true, confirm: async () => false, progress: recorder() }));
    expect(typedWrong.reason).toBe('NotConfirmed');
    const released = await deleteWorkflow(client, { name: 'broken', namespace: NS, force: true, confirm: async (_prompt, expected) => expected === 'node-2', progress: recorder() });
    expect(released.state).toBe('released');
    // upstream workflow.go:412-421: the force annotation releases the hold and the finalizer
    await untilNode('node-2', (o) => !(o['status'] as Record<string, unknown>)['adoptedWorkflow']);
    expect((await workflows()).some((w) => w.metadata.name === 'broken')).toBe(false);
  });
});

describe('node describe and node wait', () => {
  it('an Initializing node with fail-plan-task: describe shows failedTaskIndex/failedTaskDetail; wait --for running exits 1 with them', async () => {
    await client.apply(full('broken-init', { 'sim.sei.io/fail-plan-task': 'config-validate' }), { force: true });
    const progress = recorder();
    const verdict = await waitNode(client, { name: 'broken-init', namespace: NS, for: 'running', timeoutMs: 20_000, progress });
    expect(verdict.outcome).toBe('Failed');
    expect(verdict.failed?.type).toBe('config-validate');
    const error = nodeVerdictToError(verdict);
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toMatch(/failedTaskIndex \d+ \(config-validate\): simulated failure/);
    // upstream internal/planner/executor.go:205-235 (failTask) and controller.go:131 (a Failed node keeps its plan)
    const page = describeNode(await describeNodeData(client, 'broken-init', NS));
    expect(page).toMatch(/Failed Task Index:\s+\d+/);
    expect(page).toMatch(/Failed Task Detail:\s+config-validate: simulated failure/);
    expect(progress.lines.some((l) => l.includes('config-validate') && l.includes('Failed'))).toBe(true);
  });
});

describe('update-image narrates the node update plan', () => {
  it('a stalled roll: the plan is told task by task, and stopping names the plan task it stalls at', async () => {
    await client.apply({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-5', namespace: NS, annotations: { 'sim.sei.io/stall-plan-task': 'observe-image' } } }, { force: true });
    const progress = recorder();
    const stop = new AbortController();
    const running = runTask({ client, render: { kind: 'update-node-image', node: 'node-5', set: ['image=ghcr.io/sei-protocol/seid:v6.2.0'] }, wait: true, timeoutMs: 60_000, signal: stop.signal, progress });
    // Stop once the narration reached the stalled task (an event, not a time).
    await progress.line(/replace-pod \(\d\/\d\) Complete/);
    await untilNode('node-5', (o) => JSON.stringify((o['status'] as Record<string, unknown>)['plan'] ?? {}).includes('"type":"observe-image","id"'));
    stop.abort();
    const result = await running;
    expect(result.verdict?.outcome).toBe('Interrupted');
    expect(result.verdict?.message).toMatch(/stalled at observe-image/);
  });
});
