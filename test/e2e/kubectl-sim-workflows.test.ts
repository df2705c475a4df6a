/**
 * The real kubectl (/usr/bin/kubectl, v1.32) against a `--crd latest` sim with full nodes and a
 * validator: the SeiNodeTaskWorkflow resource by its short name and columns, `kubectl wait` on its
 * Ready/Failed latch, the Events kubectl lists, a delete parked by the workflow finalizer until
 * the force annotation (upstream internal/controller/node/workflow.go:387, 2d670ad), and the
 * SeiNode's plan and finalizer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim } from '../../src/sim/index.js';

const KUBECTL = '/usr/bin/kubectl';
let sim: RunningSim;
let dir: string;
let kubeconfig: string;

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '-n', 'sei', ...args], { timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function apply(yaml: string): ReturnType<typeof kubectl> {
  const file = join(dir, `m-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return kubectl(['apply', '--server-side', '-f', file]);
}

const workflow = (name: string, node: string) => `apiVersion: sei.io/v1alpha1
kind: SeiNodeTaskWorkflow
metadata: {name: ${name}, namespace: sei}
spec:
  kind: StateSync
  target: {nodeRef: {name: ${node}}}
  stateSync:
    rpcServers: ["rpc-a.sei.io:26657", "rpc-b.sei.io:26657"]
    migration: {kind: GigaStore, gigaStore: {backend: rocksdb}}
`;

describe.skipIf(!existsSync(KUBECTL))('real kubectl: SeiNodeTaskWorkflows on the sim (--crd latest)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubectl-sntw-'));
    sim = await startSim({ crd: 'latest', fleet: 2, validators: 1 });
    kubeconfig = join(dir, 'kubeconfig');
    sim.writeKubeconfig(kubeconfig);
    const ready = await kubectl(['wait', '--for=jsonpath={.status.phase}=Running', 'seinode/node-0', 'seinode/node-1', 'seinode/validator-0', '--timeout=30s']);
    expect(ready.code, ready.stderr).toBe(0);
  });

  afterAll(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('apply, wait --for=condition=Ready, get sntw with its columns, and the Events', async () => {
    const applied = await apply(workflow('giga-0', 'node-0'));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('seinodetaskworkflow.sei.io/giga-0 serverside-applied');
    const waited = await kubectl(['wait', '--for=condition=Ready', 'sntw/giga-0', '--timeout=30s']);
    expect(waited.code, waited.stderr).toBe(0);
    const listed = await kubectl(['get', 'sntw']);
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+TARGET\s+PHASE\s+AGE/);
    expect(listed.stdout).toMatch(/giga-0\s+StateSync\s+node-0\s+Complete/);
    const backend = await kubectl(['get', 'sntw', 'giga-0', '-o', `jsonpath={.status.plan.tasks[?(@.type=="config-patch")].params.files.app\\.toml.state-store.ss-backend}`]);
    expect(backend.stdout).toBe('rocksdb');
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=giga-0', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
    expect(events.stdout.split('\n')).toEqual(expect.arrayContaining(['WorkflowAdopted', 'WorkflowComplete']));
  });

  it('wait --for=condition=Failed on a validator target; the reason is TargetRejected', async () => {
    expect((await apply(workflow('on-validator', 'validator-0'))).code).toBe(0);
    const waited = await kubectl(['wait', '--for=condition=Failed', 'sntw/on-validator', '--timeout=30s']);
    expect(waited.code, waited.stderr).toBe(0);
    const reason = await kubectl(['get', 'sntw', 'on-validator', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}']);
    expect(reason.stdout).toBe('TargetRejected');
  });

  it('delete --wait=false of a held workflow leaves it Terminating; the force annotation lets the delete finish', async () => {
    expect((await kubectl(['annotate', 'seinode', 'node-1', 'sim.sei.io/fail-plan-task=reset-data'])).code).toBe(0);
    expect((await apply(workflow('held', 'node-1'))).code).toBe(0);
    expect((await kubectl(['wait', '--for=condition=Failed', 'sntw/held', '--timeout=30s'])).code).toBe(0);
    const hold = await kubectl(['wait', '--for=jsonpath={.status.conditions[?(@.type=="WorkflowInProgress")].reason}=WorkflowFailedHeld', 'seinode/node-1', '--timeout=30s']);
    expect(hold.code, hold.stderr).toBe(0);
    const deleted = await kubectl(['delete', 'sntw', 'held', '--wait=false']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const parked = await kubectl(['get', 'sntw', 'held', '-o', 'jsonpath={.metadata.deletionTimestamp} {.metadata.finalizers[0]}']);
    expect(parked.stdout).toMatch(/^\S+Z sei\.io\/seinodetaskworkflow-finalizer$/);
    const parkedHold = await kubectl(['wait', '--for=jsonpath={.status.conditions[?(@.type=="WorkflowInProgress")].message}=deletion held: data-state verification unavailable', 'seinode/node-1', '--timeout=30s']);
    expect(parkedHold.code, parkedHold.stderr).toBe(0);
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=held,reason=WorkflowDeleteHeld', '-o', 'jsonpath={.items[0].type}: {.items[0].message}']);
    expect(events.stdout).toBe('Warning: refusing to release node node-1: data-state verification unavailable (set sei.io/force-delete-workflow to force)');
    expect((await kubectl(['annotate', 'sntw', 'held', 'sei.io/force-delete-workflow=verified by hand'])).code).toBe(0);
    const gone = await kubectl(['wait', '--for=delete', 'sntw/held', '--timeout=30s']);
    expect(gone.code, gone.stderr).toBe(0);
  });

  it('a SeiNode carries its finalizer and kubectl delete (waiting) returns once the controller released it', async () => {
    const finalizers = await kubectl(['get', 'seinode', 'node-0', '-o', 'jsonpath={.metadata.finalizers}']);
    expect(finalizers.stdout).toBe('["sei.io/seinode-finalizer"]');
    const deleted = await kubectl(['delete', 'seinode', 'node-0', '--timeout=30s']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await kubectl(['get', 'seinode', 'node-0'])).code).not.toBe(0);
  });
});
