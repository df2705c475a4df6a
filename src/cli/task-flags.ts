/**
 * Flags and small helpers shared by the `task` commands: -o, --timeout and the Ctrl-C contract
 * (how a wait ends is ./finish-wait.ts). Imports only @oclif/core and light modules: services
 * are loaded lazily inside each run().
 */
import * as Flags from '@oclif/core/flags';
import { ExitCode } from '../errors/exit-codes.js';
import type { KubeObject } from '../cluster/types.js';
import { commandDeadline, endCommand, interruptedError } from '../cluster/command-scope.js';

/** -o with its formats as the flag's type (no cast at the use). */
export const outputFlag = <const T extends readonly string[]>(formats: T, description?: string) =>
  Flags.option({
    char: 'o',
    description: description ?? `Output format: ${formats.join('|')}. Machine formats end a failure with a metav1.Status JSON line on stderr.`,
    options: formats,
  })();

export const timeoutFlag = (fallback: string) =>
  Flags.string({
    description: `How long to wait (kubectl duration: 30s, 5m, 1h; 0 checks once; negative waits a week). ${fallback}`,
  });

/** Exit code on Ctrl-C while waiting: 128 + SIGINT, what a shell reports for an interrupted kubectl wait. */
export const INTERRUPTED_EXIT = ExitCode.Interrupted;

/**
 * Ctrl-C handling. Before the wait is armed (render, preflight, the write), Ctrl-C exits at once
 * with 130, as any command would. While waiting (armed), the first Ctrl-C aborts the signal so
 * the caller can say how to re-attach (the task keeps running); a second one exits at once.
 * With `deadline`, --timeout also bounds the whole command until dispose, requests to a server
 * that never answers included (command-scope.ts commandDeadline: exit 3 with `message`).
 */
export function interruptSignal(deadline?: { ms: number; message: string }): { signal: AbortSignal; arm(on: boolean): void; dispose: () => void } {
  const bound = deadline ? commandDeadline(deadline.ms, deadline.message) : undefined;
  const controller = new AbortController();
  let armed = false;
  let backstop: NodeJS.Timeout | undefined;
  const onSignal = (): void => {
    if (!armed || controller.signal.aborted) {
      process.stderr.write('\ninterrupted\n');
      process.exit(INTERRUPTED_EXIT);
    }
    controller.abort();
    // The command reports its own way out first; whatever is still pending after that (a
    // request to a server that never answers) is ended so SIGTERM always ends the command.
    backstop = setTimeout(() => endCommand(interruptedError()), 2_000);
    backstop.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    arm: (on) => {
      armed = on;
    },
    dispose: () => {
      bound?.clear();
      if (backstop) clearTimeout(backstop);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export { writeStdout } from './stdout.js';

export function ndjsonWriter(): (object: KubeObject) => void {
  return (object) => process.stdout.write(`${JSON.stringify(object)}\n`);
}

/** A duration as --timeout takes it: 90s, 11m, 2h. */
export function timeoutText(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds % 3600 === 0 && seconds > 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0 && seconds > 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** The flags the re-attach line needs to reach the same cluster and wait as long as this run did. */
export function reattachFlags(flags: { kubeconfig?: string; context?: string; cluster?: string; user?: string; as?: string }, timeoutMs?: number): string[] {
  const out: string[] = [];
  for (const name of ['kubeconfig', 'context', 'cluster', 'user', 'as'] as const) {
    const value = flags[name];
    if (value !== undefined) out.push(`--${name}`, /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);
  }
  // task wait waits 30s by default: a longer wait must be asked for.
  if (timeoutMs !== undefined && timeoutMs > 30_000) out.push('--timeout', timeoutText(timeoutMs));
  return out;
}
