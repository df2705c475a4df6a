// The BUILT bin/kubectl-sei and the real kubectl (/usr/bin/kubectl 1.32) against a `--crd latest`
// sim serving SeiNodeTaskWorkflows: `workflow state-sync` preflight refusals (exit 2, nothing
// written), the confirmation rule, dry runs, what kubectl then sees, `workflow get|delete`, and
// `node get|describe` through `kubectl sei`. Preflight follows upstream
// internal/controller/node/workflow.go and internal/planner/workflow.go (2d670ad).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/types.js';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { connect } from '../../src/cluster/index.js';
import type { ClusterClient } from '../../src/cluster/types.js';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const KUBECTL = '/usr/bin/kubectl';
const NS = 'sei';
const WITNESSES = ['--rpc-servers', 'rpc-a.sei.svc:26657', '--rpc-servers', 'rpc-b.sei.svc:26657'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let sim: RunningSim;
let dir: string;
let kubeconfig: string;
let client: ClusterClient;

function node(name: string, mode: Record<string, unknown>, extra: Record<string, unknown> = {}, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNode',
    metadata: { name, namespace: NS, labels: { 'sei.io/chain-id': 'sim-1' }, annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.05', ...annotations } },
    spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', ...mode, ...extra },
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runCli(args, { command, cwd: dir, env });
}

const cli = (args: string[]) => run(process.execPath, [BIN, ...args, '--kubeconfig', kubeconfig, '-n', NS]);
const kubectl = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<Run>((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 90_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

async function workflowNames(): Promise<string[]> {
  return (await client.list('sei.io/v1alpha1', 'SeiNodeTaskWorkflow', { namespace: NS })).items.map((w) => w.metadata.name ?? '').sort();
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('run `npm run build` first: the e2e tests run the built bin/kubectl-sei');
  dir = mkdtempSync(join(tmpdir(), 'sei-wf-cli-'));
  sim = await startSim({
    namespace: NS,
    crd: 'latest',
    seedObjects: [node('rpc-0', { fullNode: {} }), node('rpc-1', { fullNode: {} }, {}, { 'sim.sei.io/stall-plan-task': 'reset-data' }), node('val-0', { validator: {} }), node('frozen', { fullNode: {} }, { paused: true })],
  });
  kubeconfig = join(dir, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  client = await connect({ kubeconfig });
});

afterAll(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('workflow state-sync: preflight refuses what the controller would refuse (exit 2, nothing written)', () => {
  it('a validator target: TargetRejected (workflow.go:253 ineligibleWorkflowRole)', async () => {
    const refused = await cli(['workflow', 'state-sync', 'val-0', ...WITNESSES, '--migration', 'giga-store', '--yes']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('validator target is ineligible; workflows target full/RPC nodes only');
    expect(await workflowNames()).toEqual([]);
  });

  it('fewer than two witnesses: PlanBuildFailed (planner/workflow.go minStateSyncWitnesses)', async () => {
    const refused = await cli(['workflow', 'state-sync', 'rpc-0', '--yes', '-o', 'name']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('need >=2 resolved witnesses');
    expect(JSON.parse(refused.stderr.trimEnd().split('\n').at(-1) ?? '{}')).toMatchObject({ kind: 'Status', reason: 'PlanBuildFailed' });
    expect(await workflowNames()).toEqual([]);
  });

  it('a paused node, and a missing node with the close names', async () => {
    const paused = await cli(['workflow', 'state-sync', 'frozen', ...WITNESSES, '--yes']);
    expect(paused.code).toBe(2);
    expect(paused.stderr).toMatch(/paused.*unpause it first/s);
    const missing = await cli(['workflow', 'state-sync', 'rpc-9', ...WITNESSES, '--yes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('did you mean rpc-0 or rpc-1?');
    expect(await workflowNames()).toEqual([]);
  });

  it('a data wipe without --yes outside a terminal is refused before any write', async () => {
    const refused = await cli(['workflow', 'state-sync', 'rpc-0', ...WITNESSES, '--migration', 'giga-store']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('This WIPES the data of SeiNode rpc-0');
    expect(refused.stderr).toContain('pass --yes');
    expect(await workflowNames()).toEqual([]);
  });
});

describe('workflow state-sync writes, and kubectl sees it', () => {
  it('--dry-run=client prints the workflow offline; --dry-run=server is admitted and writes nothing', async () => {
    const client1 = await cli(['workflow', 'state-sync', 'rpc-0', ...WITNESSES, '--migration', 'giga-store', '--backend', 'rocksdb', '--dry-run=client']);
    expect(client1.code, client1.stderr).toBe(0);
    expect(client1.stdout).toMatch(/kind: SeiNodeTaskWorkflow[\s\S]*backend: rocksdb/);
    const server = await cli(['workflow', 'state-sync', 'rpc-0', ...WITNESSES, '--dry-run=server']);
    expect(server.code, server.stderr).toBe(0);
    expect(server.stderr).toContain('validated by the server (dry run)');
    expect(await workflowNames()).toEqual([]);
  });

  it('--yes --no-wait creates it; kubectl get sntw shows its columns; a second one warns it will queue behind the first', async () => {
    const first = await cli(['workflow', 'state-sync', 'rpc-1', ...WITNESSES, '--migration', 'giga-store', '--yes', '--no-wait', '-o', 'name', '--name', 'rpc-1-first']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('seinodetaskworkflow.sei.io/rpc-1-first\n');
    const listed = await kubectl(['get', 'sntw', '-n', NS]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+KIND\s+TARGET\s+PHASE\s+AGE/);
    expect(listed.stdout).toMatch(/rpc-1-first\s+StateSync\s+rpc-1/);
    const yaml = await kubectl(['get', 'seinodetaskworkflow', 'rpc-1-first', '-n', NS, '-o', 'jsonpath={.spec.stateSync.migration.gigaStore.backend}']);
    expect(yaml.stdout).toBe('pebbledb');
    // The recipe is printed as YAML by a yaml loaded on first use (scripts/bundle.mjs LAZY_IMPORTS).
    const described = await cli(['workflow', 'describe', 'rpc-1-first']);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Recipe \(spec\.stateSync\):\n[\s\S]*backend: pebbledb/);
    const second = await cli(['workflow', 'state-sync', 'rpc-1', ...WITNESSES, '--yes', '--no-wait', '--name', 'rpc-1-second']);
    expect(second.code, second.stderr).toBe(0);
    // rpc-1's plans stall at reset-data (sim knob), so the first stays adopted and the second waits.
    expect(second.stderr).toMatch(/already has workflow "rpc-1-first" (adopted|queued): this one will queue behind it/);
    const table = await cli(['workflow', 'get', '--node', 'rpc-1']);
    expect(table.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['NAME', 'rpc-1-first', 'rpc-1-second']);
  });

  it('workflow delete of a workflow nobody adopted deletes it at once', async () => {
    const deleted = await cli(['workflow', 'delete', 'rpc-1-second']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe('seinodetaskworkflow.sei.io "rpc-1-second" deleted\n');
    expect(await workflowNames()).not.toContain('rpc-1-second');
    const missing = await cli(['workflow', 'delete', 'rpc-1-frist']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('did you mean rpc-1-first');
  });
});

describe.skipIf(!existsSync(KUBECTL))('through kubectl sei', () => {
  it('node get and node describe', async () => {
    const path = join(dir, 'path');
    mkdirSync(path, { recursive: true });
    if (!existsSync(join(path, 'kubectl-sei'))) symlinkSync(BIN, join(path, 'kubectl-sei'));
    const env = { PATH: `${path}:${process.env['PATH'] ?? ''}` };
    // kubectl's plugin rule: every flag after the plugin name.
    const plugin = (args: string[]) => run(KUBECTL, ['sei', ...args, '--kubeconfig', kubeconfig, '-n', NS], env);
    const got = await plugin(['node', 'get', '-o', 'wide']);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toMatch(/^NAME\s+PHASE\s+MODE\s+IMAGE\s+CURRENT-IMAGE\s+PLAN\s+WORKFLOW\s+AGE/);
    expect(got.stdout).toMatch(/val-0\s+\S+\s+validator/);
    const described = await plugin(['node', 'describe', 'rpc-1']);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Mode:\s+fullNode/);
    expect(described.stdout).toMatch(/Workflows targeting it:\n\s+NAME\s+KIND\s+PHASE\s+REASON\n\s+rpc-1-first\s+StateSync/);
    const missing = await plugin(['node', 'describe', 'rpc-7']);
    expect(missing.code).toBe(2);
  });
});

/** Runs a command line under `script` (a real pseudo-terminal, CI unset) and types `answer` when `prompt` appears. */
function inPtyAnswering(commandLine: string, prompt: string, answer: string): Promise<{ code: number | null; tty: string }> {
  const env = { ...process.env };
  delete env['CI'];
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qec', commandLine, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let tty = '';
    let answered = false;
    child.stdout.on('data', (c: Buffer) => {
      tty += c.toString();
      if (!answered && tty.includes(prompt)) {
        answered = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    child.on('error', reject);
    const guard = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, tty });
    });
  });
}

describe.skipIf(!existsSync('/usr/bin/script'))('on a terminal: type the node name to confirm the wipe', () => {
  const line = (name: string) => `stty cols 120 rows 40; '${process.execPath}' '${BIN}' workflow state-sync rpc-0 ${WITNESSES.join(' ')} --no-wait --name ${name} --kubeconfig '${kubeconfig}' -n ${NS}`;

  it('a wrong name: exit 2, nothing written', async () => {
    const run = await inPtyAnswering(line('typed-wrong'), "Type the node's name (rpc-0) to continue:", 'rpc-1');
    expect(run.code).toBe(2);
    expect(run.tty).toContain('This WIPES the data of SeiNode rpc-0');
    expect(run.tty).toContain('not confirmed');
    expect(await workflowNames()).not.toContain('typed-wrong');
  });

  it('the node name: the workflow is created', async () => {
    const run = await inPtyAnswering(line('typed-right'), "Type the node's name (rpc-0) to continue:", 'rpc-0');
    expect(run.code, run.tty).toBe(0);
    expect(await workflowNames()).toContain('typed-right');
  });
});
