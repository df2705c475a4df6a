/**
 * One stop condition for every wait in src/watch: the caller's signal (Ctrl-C) or the wait's
 * --timeout, whichever comes first, recorded as why the wait ended. The timer is chained past
 * 2^31 ms (src/domain/timers.ts), so a long --timeout never fires at once.
 */
import { setLongTimeout } from '../domain/timers.js';

/** A negative timeout means "no --timeout": bounded at a week so nothing waits for ever. */
const ONE_WEEK_MS = 7 * 24 * 3_600_000;

export interface WaitDeadline {
  /** Aborted when the caller's signal aborts or the timeout passes. */
  signal: AbortSignal;
  /** The effective timeout (0 = look once). */
  timeoutMs: number;
  /** Why the wait ended, once it did. */
  ended(): 'timeout' | 'interrupted' | undefined;
  /** Marks a --timeout=0 look as done. */
  expire(): void;
  dispose(): void;
}

export function waitDeadline(signal: AbortSignal | undefined, requestedTimeoutMs: number): WaitDeadline {
  const internal = new AbortController();
  let ended: 'timeout' | 'interrupted' | undefined;
  const onAbort = () => {
    ended ??= 'interrupted';
    internal.abort();
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const timeoutMs = requestedTimeoutMs < 0 ? ONE_WEEK_MS : requestedTimeoutMs;
  const timer =
    timeoutMs > 0
      ? setLongTimeout(() => {
          ended ??= 'timeout';
          internal.abort();
        }, timeoutMs)
      : undefined;
  return {
    signal: internal.signal,
    timeoutMs,
    ended: () => ended,
    expire: () => {
      ended ??= 'timeout';
    },
    dispose: () => {
      timer?.clear();
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
