/**
 * Issue 12, "kubectl's habits": help texts that state each summary once and list only the exit
 * codes that command can return. Every command of the built bundle's COMMANDS table is rendered
 * with `--help` through the bundle's own front door (main), in this process: the same code path
 * as `kubectl sei CMD --help`, 44 helps in well under a second instead of 44 process starts.
 * That exit codes a command declares are really the ones it returns is held by every e2e run
 * (test/support/exit-code-contract.ts) and by the runs at the end of this file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, type CommandExitCode } from '../../src/errors/exit-codes.js';
import { ROOT, requireBuiltCli, runCli } from '../support/cli.js';
import { exitCodeBreach } from '../support/exit-code-contract.js';

interface CommandClass {
  summary?: string;
  description?: string;
  exitCodes?: readonly CommandExitCode[];
}

interface Bundle {
  COMMANDS: Record<string, CommandClass>;
  main(commands: unknown, dir: string, argv: readonly string[]): Promise<void>;
}

const EXIT_CODES = new Set<number>(Object.values(ExitCode));
const help = new Map<string, string>();
let commands: Record<string, CommandClass> = {};

/** What `kubectl sei ARGS` prints on stdout, run through the bundle in this process. */
async function stdoutOf(bundle: Bundle, args: readonly string[]): Promise<string> {
  let text = '';
  // oclif prints help with console.log (which the test runner takes over) rather than stdout.write.
  const log = console.log;
  const write = process.stdout.write.bind(process.stdout);
  console.log = (...parts: unknown[]) => void (text += `${format(...parts)}\n`);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    // As bin/kubectl-sei calls it: oclif finds the package from the URL of its package.json.
    await bundle.main(bundle.COMMANDS, pathToFileURL(join(ROOT, 'package.json')).href, args);
  } finally {
    console.log = log;
    process.stdout.write = write;
  }
  return text;
}

/** The codes of a help's EXIT CODES section, in the order shown. */
function listedCodes(text: string): number[] {
  const section = /^EXIT CODES\n((?:[ \t]+.*\n?)*)/m.exec(text)?.[1] ?? '';
  return [...section.matchAll(/^ {2}(\d+) +\S/gm)].map((match) => Number(match[1]));
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ');

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

beforeAll(async () => {
  requireBuiltCli();
  const bundle = createRequire(import.meta.url)(join(ROOT, 'dist', 'bundle', 'cli.cjs')) as Bundle;
  commands = bundle.COMMANDS;
  for (const id of Object.keys(commands)) help.set(id, await stdoutOf(bundle, [...id.split(':'), '--help']));
});

describe('every command in the COMMANDS table', () => {
  it('is rendered (the table is complete)', () => {
    expect(help.size).toBeGreaterThanOrEqual(40);
    for (const [id, text] of help) expect(text, id).toMatch(/^USAGE$/m);
  });

  it('declares its exit codes: known codes, each with a meaning, 0 and 2 always (a flag oclif cannot parse is exit 2)', () => {
    for (const [id, command] of Object.entries(commands)) {
      const declared = command.exitCodes ?? [];
      const codes = declared.map((entry) => entry.code);
      expect(codes, id).toContain(ExitCode.Ok);
      expect(codes, id).toContain(ExitCode.InvalidInput);
      for (const entry of declared) {
        expect(EXIT_CODES.has(entry.code), `${id}: ${entry.code}`).toBe(true);
        expect(entry.meaning.trim().length, `${id}: meaning of ${entry.code}`).toBeGreaterThan(3);
      }
      expect(codes, id).toEqual([...codes].sort((a, b) => a - b));
    }
  });

  it('--help lists exactly the codes it declares, in one EXIT CODES section', () => {
    for (const [id, text] of help) {
      expect(occurrences(text, 'EXIT CODES'), `${id}: EXIT CODES sections`).toBe(1);
      expect(listedCodes(text), id).toEqual((commands[id]?.exitCodes ?? []).map((entry) => entry.code));
    }
  });

  it('--help states the summary exactly once, and the description does not repeat it', () => {
    for (const [id, text] of help) {
      const summary = commands[id]?.summary;
      expect(summary, `${id} has a summary`).toBeTruthy();
      expect(occurrences(oneLine(text), oneLine(summary!)), id).toBe(1);
      expect(text.startsWith(`${summary}\n`), `${id}: the summary heads the help`).toBe(true);
      expect(oneLine(commands[id]?.description ?? ''), id).not.toContain(oneLine(summary!));
    }
  });

  it('the oclif manifest carries the same exit codes as the commands (help read from the manifest agrees)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { exitCodes?: CommandExitCode[]; summary?: string }> };
    expect(Object.keys(manifest.commands).sort()).toEqual(Object.keys(commands).sort());
    for (const [id, command] of Object.entries(commands)) {
      expect(manifest.commands[id]?.exitCodes, id).toEqual(command.exitCodes);
      expect(manifest.commands[id]?.summary, id).toBe(command.summary);
    }
  });
});

describe('what the code paths allow', () => {
  it('commands that only read list 0, 2 and 4: no verdict to fail, no --timeout, no wait to interrupt', () => {
    for (const id of ['node:get', 'node:describe', 'task:get', 'task:describe', 'workflow:get', 'workflow:describe', 'plan:list', 'plan:status', 'task:delete', 'workflow:delete', 'plan:approve', 'plan:cancel']) {
      expect(codes(id), id).toEqual([0, 2, 4]);
    }
  });

  it('offline commands never list a cluster error', () => {
    for (const id of ['task:render', 'workflow:render', 'workflow:validate', 'gitops:health', 'completion', 'version', 'sim:serve']) expect(codes(id), id).toEqual([0, 2]);
  });

  it('waits list Failed (1), timeout (3) and Ctrl-C/SIGTERM (130)', () => {
    for (const id of ['task:wait', 'task:apply', 'task:restart-pod', 'task:refresh-peers', 'node:wait', 'workflow:wait', 'workflow:apply', 'workflow:state-sync', 'gitops:wait', 'plan:apply', 'plan:resume']) {
      expect(codes(id), id).toEqual([0, 1, 2, 3, 4, 130]);
    }
  });

  it('plan apply says what its 3 means beyond a timeout: a run waiting for approval', () => {
    expect(oneLine(help.get('plan:apply') ?? '')).toMatch(/3 not finished: --timeout expired, or the run waits for approval \(reason WaitingApproval\)/);
  });
});

describe('a declared code is one the command really returns', () => {
  // Runs of the built binary; runCli also fails any run whose code its command does not declare.
  it('node get against an unreachable API server: 4, listed by its help', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'help-exit-codes-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: sei}}]
current-context: x
`);
    const run = await runCli(['node', 'get', '--kubeconfig', kubeconfig]);
    expect(run.code, run.stderr).toBe(ExitCode.ClusterError);
    expect(codes('node:get')).toContain(ExitCode.ClusterError);
  });

  it('task render of an unknown kind: 2, listed by its help', async () => {
    const run = await runCli(['task', 'render', 'no-such-kind', '--node', 'node-0']);
    expect(run.code, run.stderr).toBe(ExitCode.InvalidInput);
    expect(codes('task:render')).toContain(ExitCode.InvalidInput);
  });

  it('sim serve with a --kubeconfig-out it cannot write: 2 (was an internal error, exit 4, which its help does not list)', async () => {
    // A path under a regular file cannot be created, whoever runs the test (root included).
    const dir = mkdtempSync(join(tmpdir(), 'help-exit-codes-'));
    writeFileSync(join(dir, 'file'), '');
    const run = await runCli(['sim', 'serve', '--kubeconfig-out', join(dir, 'file', 'kubeconfig')]);
    expect(run.code, run.stderr).toBe(ExitCode.InvalidInput);
    expect(run.stderr).toMatch(/cannot write the kubeconfig to .*file\/kubeconfig \((ENOTDIR|EEXIST)\)/);
  });

  it('version with an unknown -o: 2 (a parse error), listed by its help', async () => {
    const run = await runCli(['version', '-o', 'xml']);
    expect(run.code).toBe(ExitCode.InvalidInput);
    expect(codes('version')).toEqual([0, 2]);
  });

  it('the check every e2e run passes through refuses a code the help does not list', () => {
    expect(exitCodeBreach(ROOT, ['node', 'get'], ExitCode.Timeout)).toMatch(/node get exited 3, which its --help does not list \(EXIT CODES: 0, 2, 4\)/);
    expect(exitCodeBreach(ROOT, ['-n', 'sei', 'task', 'wait', 'my-task', '--timeout', '1s'], ExitCode.Timeout)).toBeUndefined();
    expect(exitCodeBreach(ROOT, ['--context', 'prod', 'task', 'get', 'x'], ExitCode.Interrupted)).toMatch(/task get exited 130/);
    expect(exitCodeBreach(ROOT, ['tsk', 'get'], ExitCode.InvalidInput)).toBeUndefined();
  });
});

function codes(id: string): number[] {
  return listedCodes(help.get(id) ?? '');
}
