/**
 * Every HTTP request kubectl-sei makes goes through here: client-node does config, auth and TLS
 * (KubeConfig.applySecurityAuthentication) and sends (its HttpLibrary); this module adds the
 * per-request timeout, retries of 429 (honouring Retry-After) and 5xx/network errors with capped
 * exponential backoff and jitter, request counting, and the mapping of failures to SeiErrors.
 * Bodies are parsed as plain JSON: client-node's typed deserialisation turns timestamps into
 * Dates and renames fields, which would change the objects we print.
 * Must not: know about resources or watches beyond counting them.
 */
import { createConfiguration, HttpMethod, ServerConfiguration, type KubeConfig, type Configuration } from '@kubernetes/client-node';
import { SeiError } from '../errors/sei-error.js';
import { isRetriableTransportFailure, networkCode, redactSecrets, statusError, transportError, type RequestContext } from './errors.js';

export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 200, capMs: 5_000 };

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
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

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

export class Transport {
  readonly stats: TransportStats = { requests: 0, watchConnections: 0 };
  private readonly configuration: Configuration;

  constructor(
    readonly kubeConfig: KubeConfig,
    /** Printable server URL (no credentials). */
    readonly server: string,
    private readonly requestTimeoutMs: number,
    readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    this.configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster?.server ?? server, {}),
      authMethods: { default: kubeConfig },
    });
  }

  /** Credentials this process has sent (bearer tokens, basic auth), to scrub from errors. */
  private readonly secrets = new Set<string>();

  /** Every SeiError leaving the cluster layer goes through here. */
  scrub(error: unknown): unknown {
    return error instanceof SeiError ? redactSecrets(error, this.secrets) : error;
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
    for (let attempt = 0; ; attempt++) {
      if (request.signal?.aborted) throw SeiError.cluster('Interrupted', `${context.verb} ${context.what} was interrupted`);
      let outcome: { status: number; body: unknown; retryAfter?: string } | { error: unknown };
      try {
        outcome = await this.send(request, context);
      } catch (error) {
        outcome = { error };
      }
      const last = attempt + 1 >= this.retry.attempts;
      if ('error' in outcome) {
        const retriable = isRetriableTransportFailure(outcome.error);
        if (!retriable || last) throw transportError(outcome.error, context);
        await sleep(backoffDelay(this.retry, attempt), request.signal);
        continue;
      }
      if ((outcome.status >= 200 && outcome.status < 300) || request.accept?.includes(outcome.status)) {
        return { status: outcome.status, body: outcome.body };
      }
      if (RETRIABLE.has(outcome.status) && !last) {
        const delay = retryAfterMs(outcome.retryAfter, this.retry.capMs) ?? backoffDelay(this.retry, attempt);
        await sleep(delay, request.signal);
        continue;
      }
      throw statusError(outcome.status, outcome.body, context);
    }
  }

  private async send(request: HttpRequest, context: RequestContext): Promise<{ status: number; body: unknown; retryAfter?: string }> {
    const method = HttpMethod[request.method];
    const ctx = this.configuration.baseServer.makeRequestContext(request.path, method);
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
    const authorization = ctx.getHeaders()['Authorization'];
    if (authorization) this.secrets.add(authorization.replace(/^(Bearer|Basic)\s+/i, ''));
    this.stats.requests++;
    const sending = this.configuration.httpApi.send(ctx).toPromise();
    const response = this.requestTimeoutMs > 0 ? await withTimeout(sending, this.requestTimeoutMs, context) : await sending;
    const text = await response.body.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON (e.g. a proxy's HTML error page): keep it out of messages, statusError words it.
      body = undefined;
    }
    return { status: response.httpStatusCode, body, retryAfter: response.headers['retry-after'] };
  }
}

/** client-node's HttpLibrary takes no signal, so an expired request is abandoned, not aborted. */
function withTimeout<T>(promise: Promise<T>, ms: number, context: RequestContext): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(SeiError.cluster('Timeout', `${context.verb} ${context.what} on ${context.server} timed out after ${ms} ms (--request-timeout)`, ['raise --request-timeout, or check the API server'], 504));
    }, ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
