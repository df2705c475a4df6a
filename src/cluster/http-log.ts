/**
 * kubectl's -v=N HTTP log on stderr (k8s.io/client-go/transport/round_trippers.go): at 6 one
 * line per request (method, URL, status, duration), at 8 the request and response headers too,
 * at 9 the bodies. Credentials never appear: Authorization and every other header that can
 * carry one are masked as kubectl masks them ("Bearer <masked>"), whatever the level.
 * Set once by the front door (src/cli/main.ts) before any request; off (0) by default.
 */
let level = 0;

export function enableHttpLog(verbosity: number): void {
  level = verbosity;
}

export function httpLogLevel(): number {
  return level;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-auth-token']);

/** A header value as it may be printed: credentials masked, kubectl style. */
export function maskedHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return value;
  const scheme = /^(Bearer|Basic)\s/i.exec(value)?.[1];
  return scheme ? `${scheme} <masked>` : '<masked>';
}

function headerLines(prefix: string, headers: Record<string, string | string[] | undefined>): string[] {
  return Object.entries(headers)
    .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
    .map(([name, value]) => `${prefix}    ${name}: ${maskedHeader(name, Array.isArray(value) ? value.join(', ') : value)}`);
}

export interface LoggedExchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status: number;
  statusText: string;
  responseHeaders: Record<string, string | string[] | undefined>;
  responseBody: string;
  durationMs: number;
}

export function logExchange(exchange: LoggedExchange, write: (text: string) => void = (text) => process.stderr.write(text)): void {
  if (level < 6) return;
  const lines: string[] = [];
  if (level >= 8) {
    lines.push(`round_trippers: "${exchange.method} ${exchange.url}"`, 'round_trippers: Request Headers:', ...headerLines('round_trippers:', exchange.requestHeaders));
    if (level >= 9 && exchange.requestBody) lines.push(`request: Request Body: ${exchange.requestBody}`);
  }
  lines.push(`round_trippers: ${exchange.method} ${exchange.url} ${exchange.status} ${exchange.statusText} in ${Math.round(exchange.durationMs)} milliseconds`);
  if (level >= 8) lines.push('round_trippers: Response Headers:', ...headerLines('round_trippers:', exchange.responseHeaders));
  if (level >= 9) lines.push(`request: Response Body: ${exchange.responseBody}`);
  write(`${lines.map((line) => `I${stamp()} ${process.pid} ${line}`).join('\n')}\n`);
}

/** klog's header: MMDD HH:MM:SS.micros */
function stamp(): string {
  const now = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(now.getMonth() + 1)}${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds() * 1000, 6)}`;
}
