// Timers past Node's 2^31-1 ms limit (issue 13, defect 5): setTimeout fires such a delay at once,
// so `--timeout 597h` timed out immediately and a huge retry backoff became a busy loop.
// Fake timers: the test advances a virtual clock, nothing waits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, clampDelay, setLongTimeout } from '../../src/domain/timers.js';

describe('setLongTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits out 597 hours (past 2^31 ms) instead of firing at once', () => {
    const fired = vi.fn();
    const ms = 597 * 3600_000;
    expect(ms).toBeGreaterThan(MAX_TIMER_MS);
    setLongTimeout(fired, ms);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(ms - MAX_TIMER_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    // Chained in a handful of steps, not a busy loop.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a short delay behaves as setTimeout; clear stops it; Infinity never fires', () => {
    const fired = vi.fn();
    setLongTimeout(fired, 10);
    vi.advanceTimersByTime(10);
    expect(fired).toHaveBeenCalledTimes(1);
    const cleared = vi.fn();
    setLongTimeout(cleared, MAX_TIMER_MS * 3).clear();
    vi.advanceTimersByTime(MAX_TIMER_MS * 3);
    expect(cleared).not.toHaveBeenCalled();
    const never = vi.fn();
    setLongTimeout(never, Number.POSITIVE_INFINITY);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clampDelay keeps a backoff within one timer', () => {
    expect(clampDelay(2 ** 40)).toBe(MAX_TIMER_MS);
    expect(clampDelay(-5)).toBe(0);
    expect(clampDelay(1500)).toBe(1500);
  });
});

// Every wait in src/watch (task waits, and the node-plan / workflow follower that had a plain
// setTimeout) ends through waitDeadline: a 597 h --timeout must not end the wait at once.
describe('waitDeadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a --timeout past 2^31 ms aborts only when it has passed, as a timeout', async () => {
    const { waitDeadline } = await import('../../src/watch/wait-deadline.js');
    const ms = 597 * 3600_000;
    const deadline = waitDeadline(undefined, ms);
    vi.advanceTimersByTime(MAX_TIMER_MS + 1);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(ms - MAX_TIMER_MS - 1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.ended()).toBe('timeout');
    deadline.dispose();
  });

  it("the caller's signal ends it as interrupted, and dispose leaves no timer behind", async () => {
    const { waitDeadline } = await import('../../src/watch/wait-deadline.js');
    const caller = new AbortController();
    const deadline = waitDeadline(caller.signal, 30_000);
    caller.abort();
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.ended()).toBe('interrupted');
    deadline.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});
