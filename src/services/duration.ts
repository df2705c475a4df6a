/**
 * kubectl-style durations (Go's time.ParseDuration grammar) for --timeout. Owns parsing only;
 * what a negative or zero timeout means is the caller's business (kubectl wait: 0 checks once,
 * negative waits a week).
 */
import { SeiError } from '../errors/sei-error.js';
import { parseGoDuration } from '../domain/go-duration.js';

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

/** kubectl's short human duration: 45s, 5m30s, 3h, 2d. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** Precise duration for verdict lines: 850ms, 12.3s, 2m05s. */
export function preciseDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
