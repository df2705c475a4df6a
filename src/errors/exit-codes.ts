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

/** The general meaning of each code (the README's table); commands say what it means for them. */
export const EXIT_CODE_TABLE: ReadonlyArray<{ code: ExitCodeValue; meaning: string }> = [
  { code: ExitCode.Ok, meaning: 'success' },
  { code: ExitCode.TaskFailed, meaning: 'what was waited for Failed (reason on stderr)' },
  { code: ExitCode.InvalidInput, meaning: 'invalid input or preflight refusal; nothing was written' },
  { code: ExitCode.Timeout, meaning: '--timeout expired while waiting; what was started keeps running' },
  { code: ExitCode.ClusterError, meaning: 'cluster or API error (unreachable, 401/403, CRD missing, conflict)' },
  { code: ExitCode.Interrupted, meaning: 'Ctrl-C or SIGTERM while waiting; what was started keeps running' },
];

/** One exit code a command can return, and what it means for that command. */
export interface CommandExitCode {
  readonly code: ExitCodeValue;
  readonly meaning: string;
}

/**
 * The exit codes a command declares (static exitCodes on every command): its --help lists
 * exactly these, and the README's table per command agrees with them. An entry is a code
 * (with its general meaning from EXIT_CODE_TABLE) or [code, what it means for this command].
 * Listed in ascending order whatever the order given; a code given twice is a mistake.
 */
export function commandExitCodes(...entries: ReadonlyArray<ExitCodeValue | readonly [ExitCodeValue, string]>): readonly CommandExitCode[] {
  const declared = entries.map((entry) => (typeof entry === 'number' ? { code: entry, meaning: generalMeaning(entry) } : { code: entry[0], meaning: entry[1] }));
  const codes = declared.map((d) => d.code);
  if (new Set(codes).size !== codes.length) throw new Error(`exit code declared twice: ${codes.join(', ')}`);
  return declared.sort((a, b) => a.code - b.code);
}

function generalMeaning(code: ExitCodeValue): string {
  return EXIT_CODE_TABLE.find((row) => row.code === code)?.meaning ?? '';
}
