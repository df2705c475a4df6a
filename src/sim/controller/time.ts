/**
 * Time helpers of the simulated controller: Go duration strings (as the CRD's
 * requirePhaseTimeout), metav1.Time rendering and parsing. Pure; no timers here.
 */

export { parseGoDuration } from '../../domain/go-duration.js';

/** metav1.Time: RFC 3339 at second precision, as the apiserver serialises it. */
export function toTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
