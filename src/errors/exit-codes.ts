/**
 * The exit-code contract of every kubectl-sei command. Scripts depend on these numbers;
 * they are shown in `--help` and the README and must never be renumbered.
 * Compatible with `kubectl wait`: 0 success, 1 the awaited thing failed.
 */
export const ExitCode = {
  /** Complete, or render/validation succeeded. */
  Ok: 0,
  /** The task or plan reached Failed. */
  TaskFailed: 1,
  /** Invalid input or a preflight refusal; nothing was written. */
  InvalidInput: 2,
  /** --timeout expired while waiting; the task keeps running. */
  Timeout: 3,
  /** Cluster or API error: unreachable, 401/403, CRD not installed, unforced conflict. */
  ClusterError: 4,
  /** Ctrl-C while waiting (128 + SIGINT, as a shell reports it); the task keeps running. */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_TABLE: ReadonlyArray<{ code: ExitCodeValue; meaning: string }> = [
  { code: ExitCode.Ok, meaning: 'Complete; render or validation succeeded' },
  { code: ExitCode.TaskFailed, meaning: 'the task or plan Failed (reason on stderr)' },
  { code: ExitCode.InvalidInput, meaning: 'invalid input or preflight refusal; nothing was written' },
  { code: ExitCode.Timeout, meaning: '--timeout expired while waiting; the task keeps running' },
  { code: ExitCode.ClusterError, meaning: 'cluster or API error (unreachable, 401/403, CRD missing, conflict)' },
  { code: ExitCode.Interrupted, meaning: 'interrupted (Ctrl-C) while waiting: the task keeps running; re-attach with kubectl sei task wait NAME' },
];

export function exitCodeHelp(): string {
  return EXIT_CODE_TABLE.map(({ code, meaning }) => `  ${String(code).padEnd(3)}  ${meaning}`).join('\n');
}
