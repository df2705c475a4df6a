/**
 * The life of one command: its --timeout and Ctrl-C / SIGTERM end every request and watch of
 * the process, whatever it is waiting for (a server that accepts connections and never answers
 * included). The reason given to endCommand is what the pending calls throw, so the command
 * exits with its code (3 for the timeout, 130 for an interrupt).
 */
import { SeiError } from '../errors/sei-error.js';
import { ExitCode } from '../errors/exit-codes.js';
import { setLongTimeout, type LongTimer } from '../domain/timers.js';

let scope = new AbortController();
let deadlines = 0;

/**
 * The API trouble going on right now (since the last answer), so a command that ends at its
 * --timeout during an outage says what was happening instead of a bare "timed out".
 */
let outage: { what: string; since: number } | undefined;

/** A request or watch failed in a way that is retried: `what` says so as a clause ("the API server answered 503"). */
export function noteApiTrouble(what: string): void {
  outage = { what, since: outage?.since ?? Date.now() };
}

/** The API server answered (2xx, or a stream delivered events): any outage is over. */
export function noteApiAnswered(): void {
  outage = undefined;
}

/** A --timeout (exit 3) that ended during an outage, with the outage named; other errors as they are. */
export function withOutageExplained<T>(error: T): T | SeiError {
  if (!outage || !(error instanceof SeiError) || error.exitCode !== ExitCode.Timeout) return error;
  const seconds = Math.max(1, Math.round((Date.now() - outage.since) / 1000));
  return new SeiError(`${error.message}; for the last ${seconds} s ${outage.what}`, {
    reason: error.reason,
    exitCode: error.exitCode,
    hints: [...error.hints, 'check the API server (kubectl get --raw /readyz): the command retried the outage until --timeout'],
    causes: error.causes,
    ...(error.httpCode === undefined ? {} : { httpCode: error.httpCode }),
    cause: error,
  });
}

/**
 * A command bounded by --timeout keeps retrying an API outage (5xx, 429, dropped or refused
 * connections of a server it reached before) until that timeout, instead of giving up after a
 * fixed number of attempts: an 8–14 s restart of the API server must not end a 30 min wait.
 */
export function commandHasDeadline(): boolean {
  return deadlines > 0;
}

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
  deadlines++;
  // Unref'd: a command that finished in time exits without waiting for it.
  const timer = setLongTimeout(() => endCommand(SeiError.timeout(message)), ms + graceMs, { unref: true });
  let cleared = false;
  return {
    clear: () => {
      if (!cleared) deadlines--;
      cleared = true;
      timer.clear();
    },
  };
}

/** Tests run many commands in one process. */
export function resetCommandScope(): void {
  scope = new AbortController();
  deadlines = 0;
  outage = undefined;
}
