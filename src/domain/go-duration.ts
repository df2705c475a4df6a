/**
 * Go's time.ParseDuration grammar ("30s", "1m30s", "1.5h", "250ms"), shared by the CLI's
 * --timeout flags and the simulated controller's requirePhaseTimeout: one grammar, one parser.
 * Pure; what a zero or negative duration means is the caller's business.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds, or undefined when `text` is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^[-+]?0$/.test(trimmed)) return 0;
  const sign = trimmed.startsWith('-') ? -1 : 1;
  const body = trimmed.replace(/^[-+]/, '');
  if (body === '') return undefined;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < body.length) {
    part.lastIndex = index;
    const match = part.exec(body);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    index = part.lastIndex;
  }
  return sign * total;
}

/**
 * Go's time.Duration.String() for a whole number of milliseconds or more: "10m0s", "2m0s",
 * "1h0m0s", "1.5s", "500ms", "0s" — the words upstream's messages print (`within %s`).
 */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) {
    if (rest >= 1) return `${sign}${trimFraction(rest)}ms`;
    return rest >= 1e-3 ? `${sign}${trimFraction(rest * 1e3)}µs` : `${sign}${trimFraction(rest * 1e6)}ns`;
  }
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = `${trimFraction(rest / 1000)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function trimFraction(value: number): string {
  return String(Number(value.toFixed(9)));
}
