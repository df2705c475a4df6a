/**
 * kubectl-style durations (Go's time.ParseDuration grammar) for --timeout. Owns parsing only;
 * what a negative or zero timeout means is the caller's business (kubectl wait: 0 checks once,
 * negative waits a week).
 */
import { SeiError } from '../errors/sei-error.js';
import { parseGoDuration } from './go-duration.js';

export const ONE_WEEK_MS = 7 * 24 * 3_600_000;

/** Parses "30s", "1m30s", "1.5h", "0", "-1s" into milliseconds. Throws a SeiError (exit 2) naming the flag. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const ms = parseGoDuration(text);
  if (ms === undefined) {
    throw SeiError.invalid(`invalid duration ${JSON.stringify(text)} for ${flag}`, [], [
      `use a Go duration such as 30s, 5m, 1h30m (units ns, us, ms, s, m, h); 0 checks once`,
    ]);
  }
  return ms;
}
