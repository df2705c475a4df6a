/**
 * The sim's clock: what "now" is and how a reconcile is scheduled for later. Every simulated
 * time (creationTimestamp, pod readiness, chain height, task timeouts) reads it, so a test can
 * start the sim on a manual clock and advance time instead of sleeping. Watch bookmarks and
 * socket timeouts are transport concerns and keep the real clock.
 */

export interface SimClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once `ms` of this clock's time has passed; returns a cancel function. */
  schedule(callback: () => void, ms: number): () => void;
}

/** Node.js caps timers at 2^31-1 ms; longer waits are re-armed when they fire. */
const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: SimClock = {
  now: () => Date.now(),
  schedule(callback, ms) {
    const handle = setTimeout(callback, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
    return () => clearTimeout(handle);
  },
};

export interface ManualClock extends SimClock {
  /** Moves time forward and runs every callback that falls due, earliest first. */
  advance(ms: number): void;
  /** Callbacks waiting for their time. */
  pending(): number;
}

/** A clock that only moves when told to: deterministic tests of timeouts and heights. */
export function manualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let current = startMs;
  let sequence = 0;
  const due = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => current,
    schedule(callback, ms) {
      const id = sequence++;
      due.set(id, { at: current + Math.max(0, ms), callback });
      return () => due.delete(id);
    },
    advance(ms) {
      const target = current + Math.max(0, ms);
      for (;;) {
        let next: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of due) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
        if (!next) break;
        due.delete(next[0]);
        current = Math.max(current, next[1].at);
        next[1].callback();
      }
      current = target;
    },
    pending: () => due.size,
  };
}
