// The built plugin as kubectl and a shell start it — the executable itself (its #! line) and
// `kubectl sei` with it on PATH — against the simulated cluster: the traps issue 12 names
// (flags Node took for itself, flag placement, unknown commands, colliding names, Status lines
// and hints) each fail on the code before the fix.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS, startTestCluster, type TestCluster } from '../support/cluster.js';
import { exitCodeBreach } from '../support/exit-code-contract.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const KUBECTL = '/usr/bin/kubectl';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let cluster: TestCluster;
let pathDir: string;

/** Runs the executable directly (as kubectl execs a plugin), or `kubectl sei …` when via = 'kubectl'. */
function run(args: string[], options: { via?: 'bin' | 'kubectl'; onStderr?: (text: string, child: ChildProcess) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [command, argv] = options.via === 'kubectl' ? [KUBECTL, ['sei', ...args]] : [BIN, args];
    const env = { ...process.env, CI: '1', PATH: `${pathDir}${delimiter}${process.env.PATH ?? ''}`, KUBECONFIG: cluster.kubeconfig };
    const child = spawn(command, argv, { cwd: cluster.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    // Held to the exit codes the command's --help lists, as every runCli run is (kubectl passes the plugin's code on).
    child.on('close', (code) => {
      const breach = exitCodeBreach(ROOT, args, code);
      if (breach) reject(new Error(`${breach}\nstderr: ${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

const statusLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('{"kind":"Status"'));

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('run `npm run build` first: these tests run the built bin/kubectl-sei');
  cluster = await startTestCluster();
  pathDir = mkdtempSync(join(tmpdir(), 'sei-plugin-path-'));
  symlinkSync(BIN, join(pathDir, 'kubectl-sei'));
});

afterAll(async () => {
  await cluster?.sim.stop();
});

describe('trap 1: every flag reaches kubectl-sei, whatever starts it', () => {
  it.each(['bin', 'kubectl'] as const)('--env-file FILE (a file that does not exist yet) is ours, not Node\'s: via %s', async (via) => {
    const envFile = join(cluster.dir, `out-${via}.env`);
    const result = await run(['task', 'discover-peers', 'node-1', '-n', NS, '--output-env', 'TASK={.metadata.name}', '--env-file', envFile], { via });
    expect(result.stderr).not.toMatch(/^node: /m);
    expect(result.code).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toMatch(/^TASK='?node-1-discover-peers-/m);
  });
});

describe('trap 2: connection flags before the command, and -h everywhere', () => {
  it.each(['bin', 'kubectl'] as const)('`-n sei --kubeconfig K task get` lists the tasks of that namespace (via %s)', async (via) => {
    const result = await run(['-n', NS, '--kubeconfig', cluster.kubeconfig, 'task', 'get'], { via });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s/);
  });

  it('a command without connection flags accepts them before it, as kubectl\'s global flags (kinds)', async () => {
    const result = await run(['-n', NS, 'kinds', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expect.any(Array));
  });

  it.each([[['-h']], [['task', '-h']], [['task', 'get', '-h']], [['task', 'restart-pod', '-h']], [['kinds', '-h']], [['sim', 'serve', '-h']], [['-n', NS, 'task', 'wait', '-h']], [['help', 'task', 'get']]])('%j prints help and exits 0', async (args) => {
    const result = await run(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('USAGE');
  });
});

describe('trap 3: unknown commands are answered like kubectl, exit 2', () => {
  it.each(['bin', 'kubectl'] as const)('`tsk get` suggests task (via %s)', async (via) => {
    const result = await run(['tsk', 'get'], { via });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "tsk" for "kubectl sei"');
    expect(result.stderr).toContain('Did you mean "task"?');
    expect(result.stderr).not.toContain('tsk:get');
  });

  it('`task gte` suggests get under task', async () => {
    const result = await run(['task', 'gte']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "gte" for "kubectl sei task"');
    expect(result.stderr).toContain('Did you mean "get"?');
  });

  it.each([
    ['update-image', ['--set', 'image=ghcr.io/sei-protocol/seid:v6.1.0'], 'UpdateNodeImage'],
    ['gov-upgrade', ['--set', 'chainId=c', '--set', 'title=t', '--set', 'description=d', '--set', 'upgradeName=v7', '--set', 'upgradeHeight=100', '--set', 'initialDeposit=1usei', '--set', 'fees=1usei', '--set', 'gas=1'], 'GovSoftwareUpgrade'],
    ['await-height', ['--set', 'targetHeight=100'], 'AwaitNodesAtHeight'],
  ])('`task render %s` (a paved-road name) renders its kind', async (name, set, kind) => {
    const result = await run(['task', 'render', name, '--node', 'node-0', ...set, '-o', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { spec: { kind: string } }).spec.kind).toBe(kind);
  });

  it('`task render update-imag` suggests the kind', async () => {
    const result = await run(['task', 'render', 'update-imag', '--node', 'node-0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('update-node-image');
  });
});

describe('trap 4: repeating kinds never collide', () => {
  it('two discover-peers started together both run, under different names', async () => {
    const [first, second] = await Promise.all([0, 1].map(() => run(['task', 'discover-peers', 'node-2', '-n', NS, '-o', 'name'])));
    expect(first?.stderr).not.toContain('already');
    expect([first?.code, second?.code]).toEqual([0, 0]);
    expect(first?.stdout.trim()).toMatch(/^seinodetask\.sei\.io\/node-2-discover-peers-\d{8}t\d{6}-[0-9a-f]{6}$/);
    expect(first?.stdout).not.toBe(second?.stdout);
  });
});

describe('trap 9: Status lines only for machines, kubectl\'s dry-run words, hints that work', () => {
  it('task render: a failure ends stderr with a Status line only with -o', async () => {
    const human = await run(['task', 'render', 'restart-pod', '--node', 'node-0']);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain('podUID');
    expect(statusLines(human.stderr)).toEqual([]);
    const machine = await run(['task', 'render', 'restart-pod', '--node', 'node-0', '-o', 'json']);
    expect(machine.code).toBe(2);
    expect(statusLines(machine.stderr)).toHaveLength(1);
  });

  it('--dry-run=server says "(server dry run)" like kubectl, for the paved road and task apply', async () => {
    const paved = await run(['task', 'restart-pod', 'node-0', '-n', NS, '--dry-run=server']);
    expect(paved.code).toBe(0);
    expect(paved.stderr).toMatch(/seinodetask\.sei\.io\/node-0-restart-pod-\S+ created \(server dry run\)/);
    const rendered = await run(['task', 'render', 'discover-peers', '--node', 'node-0', '-n', NS, '--name', 'dry-apply']);
    const file = join(cluster.dir, 'dry-apply.yaml');
    (await import('node:fs')).writeFileSync(file, rendered.stdout);
    const apply = await run(['task', 'apply', '-f', file, '--dry-run=server']);
    expect(apply.code).toBe(0);
    expect(apply.stderr).toContain('seinodetask.sei.io/dry-apply created (server dry run)');
    const client = await run(['task', 'apply', '-f', file, '--dry-run=client']);
    expect(client.stderr).toContain('seinodetask.sei.io/dry-apply created (dry run)');
  });

  it('--no-wait\'s follow line carries the kubeconfig and a --timeout as long as the kind needs', async () => {
    const result = await run(['task', 'discover-peers', 'node-0', '-n', NS, '--kubeconfig', cluster.kubeconfig, '--no-wait']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`kubectl sei task wait node-0-discover-peers-\\S+ -n ${NS} --kubeconfig ${cluster.kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --timeout \\d+[smh]`));
  });

  it('Ctrl-C while waiting: the re-attach line carries --timeout', async () => {
    let sent = false;
    const result = await run(['task', 'restart-pod', 'stuck', '-n', NS, '--timeout', '20m'], {
      onStderr: (text, child) => {
        if (!sent && text.includes('created')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/re-attach with: kubectl sei task wait stuck-restart-pod-\S+ -n sei --timeout 20m/);
  });
});

describe('trap 5: one answer for an empty fan-out', () => {
  const plan = ['-f', 'refresh-peers', '--set', 'chain=no-such-chain', '-n', NS];
  it.each([
    ['plan simulate', ['plan', 'simulate', ...plan]],
    ['plan render', ['plan', 'render', ...plan]],
    ['plan export', ['plan', 'export', ...plan, '--to', 'argo-workflows']],
    ['plan apply', ['plan', 'apply', ...plan]],
    ['gitops commit', ['gitops', 'commit', ...plan, '--repo', '.', '--path', 'tasks']],
  ])('%s exits 2 naming the selector and the namespace, and writes nothing', async (_name, args) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sei.io/chain in (no-such-chain)');
    expect(result.stderr).toContain(`namespace "${NS}"`);
    expect(result.stdout).toBe('');
  });

  it('plan apply wrote no run record', async () => {
    const records = await cluster.client.list('v1', 'ConfigMap', { namespace: NS, labelSelector: 'sei.io/plan-id' });
    expect(records.items.filter((cm: { metadata: { annotations?: Record<string, string> } }) => (cm.metadata.annotations?.['sei.io/plan-name'] ?? '') === 'refresh-peers')).toEqual([]);
  });
});

describe('trap 7: plan list, id prefixes, no cancel of a finished run', () => {
  let planId = '';
  beforeAll(async () => {
    const file = join(cluster.dir, 'one-node.yaml');
    (await import('node:fs')).writeFileSync(file, 'apiVersion: cli.sei.io/v1alpha1\nkind: SeiTaskPlan\nmetadata: {name: one-node}\nspec:\n  steps:\n    - id: discover\n      kind: DiscoverPeers\n      forEach: {nodes: [node-2]}\n');
    const applied = await run(['plan', 'apply', '-f', file, '-n', NS]);
    expect(applied.code, applied.stderr).toBe(0);
    planId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(applied.stderr)?.[0] ?? '';
    expect(planId).not.toBe('');
  });

  it('plan list shows the run with its phase; -A adds the namespace', async () => {
    const list = await run(['plan', 'list', '-n', NS]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${planId}\\s+one-node\\s+Complete\\s`, 'm'));
    const all = await run(['plan', 'list', '-A']);
    expect(all.stdout).toMatch(new RegExp(`^${NS}\\s+${planId}\\s`, 'm'));
  });

  it('the 8 hex digits of the id are accepted as the id (plan status)', async () => {
    const status = await run(['plan', 'status', planId.slice(0, 8), '-n', NS, '-o', 'json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ planId, phase: 'Complete' });
  });

  it('plan cancel of a finished run is refused (exit 2), and the record stays active', async () => {
    const cancel = await run(['plan', 'cancel', planId.slice(0, 8), '-n', NS]);
    expect(cancel.code).toBe(2);
    expect(cancel.stderr).toContain('already finished (Complete)');
    const record = await cluster.client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: `sei-plan-${planId}`, namespace: NS });
    expect((record?.['data'] as Record<string, string>)['state']).toBe('active');
  });
});
