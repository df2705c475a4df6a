// kubectl's habits, each through the built plugin (and completion through the real kubectl's
// `__complete` with kubectl_complete-sei on PATH) against the simulated cluster.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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

function env(): NodeJS.ProcessEnv {
  return { ...process.env, CI: '1', PATH: `${pathDir}${delimiter}${process.env.PATH ?? ''}`, KUBECONFIG: cluster.kubeconfig };
}

function run(args: string[], options: { command?: string; onStdout?: (text: string, child: ChildProcess) => void; extraEnv?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command ?? BIN, args, { cwd: cluster.dir, env: { ...env(), ...options.extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    // Held to the exit codes the command's --help lists, as every runCli run is (kubectl passes the plugin's code on).
    const pluginArgs = !options.command ? args : options.command === KUBECTL && args[0] === 'sei' ? args.slice(1) : undefined;
    child.on('close', (code) => {
      const breach = pluginArgs ? exitCodeBreach(ROOT, pluginArgs, code) : undefined;
      if (breach) reject(new Error(`${breach}\nstderr: ${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** `kubectl __complete sei WORD…`: what kubectl's shell completion would offer. */
async function completions(...words: string[]): Promise<string[]> {
  const result = await run(['__complete', 'sei', ...words], { command: KUBECTL });
  expect(result.code).toBe(0);
  return result.stdout.trimEnd().split('\n').filter((line) => !line.startsWith(':')).map((line) => line.split('\t')[0]!);
}

let discovered: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('run `npm run build` first: these tests run the built bin/kubectl-sei');
  cluster = await startTestCluster();
  pathDir = mkdtempSync(join(tmpdir(), 'sei-habits-path-'));
  symlinkSync(BIN, join(pathDir, 'kubectl-sei'));
  symlinkSync(join(ROOT, 'bin', 'kubectl_complete-sei'), join(pathDir, 'kubectl_complete-sei'));
  const first = await run(['task', 'discover-peers', 'node-1', '-n', NS, '-o', 'name']);
  expect(first.code).toBe(0);
  discovered = first.stdout.trim().replace('seinodetask.sei.io/', '');
  expect((await run(['task', 'discover-peers', 'node-2', '-n', NS, '-o', 'name'])).code).toBe(0);
});

afterAll(async () => {
  await cluster?.sim.stop();
});

describe('task get: kubectl get\'s printers and filters', () => {
  it('-o jsonpath with range, and jsonpath-file', async () => {
    const template = '{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}';
    const inline = await run(['task', 'get', '-n', NS, '-o', `jsonpath=${template}`]);
    expect(inline.code).toBe(0);
    expect(inline.stdout).toContain(`${discovered}\tComplete\n`);
    const file = join(cluster.dir, 'names.jsonpath');
    writeFileSync(file, template);
    const fromFile = await run(['task', 'get', '-n', NS, '-o', `jsonpath-file=${file}`]);
    expect(fromFile.stdout).toBe(inline.stdout);
    const single = await run(['task', 'get', discovered, '-n', NS, '-o', 'jsonpath={.spec.target.nodeRef.name}']);
    expect(single.stdout).toBe('node-1');
  });

  it('-o custom-columns and custom-columns-file, --no-headers, --sort-by', async () => {
    const columns = await run(['task', 'get', '-n', NS, '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.target.nodeRef.name,MISSING:.status.nothing', '--sort-by', '.spec.target.nodeRef.name']);
    expect(columns.code).toBe(0);
    const lines = columns.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+NODE\s+MISSING$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[1])).toEqual(['node-1', 'node-2']);
    expect(lines[1]).toMatch(/<none>$/);
    const file = join(cluster.dir, 'columns.txt');
    writeFileSync(file, 'NAME NODE\n.metadata.name .spec.target.nodeRef.name\n');
    const fromFile = await run(['task', 'get', '-n', NS, '-o', `custom-columns-file=${file}`, '--no-headers', '--sort-by=.spec.target.nodeRef.name']);
    expect(fromFile.stdout.trimEnd().split('\n').map((line) => line.split(/\s+/)[1])).toEqual(['node-1', 'node-2']);
    const table = await run(['task', 'get', '-n', NS, '--no-headers']);
    expect(table.stdout).not.toMatch(/^NAME/m);
  });

  it('--show-labels adds a LABELS column; --field-selector filters on the server', async () => {
    const labels = await run(['task', 'get', '-n', NS, '--show-labels']);
    expect(labels.stdout.split('\n')[0]).toMatch(/\sLABELS$/);
    expect(labels.stdout).toContain('sei.io/node=node-1');
    const field = await run(['task', 'get', '-n', NS, '--field-selector', `metadata.name=${discovered}`, '-o', 'name']);
    expect(field.stdout).toBe(`seinodetask.sei.io/${discovered}\n`);
  });

  it('-o yaml leaves managedFields out unless --show-managed-fields', async () => {
    const plain = await run(['task', 'get', discovered, '-n', NS, '-o', 'yaml']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('managedFields');
    const full = await run(['task', 'get', discovered, '-n', NS, '-o', 'yaml', '--show-managed-fields']);
    expect(full.stdout).toContain('managedFields');
  });

  it('-w prints the list, then each new task as it appears, until Ctrl-C', async () => {
    let started: Promise<Run> | undefined;
    const watched = await run(['task', 'get', '-n', NS, '-w'], {
      onStdout: (text, child) => {
        // The list is out: only now create the task the watch must report.
        started ??= run(['task', 'discover-peers', 'node-0', '-n', NS, '--name', 'watched-task', '--no-wait']);
        if (text.includes('watched-task')) child.kill('SIGINT');
      },
    });
    expect(watched.stdout.split('\n')[0]).toMatch(/^NAME\s/);
    expect(watched.stdout).toContain(discovered);
    expect(watched.stdout).toMatch(/^watched-task\s+DiscoverPeers/m);
    expect((await started)?.code).toBe(0);
  });
});

describe('task wait: kubectl wait\'s spellings', () => {
  it('--for=condition=Ready and --all', async () => {
    const ready = await run(['task', 'wait', discovered, '-n', NS, '--for=condition=Ready']);
    expect(ready.code).toBe(0);
    const all = await run(['task', 'wait', '--all', '-n', NS, '--for', 'condition=Ready', '--timeout', '2m']);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain(`✔ ${discovered}`);
    const failed = await run(['task', 'wait', discovered, '-n', NS, '--for=condition=Failed', '--timeout', '0']);
    expect(failed.code).toBe(1);
  });

  it('--for=delete ends when the task is gone', async () => {
    expect((await run(['task', 'discover-peers', 'node-2', '-n', NS, '--name', 'to-delete'])).code).toBe(0);
    const [waited, deleted] = await Promise.all([run(['task', 'wait', 'to-delete', '-n', NS, '--for=delete', '--timeout', '2m']), run(['task', 'delete', 'to-delete', '-n', NS])]);
    expect(deleted.code).toBe(0);
    expect(waited.code).toBe(0);
    expect(waited.stderr).toContain('seinodetask.sei.io/to-delete condition met');
  });
});

describe('-v=N: kubectl\'s HTTP log, credentials masked', () => {
  const token = () => /token: (\S+)/.exec(readFileSync(cluster.kubeconfig, 'utf8'))?.[1] ?? 'no-token';

  it('-v=6 logs method, URL, status and duration', async () => {
    const result = await run(['-v=6', 'task', 'get', '-n', NS, '-o', 'name']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/GET https:\/\/127\.0\.0\.1:\d+\/apis\/sei\.io\/v1alpha1\/namespaces\/sei\/seinodetasks\S* 200 OK in \d+ milliseconds/);
    expect(result.stderr).not.toContain('Authorization');
  });

  it('--v 8 adds headers with the bearer token masked; --v=9 bodies; the token never appears', async () => {
    const eight = await run(['task', 'get', '-n', NS, '--v', '8', '-o', 'name']);
    expect(eight.stderr).toContain('Authorization: Bearer <masked>');
    expect(eight.stderr).not.toContain('Response Body');
    const nine = await run(['task', 'get', '-n', NS, '--v=9', '-o', 'name']);
    expect(nine.stderr).toContain('Response Body: {');
    expect(token().length).toBeGreaterThan(8);
    expect(`${eight.stderr}${nine.stderr}`).not.toContain(token());
  });
});

describe('version', () => {
  it('prints version, commit and build date, and -o json', async () => {
    const human = await run(['version']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^kubectl-sei v\d+\.\d+\.\d+ \(commit [0-9a-f]{12}/);
    const json = JSON.parse((await run(['version', '-o', 'json'])).stdout) as { clientVersion: Record<string, string> };
    expect(json.clientVersion).toMatchObject({ version: expect.stringMatching(/^v\d/), gitCommit: expect.stringMatching(/^[0-9a-f]{40}$/), buildDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });
});

describe('colour', () => {
  // Asynchronous: the simulated cluster runs in this process and must keep answering.
  const ptyRun = (before: string, after = ''): Promise<{ code: number | null; tty: string }> => {
    const environment = { ...env() };
    delete environment['CI'];
    const inner = `stty cols 120 rows 40; ${before} '${BIN}' task restart-pod node-0 -n ${NS} --kubeconfig '${cluster.kubeconfig}' ${after}`;
    return new Promise((resolve, reject) => {
      const child = spawn('/usr/bin/script', ['-qec', inner, '/dev/null'], { env: environment, stdio: ['pipe', 'pipe', 'pipe'] });
      let tty = '';
      child.stdout.on('data', (chunk: Buffer) => (tty += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, tty }));
    });
  };
  it.skipIf(!existsSync('/usr/bin/script'))('a terminal gets colour; NO_COLOR and --no-color take it away', async () => {
    const sgr = /\u001b\[(3\d|9\d)m/;
    const coloured = await ptyRun('');
    expect(coloured.code).toBe(0);
    expect(coloured.tty).toMatch(sgr);
    for (const [before, after] of [['NO_COLOR=1', ''], ['', '--no-color']] as const) {
      const plain = await ptyRun(before, after);
      expect(plain.code).toBe(0);
      expect(plain.tty).toContain('✔');
      expect(plain.tty).not.toMatch(sgr);
    }
  });
});

describe('completion', () => {
  it('kubectl sei <TAB> through kubectl\'s __complete: commands, subcommands, flags, enum values', async () => {
    expect(await completions('')).toEqual(expect.arrayContaining(['task', 'plan', 'kinds', 'version', 'completion']));
    expect(await completions('task', 'ge')).toEqual(['get']);
    expect(await completions('task', 'restart-pod', 'node-0', '--dry')).toEqual(['--dry-run']);
    expect(await completions('task', 'restart-pod', 'node-0', '--dry-run', '')).toEqual(['client', 'server']);
    expect(await completions('task', 'get', '-o', 'js')).toEqual(['json', 'jsonpath=', 'jsonpath-file=']);
  });

  it('names from the cluster: nodes, tasks, kinds', async () => {
    expect(await completions('task', 'restart-pod', 'node-')).toEqual(['node-0', 'node-1', 'node-2']);
    expect(await completions('task', 'describe', '-n', NS, discovered.slice(0, 12))).toContain(discovered);
    expect(await completions('task', 'render', 'gov-')).toEqual(['gov-param-change', 'gov-software-upgrade', 'gov-vote']);
    // `name` means a SeiNode under `node`, a SeiNodeTask under `task`.
    expect(await completions('node', 'describe', '-n', NS, 'node-')).toEqual(['node-0', 'node-1', 'node-2']);
  });

  it.each(['bash', 'zsh', 'fish'])('completion %s prints a script', async (shell) => {
    const result = await run(['completion', shell]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('kubectl-sei __complete');
    if (shell === 'bash') expect(spawnSync('bash', ['-n'], { input: result.stdout }).status).toBe(0);
  });
});
