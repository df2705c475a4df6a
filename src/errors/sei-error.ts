/**
 * The one error type of kubectl-sei. It carries what a user or a script needs: a machine
 * reason (the task's Failed reason or the API's Status reason), a message, next steps and the
 * exit code. Anything thrown that is not a SeiError is a bug and is reported as such.
 * It must never carry credentials: messages are built from our own words and API Status
 * messages, never from raw HTTP errors (client-node's ApiException dumps headers).
 */
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** One problem with one field, in the shape of a metav1.StatusCause plus a source position. */
export interface FieldCause {
  /** JSON-path-like field path as the apiserver prints it, e.g. `spec.restartPod.podUID`. */
  field: string;
  /** metav1.CauseType, e.g. FieldValueRequired, FieldValueInvalid, FieldValueNotSupported. */
  type?: string;
  message: string;
  /** Where the field is in the user's file, when known. */
  source?: { file: string; line: number; column: number };
}

export interface SeiErrorOptions {
  reason: string;
  exitCode: ExitCodeValue;
  /** What the user can do next; one short imperative line each. */
  hints?: string[];
  causes?: FieldCause[];
  /** HTTP status code for the metav1.Status rendering (422 for invalid, 409 conflict, ...). */
  httpCode?: number;
  cause?: unknown;
}

export class SeiError extends Error {
  readonly reason: string;
  readonly exitCode: ExitCodeValue;
  readonly hints: string[];
  readonly causes: FieldCause[];
  readonly httpCode: number | undefined;

  constructor(message: string, options: SeiErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SeiError';
    this.reason = options.reason;
    this.exitCode = options.exitCode;
    this.hints = options.hints ?? [];
    this.causes = options.causes ?? [];
    this.httpCode = options.httpCode;
  }

  static invalid(message: string, causes: FieldCause[] = [], hints: string[] = []): SeiError {
    return new SeiError(message, { reason: 'Invalid', exitCode: ExitCode.InvalidInput, causes, hints, httpCode: 422 });
  }

  static preflight(reason: string, message: string, hints: string[] = []): SeiError {
    return new SeiError(message, { reason, exitCode: ExitCode.InvalidInput, hints });
  }

  static cluster(reason: string, message: string, hints: string[] = [], httpCode?: number): SeiError {
    return new SeiError(message, { reason, exitCode: ExitCode.ClusterError, hints, httpCode });
  }

  static timeout(message: string, hints: string[] = []): SeiError {
    return new SeiError(message, { reason: 'Timeout', exitCode: ExitCode.Timeout, hints, httpCode: 504 });
  }

  /**
   * Ctrl-C while waiting: what keeps running is left alone, the hint says how to re-attach.
   * 499: the client went away before the answer (no apiserver code fits a local Ctrl-C).
   */
  static interrupted(message: string, hints: string[] = []): SeiError {
    return new SeiError(message, { reason: 'Interrupted', exitCode: ExitCode.Interrupted, hints, httpCode: 499 });
  }

  static taskFailed(reason: string, message: string, hints: string[] = []): SeiError {
    // 424 Failed Dependency: the request was fine, the task it waited for failed (not a 500).
    return new SeiError(message, { reason, exitCode: ExitCode.TaskFailed, hints, httpCode: 424 });
  }

  /** The metav1.Status object printed as the last stderr line in machine-output modes. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.causes.length > 0 ? { details: { causes: this.causes.map(({ field, type, message }) => ({ field, reason: type, message })) } } : {}),
      code: this.httpCode ?? 500,
    };
  }
}

export function isSeiError(error: unknown): error is SeiError {
  return error instanceof SeiError;
}
