/**
 * The per-item retry state machine (seed 004): pending → running → succeeded;
 * running → failed once attempts ≥ maxAttempts; running → pending with nextAttemptAt while
 * retries remain; pending → skipped for a disabled step. An attempt is a task: the machine
 * counts tasks created, so re-deriving state after a crash (replaying the tasks found on the
 * cluster) never counts an extra attempt. Pure.
 */
import type { ItemState } from './types.js';

export interface RetryState {
  state: ItemState;
  attempts: number;
  nextAttemptAt?: number;
}

export type RetryEvent =
  | { type: 'start' }
  | { type: 'succeed' }
  /** final: the failure must not be retried whatever the policy (a tx on chain, or maybe on chain). */
  | { type: 'fail'; at: number; final?: boolean }
  | { type: 'skip' };

export interface RetryPolicy {
  maxAttempts: number;
  backoffSeconds: number;
}

export class IllegalTransition extends Error {}

export const INITIAL: RetryState = { state: 'pending', attempts: 0 };

export function transition(current: RetryState, event: RetryEvent, policy: RetryPolicy): RetryState {
  switch (event.type) {
    case 'start':
      if (current.state !== 'pending') throw new IllegalTransition(`cannot start an item that is ${current.state}`);
      return { state: 'running', attempts: current.attempts + 1 };
    case 'succeed':
      if (current.state !== 'running') throw new IllegalTransition(`cannot succeed an item that is ${current.state}`);
      return { state: 'succeeded', attempts: current.attempts };
    case 'fail':
      if (current.state !== 'running') throw new IllegalTransition(`cannot fail an item that is ${current.state}`);
      if (event.final || current.attempts >= policy.maxAttempts) return { state: 'failed', attempts: current.attempts };
      return { state: 'pending', attempts: current.attempts, nextAttemptAt: event.at + policy.backoffSeconds * 1000 };
    case 'skip':
      if (current.state !== 'pending') throw new IllegalTransition(`cannot skip an item that is ${current.state}`);
      return { state: 'skipped', attempts: current.attempts };
    default:
      return current;
  }
}

/** Whether a pending item may start now. */
export function due(current: RetryState, now: number): boolean {
  return current.state === 'pending' && (current.nextAttemptAt === undefined || current.nextAttemptAt <= now);
}
