/**
 * The one runner of the built CLI (bin/kubectl-sei → dist/bundle/cli.cjs) for e2e tests. Async
 * on purpose: the simulated cluster usually serves from the test process, so a synchronous
 * spawn would starve it. `npm test` builds first; run alone, an e2e file needs `npm run build`.
 * Every run is also held to the exit codes its command's --help lists (./exit-code-contract.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodeBreach } from './exit-code-contract.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'kubectl-sei');
export const BUILT = existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, then closed; without it stdin is /dev/null. */
  input?: string;
  /** Another program than the CLI (e.g. kubectl with the plugin on PATH); args are its argv. */
  command?: string;
  /** Called on every stderr chunk with everything so far: send a signal once a line appears. */
  onStderr?: (stderr: string, child: ChildProcess) => void;
  /** Called with every complete stdout line (e.g. kill the CLI mid-run). */
  onStdoutLine?: (line: string, child: ChildProcess) => void;
}

/** Fails with a clear message when the CLI was not built. */
export function requireBuiltCli(): void {
  if (!BUILT) throw new Error('the built CLI is missing: run `npm run build` first (npm test does)');
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const command = options.command ?? process.execPath;
    const argv = options.command ? [...args] : [BIN, ...args];
    const child = spawn(command, argv, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, CI: '1', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!options.onStdoutLine) return;
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onStdoutLine(line, child);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      // kubectl hands `kubectl sei ARGS` to the plugin with its exit code unchanged.
      const pluginArgs = !options.command ? args : basename(options.command) === 'kubectl' && args[0] === 'sei' ? args.slice(1) : undefined;
      const breach = pluginArgs ? exitCodeBreach(ROOT, pluginArgs, code) : undefined;
      if (breach) reject(new Error(`${breach}\nstderr: ${stderr}`));
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The metav1.Status JSON a machine-mode failure ends stderr with. */
export function lastStatus(stderr: string): Record<string, unknown> {
  const last = stderr.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}
