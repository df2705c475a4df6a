/**
 * The real kubectl (/usr/bin/kubectl, v1.32) against the sim started in-process with a fleet of
 * three: the acceptance commands of issue 2. kubectl runs as a child process (async, so the
 * in-process sim keeps serving) with its own discovery cache dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim } from '../../src/sim/index.js';

const KUBECTL = '/usr/bin/kubectl';
let sim: RunningSim;
let dir: string;
let kubeconfig: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (stdin !== undefined) {
      child.stdin?.write(stdin);
      child.stdin?.end();
    }
  });
}

function apply(yaml: string): Promise<Run> {
  const file = join(dir, `m-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return kubectl(['apply', '--server-side', '-f', file]);
}

const restartPod = (name: string, node: string, podUID?: string, extra = '') => `apiVersion: sei.io/v1alpha1
kind: SeiNodeTask
metadata:
  name: ${name}
  namespace: sei
spec:
  kind: RestartPod
  target:
    nodeRef:
      name: ${node}
  restartPod:${podUID === undefined ? ' {}' : `\n    podUID: "${podUID}"`}
${extra}`;

describe.skipIf(!existsSync(KUBECTL))('real kubectl against the sim', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubectl-sim-'));
    sim = await startSim({ fleet: 3 });
    kubeconfig = join(dir, 'kubeconfig');
    sim.writeKubeconfig(kubeconfig);
    const ready = await kubectl(['wait', '--for=jsonpath={.status.phase}=Running', 'seinode/node-0', 'seinode/node-1', 'seinode/node-2', '-n', 'sei', '--timeout=60s']);
    expect(ready.code, ready.stderr).toBe(0);
  });

  afterAll(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('get seinodes -n sei prints the fleet with its printer columns', async () => {
    const r = await kubectl(['get', 'seinodes', '-n', 'sei']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['node-0', 'node-1', 'node-2']);
    expect(r.stdout).toContain('Running');
  });

  it('get pod node-0-0 -o jsonpath={.metadata.uid} prints the live uid', async () => {
    const r = await kubectl(['get', 'pod', 'node-0-0', '-n', 'sei', '-o', 'jsonpath={.metadata.uid}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(sim.store.get('pods', 'sei', 'node-0-0')?.metadata.uid);
  });

  it('apply --server-side of a RestartPod with the live uid, then wait --for=condition=Ready exits 0 and the pod has a new uid', async () => {
    const uid = (await kubectl(['get', 'pod', 'node-1-0', '-n', 'sei', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const applied = await apply(restartPod('restart-node-1', 'node-1', uid));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('seinodetask.sei.io/restart-node-1 serverside-applied');
    const waited = await kubectl(['wait', '--for=condition=Ready', 'seinodetask/restart-node-1', '-n', 'sei', '--timeout=60s']);
    expect(waited.code, waited.stderr).toBe(0);
    const after = (await kubectl(['get', 'pod', 'node-1-0', '-n', 'sei', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    expect(after).not.toBe(uid);
    const restarted = await kubectl(['get', 'seinodetask', 'restart-node-1', '-n', 'sei', '-o', 'jsonpath={.status.task.restartedPodUID}']);
    expect(restarted.stdout).toBe(uid);
  });

  it('wait --for=condition=Failed exits 0 for a DiscoverPeers on a SeiNode without peers', async () => {
    const applied = await apply(`apiVersion: sei.io/v1alpha1
kind: SeiNode
metadata: {name: lonely, namespace: sei}
spec: {chainId: sei-sim, image: "ghcr.io/sei-protocol/seid:v6.0.0", fullNode: {}}
---
apiVersion: sei.io/v1alpha1
kind: SeiNodeTask
metadata: {name: peers-lonely, namespace: sei}
spec:
  kind: DiscoverPeers
  target: {nodeRef: {name: lonely}}
  discoverPeers: {}
`);
    expect(applied.code, applied.stderr).toBe(0);
    const waited = await kubectl(['wait', '--for=condition=Failed', 'seinodetask/peers-lonely', '-n', 'sei', '--timeout=60s']);
    expect(waited.code, waited.stderr).toBe(0);
    const reason = await kubectl(['get', 'snt', 'peers-lonely', '-n', 'sei', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}']);
    expect(reason.stdout).toBe('ParamsBuildFailed');
  });

  it('get seinodetasks -w streams a change as it happens', async () => {
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', 'seinodetasks', '-n', 'sei', '-w']);
    // One reader of the pipe: a listener per wait would append every later chunk once per wait,
    // splicing a line kubectl wrote in two reads into a duplicated mess.
    let out = '';
    const checks = new Set<() => void>();
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const check of [...checks]) check();
    });
    const saw = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!out.includes(text)) return;
          checks.delete(check);
          resolve();
        };
        checks.add(check);
        child.on('close', () => reject(new Error(`kubectl -w exited before printing ${text}: ${out}`)));
        check();
      });
    try {
      await saw('NAME');
      const uid = (await kubectl(['get', 'pod', 'node-2-0', '-n', 'sei', '-o', 'jsonpath={.metadata.uid}'])).stdout;
      await apply(restartPod('watched-task', 'node-2', uid));
      await saw('watched-task');
      expect(out.split('\n').find((l) => l.startsWith('watched-task'))).toMatch(/RestartPod\s+node-2/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('delete removes a task and a later get is NotFound', async () => {
    const deleted = await kubectl(['delete', 'seinodetask', 'peers-lonely', '-n', 'sei']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain('seinodetask.sei.io "peers-lonely" deleted');
    const got = await kubectl(['get', 'seinodetask', 'peers-lonely', '-n', 'sei']);
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('NotFound');
  });

  it('explain seinodetask.spec describes the payload fields from the served schema', async () => {
    const r = await kubectl(['explain', 'seinodetask.spec']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('KIND:       SeiNodeTask');
    expect(r.stdout).toMatch(/restartPod\s+<Object>/);
  });

  it.each([
    ['a RestartPod without podUID', restartPod('no-uid', 'node-0'), /podUID/],
    ['a RestartPod with two payloads', restartPod('two-payloads', 'node-0', 'abc', '  discoverPeers: {}\n'), /exactly one of/],
  ])('refuses %s with the server message on stderr', async (_name, yaml, message) => {
    const r = await apply(yaml);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is invalid');
    expect(r.stderr).toMatch(message);
  });

  it('reports a server-side apply conflict between field managers, and --force-conflicts takes the field', async () => {
    const node = (image: string) => `apiVersion: sei.io/v1alpha1
kind: SeiNode
metadata: {name: contested, namespace: sei}
spec: {chainId: sei-sim, image: "${image}", fullNode: {}}
`;
    const file = (image: string) => {
      const path = join(dir, `contested-${image.replace(/\W/g, '')}.yaml`);
      writeFileSync(path, node(image));
      return path;
    };
    expect((await kubectl(['apply', '--server-side', '--field-manager=alice', '-f', file('seid:a')])).code).toBe(0);
    const conflict = await kubectl(['apply', '--server-side', '--field-manager=bob', '-f', file('seid:b')]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('conflict with "alice"');
    expect(conflict.stderr).toContain('.spec.image');
    const forced = await kubectl(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', file('seid:b')]);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await kubectl(['get', 'seinode', 'contested', '-n', 'sei', '-o', 'jsonpath={.spec.image}'])).stdout).toBe('seid:b');
  });

  it('get crd seinodetasks.sei.io -o yaml returns the schema the sim enforces', async () => {
    const r = await kubectl(['get', 'crd', 'seinodetasks.sei.io', '-o', 'yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('name: seinodetasks.sei.io');
    expect(r.stdout).toContain('x-kubernetes-validations');
  });
});
