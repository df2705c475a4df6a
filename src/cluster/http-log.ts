/**
 * kubectl's -v=N HTTP log on stderr (k8s.io/client-go/transport/round_trippers.go): at 6 one
 * line per request (method, URL, status, duration), at 8 the request and response headers too,
 * at 9 the bodies. Credentials never appear: Authorization and every other header that can
 * carry one are masked as kubectl masks them ("Bearer <masked>"), whatever the level.
 * Watch streams are logged too, as client-go logs them: at 6 the GET ?watch=true line with the
 * status and the time to the response headers, at 8 its request headers and the stream's end,
 * at 9 every event received (type, object, resourceVersion) with any echoed credential redacted.
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
  write(klogLines(lines));
}

export interface LoggedStreamOpen {
  url: string;
  requestHeaders: Record<string, string>;
  /** undefined: no HTTP answer (refused, reset, TLS). */
  status?: number;
  statusText: string;
  durationMs: number;
}

/** A watch stream's opening, like a request's line (the body is a stream: events follow at 9). */
export function logStreamOpen(open: LoggedStreamOpen, write: (text: string) => void = (text) => process.stderr.write(text)): void {
  if (level < 6) return;
  const lines: string[] = [];
  if (level >= 8) lines.push(`round_trippers: "GET ${open.url}"`, 'round_trippers: Request Headers:', ...headerLines('round_trippers:', open.requestHeaders));
  const answer = open.status === undefined ? '' : ` ${`${open.status} ${open.statusText}`.trimEnd()}`;
  lines.push(`round_trippers: GET ${open.url}${answer} in ${Math.round(open.durationMs)} milliseconds`);
  write(klogLines(lines));
}

/** One event off a watch stream (-v=9), its text already redacted by the caller. */
export function logStreamEvent(type: string, object: { kind?: string; metadata?: { name?: string; namespace?: string; resourceVersion?: string } } | undefined, body: string, write: (text: string) => void = (text) => process.stderr.write(text)): void {
  if (level < 9) return;
  const what = object?.metadata ? `${object.kind ?? 'object'} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name ?? ''} resourceVersion=${object.metadata.resourceVersion ?? ''}` : '';
  write(klogLines([`watch: event ${type} ${what}`.trimEnd(), `watch: Event Body: ${body}`]));
}

/** The end of a watch stream (-v=8): how long it lived and what it delivered. */
export function logStreamEnd(url: string, ms: number, events: number, why: string, write: (text: string) => void = (text) => process.stderr.write(text)): void {
  if (level < 8) return;
  write(klogLines([`watch: stream GET ${url} ended after ${Math.round(ms)} milliseconds, ${events} event${events === 1 ? '' : 's'}: ${why}`]));
}

function klogLines(lines: readonly string[]): string {
  return `${lines.map((line) => `I${stamp()} ${process.pid} ${line}`).join('\n')}\n`;
}

/** klog's header: MMDD HH:MM:SS.micros */
function stamp(): string {
  const now = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(now.getMonth() + 1)}${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds() * 1000, 6)}`;
}
