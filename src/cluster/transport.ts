/**
 * Every HTTP request kubectl-sei makes goes through here: client-node does config, auth and TLS
 * (KubeConfig.applySecurityAuthentication builds the headers and the https/proxy agent); this
 * module sends with node:http(s) so each attempt can really be aborted, and adds the deadline of
 * --request-timeout (one deadline per request, retries included), retries, request counting and
 * the mapping of failures to SeiErrors.
 * Retries: 429 (honouring Retry-After), 5xx and dropped connections back off (capped, jittered);
 * a server that never answered (refused, DNS, no route) gets at most `unreachableAttempts`
 * within `unreachableBudgetMs` (kubectl fails at once); certificate errors are not retried.
 * Bodies are parsed as plain JSON: client-node's typed deserialisation turns timestamps into
 * Dates and renames fields, which would change the objects we print.
 * Must not: know about resources or watches beyond counting them. Imports client-node by deep
 * path (its package has no "exports" map) so the CLI bundle keeps only what is used.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
// Types from the package root (erased at run time); values by deep path, see the header.
import type { KubeConfig } from '@kubernetes/client-node';
import { HttpMethod, RequestContext as ClientRequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { SeiError } from '../errors/sei-error.js';
import { httpLogLevel, logExchange } from './http-log.js';
import { commandEnded, commandHasDeadline, commandSignal, noteApiAnswered, noteApiTrouble } from './command-scope.js';
import { clampDelay } from '../domain/timers.js';
import { networkCode, redactSecrets, redactText, statusError, transportError, transportFailureClass, transportTrouble, type RequestContext } from './errors.js';

export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  baseMs: number;
  capMs: number;
  /** Attempts against a server that never answered (refused, DNS, no route); capped by `attempts`. */
  unreachableAttempts?: number;
  /** No retry of an unreachable server starts after this long since the first attempt. */
  unreachableBudgetMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 200, capMs: 5_000, unreachableAttempts: 3, unreachableBudgetMs: 1_500 };

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for get). */
  accept?: number[];
  context: Omit<RequestContext, 'server'>;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  body: unknown;
}

export interface TransportStats {
  requests: number;
  watchConnections: number;
}

/** Equal jitter: uniform in [c/2, c] with c = min(cap, base·2^attempt); spreads retries of many clients apart. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After as seconds (the only form API servers send), capped so a bad header cannot stall us. */
export function retryAfterMs(header: string | undefined, capMs: number): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, capMs) : undefined;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const ended = commandSignal();
  return new Promise((resolve) => {
    if (signal?.aborted || ended.aborted) return resolve();
    const timer = setTimeout(done, clampDelay(ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      ended.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
    ended.addEventListener('abort', done, { once: true });
  });
}

/**
 * How long one attempt may wait for an answer when --request-timeout is 0 (kubectl's default,
 * no limit): a server that accepts the connection and never answers is retried, not waited on
 * forever. Watches are streams and are not bound by it.
 */
export const UNANSWERED_ATTEMPT_MS = 60_000;

/** kubectl's --request-timeout: "0" (none), a bare number of seconds, or a Go duration. */
export function parseRequestTimeout(text: string | undefined): number {
  if (text === undefined || text.trim() === '' || text.trim() === '0') return 0;
  const input = text.trim();
  if (/^\d+$/.test(input)) return Number(input) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...input.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== input) {
    throw SeiError.invalid(`invalid --request-timeout ${JSON.stringify(text)}`, [], ['use a duration such as 30s, 1m or 0 for none']);
  }
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * (units[unit as string] ?? 0), 0);
}

const RETRIABLE = new Set([429, 500, 502, 503, 504]);

type Outcome = { status: number; body: unknown; retryAfter?: string } | { error: unknown };

export class Transport {
  readonly stats: TransportStats = { requests: 0, watchConnections: 0 };
  /** The server URL as configured (may carry a path prefix), without a trailing slash. */
  private readonly base: string;
  /** Some request of this process got an HTTP answer: a refused connection is now a restart, not a typo. */
  private reached = false;
  /** A request already spent the short budget on an unreachable server: later ones do not retry. */
  private unreachable = false;

  constructor(
    readonly kubeConfig: KubeConfig,
    /** Printable server URL (no credentials). */
    readonly server: string,
    private readonly requestTimeoutMs: number,
    readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.base = (kubeConfig.getCurrentCluster()?.server ?? server).replace(/\/+$/, '');
    warnNodeDebug();
  }

  /** Credentials this process has sent (bearer tokens, basic auth), to scrub from errors. */
  private readonly secrets = new Set<string>();

  /** Text for a log with every credential this process has sent replaced by [redacted]. */
  redact(text: string): string {
    return redactText(text, this.secrets);
  }

  /** Every SeiError leaving the cluster layer goes through here. */
  scrub(error: unknown): unknown {
    return error instanceof SeiError ? redactSecrets(error, this.secrets) : error;
  }

  private markReached(): void {
    this.reached = true;
    this.unreachable = false;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.attempt(request);
    } catch (error) {
      throw this.scrub(error);
    }
  }

  private async attempt(request: HttpRequest): Promise<HttpResponse> {
    const context: RequestContext = { ...request.context, server: this.server };
    const started = Date.now();
    const deadline = this.requestTimeoutMs > 0 ? started + this.requestTimeoutMs : Number.POSITIVE_INFINITY;
    const interrupted = () => SeiError.cluster('Interrupted', `${context.verb} ${context.what} was interrupted`);
    let lastFailure: SeiError | undefined;
    for (let attempt = 0; ; attempt++) {
      const ended = commandEnded();
      if (ended) throw ended;
      if (request.signal?.aborted) throw interrupted();
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw timedOut(context, this.requestTimeoutMs, lastFailure);
      const unanswered = Number.isFinite(remaining) ? undefined : AbortSignal.timeout(UNANSWERED_ATTEMPT_MS);
      const signals = [request.signal, commandSignal(), Number.isFinite(remaining) ? AbortSignal.timeout(clampDelay(remaining)) : unanswered].filter((signal): signal is AbortSignal => signal !== undefined);
      const signal = signals.length === 1 ? signals[0] : AbortSignal.any(signals);
      let outcome: Outcome;
      try {
        outcome = await this.send(request, context, signal);
      } catch (error) {
        const endedNow = commandEnded();
        if (endedNow) throw endedNow;
        if (request.signal?.aborted) throw interrupted();
        if (unanswered?.aborted) {
          // No answer at all: retried like a dropped connection, and said as such at the end.
          lastFailure = SeiError.cluster('Timeout', `${context.verb} ${context.what} on ${context.server}: the server accepted the connection but sent no answer within ${UNANSWERED_ATTEMPT_MS / 1000} s`, ['check the API server (or a proxy in front of it)'], 504);
          noteApiTrouble('the API server accepted connections but sent no answer');
          if (attempt + 1 >= this.retry.attempts) throw lastFailure;
          await sleep(backoffDelay(this.retry, attempt), request.signal);
          continue;
        }
        if (signal?.aborted) throw timedOut(context, this.requestTimeoutMs, lastFailure);
        outcome = { error };
      }
      // Bounded by the command's --timeout instead when it has one (an outage is waited out).
      const last = attempt + 1 >= this.retry.attempts && !commandHasDeadline();
      if ('error' in outcome) {
        const kind = transportFailureClass(outcome.error);
        const failure = transportError(outcome.error, context);
        if (kind === 'tls' || kind === 'other' || last) throw failure;
        const delay = backoffDelay(this.retry, attempt);
        if (kind === 'unreachable' && !this.reached) {
          const budget = this.retry.unreachableBudgetMs ?? Number.POSITIVE_INFINITY;
          const attempts = Math.min(this.retry.unreachableAttempts ?? this.retry.attempts, this.retry.attempts);
          if (this.unreachable || attempt + 1 >= attempts || Date.now() - started + delay > budget) {
            this.unreachable = true;
            throw failure;
          }
        }
        lastFailure = failure;
        noteApiTrouble(transportTrouble(outcome.error));
        await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), request.signal);
        continue;
      }
      this.markReached();
      if ((outcome.status >= 200 && outcome.status < 300) || request.accept?.includes(outcome.status)) {
        noteApiAnswered();
        return { status: outcome.status, body: outcome.body };
      }
      if (RETRIABLE.has(outcome.status) && !last) {
        lastFailure = statusError(outcome.status, outcome.body, context);
        noteApiTrouble(`the API server answered ${outcome.status} (${lastFailure.reason})`);
        const delay = retryAfterMs(outcome.retryAfter, this.retry.capMs) ?? backoffDelay(this.retry, attempt);
        await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), request.signal);
        continue;
      }
      throw statusError(outcome.status, outcome.body, context);
    }
  }

  private async send(request: HttpRequest, context: RequestContext, signal: AbortSignal | undefined): Promise<{ status: number; body: unknown; retryAfter?: string }> {
    const ctx = new ClientRequestContext(`${this.base}${request.path}`, HttpMethod[request.method]);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(name, String(value));
    }
    if (request.body !== undefined) {
      ctx.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(request.body));
    }
    try {
      await this.kubeConfig.applySecurityAuthentication(ctx);
    } catch (error) {
      // exec plugins and token files fail with messages that may echo secrets: name the user only.
      const code = networkCode(error);
      throw SeiError.cluster('Unauthorized', `could not obtain credentials for the kubeconfig user of ${context.server}${code ? ` (${code})` : ''}`, [
        'check --context / credentials: the exec plugin, token file or client certificate of the user',
      ]);
    }
    let authorization = ctx.getHeaders()['Authorization'];
    if (authorization && authorization !== authorization.trim()) {
      // A token file ends with a newline when written by `echo`: client-go trims it
      // (transport/token_source.go, strings.TrimSpace); sent as is it is an invalid header.
      authorization = authorization.trim();
      ctx.setHeaderParam('Authorization', authorization);
    }
    if (authorization) this.secrets.add(authorization.replace(/^(Bearer|Basic)\s+/i, ''));
    this.stats.requests++;
    const response = await exchange(ctx, signal);
    let body: unknown;
    try {
      body = response.text === '' ? undefined : JSON.parse(response.text);
    } catch {
      // not JSON (e.g. a proxy's HTML error page): keep it out of messages, statusError words it.
      body = undefined;
    }
    const retryAfter = response.headers['retry-after'];
    return { status: response.status, body, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter };
  }
}

/**
 * One HTTP exchange on the agent client-node built (CA, client certificate, proxy). Unlike
 * client-node's fetch library this takes a signal, so an expired attempt closes its socket
 * instead of lingering (and keeping the process alive) until the OS gives up on it.
 */
function exchange(ctx: ClientRequestContext, signal: AbortSignal | undefined): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const url = new URL(ctx.getUrl());
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const body = ctx.getBody();
  // gzip as kubectl (and client-node's fetch) ask for it: large lists shrink ~10x on the wire.
  const headers: Record<string, string> = { 'Accept-Encoding': 'gzip', ...ctx.getHeaders() };
  if (typeof body === 'string') headers['Content-Length'] = String(Buffer.byteLength(body));
  // hrtime, not the `performance` global: that one loads perf_hooks on first use, ~1 ms of every command.
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // client-node types its agent loosely (http, https or a proxy agent); node:http takes all three.
    const agent = ctx.getAgent() as Agent | undefined;
    const req = send(url, { method: ctx.getHttpMethod(), headers, agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        gunzip(res.headers['content-encoding'] === 'gzip' ? raw : undefined, (error, inflated) => {
          if (error) return reject(error);
          const text = (inflated ?? raw).toString('utf8');
          if (httpLogLevel() >= 6) {
            // A server (or proxy, webhook) that echoes the request's credential into its answer
            // must not get it printed by -v=8/9: headers and body are logged with it redacted.
            const credential = headers['Authorization']?.replace(/^(Bearer|Basic)\s+/i, '');
            const redact = (value: string): string => (credential ? redactText(value, [credential]) : value);
            const responseHeaders = Object.fromEntries(Object.entries(res.headers).map(([name, value]) => [name, Array.isArray(value) ? value.map(redact) : value === undefined ? value : redact(value)]));
            logExchange({ method: ctx.getHttpMethod(), url: url.href, requestHeaders: headers, ...(typeof body === 'string' ? { requestBody: body } : {}), status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', responseHeaders, responseBody: redact(text), durationMs: Number(process.hrtime.bigint() - started) / 1e6 });
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
        });
      });
    });
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : undefined);
  });
}

/** node:zlib loads on the first compressed answer: an API server compresses only large ones. */
function gunzip(data: Buffer | undefined, done: (error: Error | null, inflated?: Buffer) => void): void {
  if (data === undefined || data.length === 0) return done(null);
  import('node:zlib').then(({ gunzip: inflate }) => inflate(data, done), done);
}

let warnedNodeDebug = false;

/**
 * NODE_DEBUG=http is Node's own tracing, below kubectl-sei: what it prints about requests is out
 * of our reach, credentials included. Say so once, so its output is not shared unknowingly.
 */
function warnNodeDebug(): void {
  if (warnedNodeDebug || !/(^|,)\s*(http|https|net|tls|\*)\s*(,|$)/i.test(process.env['NODE_DEBUG'] ?? '')) return;
  warnedNodeDebug = true;
  process.stderr.write('warning: NODE_DEBUG is set: Node\'s own debug output may include the Authorization header (your credentials); do not share it\n');
}

/** A passed deadline is always reason Timeout; what the earlier attempts met is said too. */
function timedOut(context: RequestContext, ms: number, lastFailure: SeiError | undefined): SeiError {
  const before = lastFailure ? `; before that: ${lastFailure.message}` : '';
  return SeiError.cluster('Timeout', `${context.verb} ${context.what} on ${context.server} timed out after ${ms} ms (--request-timeout)${before}`, ['raise --request-timeout, or check the API server'], 504);
}
