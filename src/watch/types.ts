/**
 * The watch engine's contract: follow many SeiNodeTasks with ONE watch connection per
 * namespace and selector, ending each on whichever verdict comes first.
 */
import type { KubeObject } from '../cluster/types.js';

export type WaitFor = 'ready' | 'failed' | 'terminal';

export type TaskOutcome = 'Complete' | 'Failed' | 'Timeout' | 'Deleted' | 'Interrupted';

export interface TaskVerdict {
  name: string;
  namespace: string;
  outcome: TaskOutcome;
  /** The Failed condition's reason (Timeout, ParamsBuildFailed, ...) or TaskComplete. */
  reason?: string;
  message?: string;
  /** The last observed object. */
  object?: KubeObject;
  durationMs: number;
}

export interface WaitRequest {
  namespace: string;
  /** Names to follow; with labelSelector, every matching task is followed. */
  names?: string[];
  labelSelector?: string;
  for: WaitFor;
  /** 0 = check once; negative = one week, as kubectl wait. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Terminal conditions count only once status.observedGeneration >= this generation. */
  minGeneration?: Record<string, number>;
  /** Every observed object, for NDJSON and progress. */
  onObject?: (object: KubeObject) => void;
  /** Each verdict as soon as it is known. */
  onVerdict?: (verdict: TaskVerdict) => void;
}
