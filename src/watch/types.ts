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
  /** Whether the outcome is what `for` asked for (Complete for ready, Failed for failed, either for terminal). */
  satisfied?: boolean;
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
  /**
   * Names absent from the first list are awaited until the timeout (GitOps: the object appears
   * after a sync). Default false: an absent name is a verdict at once (outcome Deleted, reason
   * NotFound), as kubectl wait errors on a missing object.
   */
  awaitCreation?: boolean;
  /** Each verdict as soon as it is known. */
  onVerdict?: (verdict: TaskVerdict) => void;
}
