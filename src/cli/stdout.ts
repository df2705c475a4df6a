/**
 * Writing data to stdout, for the oclif commands and the fast path alike. Kept apart from
 * task-flags.ts, which builds oclif flags, so the fast path's bundle loads no oclif.
 */

/** Writes data to stdout (never progress): objects, names, env lines. */
export function writeStdout(text: string): void {
  if (text) process.stdout.write(text);
}
