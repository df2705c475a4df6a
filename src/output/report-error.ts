/**
 * Renders a failure for a human and, in machine modes, as one metav1.Status JSON object on the
 * last stderr line so scripts can `jq -r .reason`. Writes to stderr only: stdout is data.
 */
import { ExitCode } from '../errors/exit-codes.js';
import { SeiError, isSeiError } from '../errors/sei-error.js';

export interface ErrorReportOptions {
  /** -o json|yaml|ndjson|name: end stderr with the Status JSON. */
  machine: boolean;
  write?: (text: string) => void;
}

export function toSeiError(error: unknown): SeiError {
  if (isSeiError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SeiError(`internal error: ${message}`, {
    reason: 'InternalError',
    exitCode: ExitCode.ClusterError,
    hints: ['This is a bug in kubectl-sei; rerun with DEBUG=kubectl-sei for the stack trace and report it.'],
    httpCode: 500,
    cause: error,
  });
}

export function formatHumanError(error: SeiError): string {
  const lines = [`error: ${error.message}`];
  for (const cause of error.causes) {
    const where = cause.source ? `${cause.source.file}:${cause.source.line}:${cause.source.column}: ` : '';
    lines.push(`  ${where}${cause.field}: ${cause.message}`);
  }
  for (const hint of error.hints) lines.push(`  hint: ${hint}`);
  return lines.join('\n');
}

export function reportError(error: unknown, options: ErrorReportOptions): SeiError {
  const seiError = toSeiError(error);
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  write(`${formatHumanError(seiError)}\n`);
  if (options.machine) write(`${JSON.stringify(seiError.toStatus())}\n`);
  if (seiError.reason === 'InternalError' && process.env.DEBUG?.includes('kubectl-sei') && seiError.cause instanceof Error) {
    write(`${seiError.cause.stack ?? ''}\n`);
  }
  return seiError;
}
