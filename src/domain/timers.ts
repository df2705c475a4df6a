/**
 * Timers that mean what they say however long: Node's setTimeout fires at once (with a warning)
 * for delays past 2^31-1 ms (~24.8 days), so `--timeout 597h` used to time out immediately and
 * a huge backoff became a busy loop. Long delays are chained in steps below the limit.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

/** setTimeout for any finite non-negative delay; Infinity or NaN never fires. */
export function setLongTimeout(callback: () => void, ms: number, options: { unref?: boolean } = {}): LongTimer {
  let handle: NodeJS.Timeout | undefined;
  let cleared = false;
  if (!Number.isFinite(ms)) return { clear: () => undefined };
  const due = Date.now() + Math.max(0, ms);
  const arm = (): void => {
    const left = due - Date.now();
    if (left > MAX_TIMER_MS) handle = setTimeout(arm, MAX_TIMER_MS);
    else handle = setTimeout(() => !cleared && callback(), Math.max(0, left));
    if (options.unref) handle.unref();
  };
  arm();
  return {
    clear: () => {
      cleared = true;
      if (handle) clearTimeout(handle);
    },
  };
}

/** A delay clamped to what one setTimeout can wait (for backoffs that are retried anyway). */
export function clampDelay(ms: number): number {
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_TIMER_MS) : MAX_TIMER_MS;
}
