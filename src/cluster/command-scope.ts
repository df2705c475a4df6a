/**
 * The life of one command: its --timeout and Ctrl-C / SIGTERM end every request and watch of
 * the process, whatever it is waiting for (a server that accepts connections and never answers
 * included). The reason given to endCommand is what the pending calls throw, so the command
 * exits with its code (3 for the timeout, 130 for an interrupt).
 */
import { SeiError } from '../errors/sei-error.js';
import { setLongTimeout, type LongTimer } from '../domain/timers.js';

let scope = new AbortController();

export function commandSignal(): AbortSignal {
  return scope.signal;
}

/** The error pending calls throw once the command ended, or undefined while it runs. */
export function commandEnded(): SeiError | undefined {
  if (!scope.signal.aborted) return undefined;
  const reason: unknown = scope.signal.reason;
  return reason instanceof SeiError ? reason : interruptedError();
}

export function endCommand(reason: SeiError): void {
  if (!scope.signal.aborted) scope.abort(reason);
}

export function interruptedError(what = 'the command'): SeiError {
  return SeiError.interrupted(`interrupted: ${what} stopped (Ctrl-C or SIGTERM); tasks already created keep running`);
}

/**
 * Bounds the whole command by --timeout: after `ms` (plus `graceMs` for the command's own
 * verdict to be reported first) every pending request and watch ends with a Timeout (exit 3).
 */
export function commandDeadline(ms: number | undefined, message: string, graceMs = 1_000): LongTimer {
  if (ms === undefined || ms <= 0 || !Number.isFinite(ms)) return { clear: () => undefined };
  // Unref'd: a command that finished in time exits without waiting for it.
  return setLongTimeout(() => endCommand(SeiError.timeout(message)), ms + graceMs, { unref: true });
}

/** Tests run many commands in one process. */
export function resetCommandScope(): void {
  scope = new AbortController();
}
