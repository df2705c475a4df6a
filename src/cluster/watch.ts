/**
 * The resumable watch behind ClusterClient.watch: list, then ONE stream (client-node's Watch)
 * from the list's resourceVersion with bookmarks; after the stream ends or drops, resume from the
 * last resourceVersion seen (bookmarks included); on 410 Gone re-list and emit synthetic
 * ADDED/MODIFIED/DELETED for what changed against the known set; 429/5xx/network failures back
 * off (capped, jittered) and resume. Exactly one stream is open at any time.
 * Must not: interpret objects (verdicts live in src/watch/), or poll.
 */
// Types from the package root (erased at run time); values by deep path, see the header.
import { commandEnded, commandHasDeadline, commandSignal, noteApiAnswered, noteApiTrouble } from './command-scope.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node/dist/watch.js';
import { SeiError } from '../errors/sei-error.js';
import { asStatus, isTlsFailure, networkCode, statusError, transportError, transportTrouble, type RequestContext } from './errors.js';
import { backoffDelay, sleep, type Transport } from './transport.js';
import { httpLogLevel, logStreamEnd, logStreamEvent, logStreamOpen } from './http-log.js';
import type { KubeObject, ListResult, WatchEvent, WatchRequest } from './types.js';

export interface StreamSource {
  transport: Transport;
  kubeConfig: KubeConfig;
  /** Collection path, e.g. /apis/sei.io/v1alpha1/namespaces/x/seinodetasks. */
  path: string;
  query: { labelSelector?: string; fieldSelector?: string };
  context: Omit<RequestContext, 'server'>;
  list: () => Promise<ListResult<KubeObject>>;
  /** Server-side lifetime of one stream (default: random 300–599 s). */
  timeoutSeconds?: number;
  /** A stream that lived at least this long counts as progress even without events. */
  healthyStreamMs?: number;
}

type StreamEnd =
  | { kind: 'stopped' }
  | { kind: 'closed'; progressed: boolean }
  | { kind: 'gone'; progressed: boolean }
  | { kind: 'failed'; error: unknown; status?: number; progressed?: boolean };

const key = (object: KubeObject) => `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;

export async function resumableWatch<T extends KubeObject>(source: StreamSource, request: WatchRequest<T>): Promise<void> {
  try {
    await watchLoop(source, request);
  } catch (error) {
    throw source.transport.scrub(error);
  }
}

async function watchLoop<T extends KubeObject>(source: StreamSource, request: WatchRequest<T>): Promise<void> {
  const { transport } = source;
  const context: RequestContext = { ...source.context, server: transport.server };
  const known = new Map<string, KubeObject>();
  const watcher = new Watch(trimmedCredentials(source.kubeConfig));
  let stopped = false;
  let resourceVersion = '';

  const emit = (event: WatchEvent<KubeObject>): void => {
    if (stopped) return;
    if (request.onEvent(event as WatchEvent<T>) === 'stop') stopped = true;
  };

  /** Lists and reconciles the known set; the first time everything is ADDED. */
  const relist = async (): Promise<void> => {
    const listed = await source.list();
    const seen = new Set<string>();
    for (const object of listed.items) {
      const id = key(object);
      seen.add(id);
      const before = known.get(id);
      known.set(id, object);
      if (!before) emit({ type: 'ADDED', object });
      else if (before.metadata.uid !== object.metadata.uid) {
        // Deleted and recreated under the same name while we were not watching: say both.
        emit({ type: 'DELETED', object: before });
        emit({ type: 'ADDED', object });
      } else if (before.metadata.resourceVersion !== object.metadata.resourceVersion) emit({ type: 'MODIFIED', object });
    }
    for (const [id, object] of [...known]) {
      if (!seen.has(id)) {
        known.delete(id);
        emit({ type: 'DELETED', object });
      }
    }
    resourceVersion = listed.resourceVersion;
    if (!stopped && request.onSynced?.() === 'stop') stopped = true;
  };

  const openStream = (): Promise<StreamEnd> =>
    new Promise<StreamEnd>((resolve) => {
      const openedAt = Date.now();
      let controller: AbortController | undefined;
      let settled = false;
      let events = 0;
      const query = { ...source.query, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: source.timeoutSeconds ?? 300 + Math.floor(Math.random() * 300) };
      const logged = httpLogLevel() >= 6 ? streamLog(source, query) : undefined;
      const finish = (end: StreamEnd) => {
        if (settled) return;
        settled = true;
        logged?.ended(events, end);
        request.signal?.removeEventListener('abort', onAbort);
        commandSignal().removeEventListener('abort', onAbort);
        controller?.abort();
        resolve(end);
      };
      const onAbort = () => finish({ kind: 'stopped' });
      if (request.signal?.aborted || commandSignal().aborted) return resolve({ kind: 'stopped' });
      request.signal?.addEventListener('abort', onAbort, { once: true });
      // The command's --timeout or Ctrl-C/SIGTERM ends a stream that never answered too.
      commandSignal().addEventListener('abort', onAbort, { once: true });
      transport.stats.watchConnections++;
      transport.stats.requests++;
      const onLine = (type: string, object: KubeObject) => {
        if (settled) return;
        logged?.event(type, object);
        try {
          if (type === 'ERROR') {
            const status = asStatus(object);
            if (status?.code === 410) return finish({ kind: 'gone', progressed: events > 0 });
            return finish({ kind: 'failed', error: object, status: status?.code, progressed: events > 0 });
          }
          const rv = object?.metadata?.resourceVersion;
          if (rv) resourceVersion = rv;
          if (events === 0) noteApiAnswered();
          events++;
          if (type === 'BOOKMARK') return;
          let kind: 'ADDED' | 'MODIFIED' | 'DELETED';
          if (type === 'DELETED') {
            kind = 'DELETED';
            known.delete(key(object));
          } else if (type === 'ADDED' || type === 'MODIFIED') {
            // A server may say ADDED for an object this watch already knows (selector
            // bookkeeping restarts with each stream): to the consumer it is a modification.
            const before = known.get(key(object));
            kind = type === 'ADDED' && before !== undefined && before.metadata.uid === object.metadata.uid ? 'MODIFIED' : type;
            known.set(key(object), object);
          } else return;
          emit({ type: kind, object });
          if (stopped) finish({ kind: 'stopped' });
        } catch (error) {
          // The consumer's callback threw: stop the stream and let the caller see its error.
          finish({ kind: 'failed', error: new CallbackError(error) });
        }
      };
      const onDone = (error: unknown) => {
        if (settled) return;
        if (request.signal?.aborted) return finish({ kind: 'stopped' });
        if (error === null || error === undefined || isAbort(error)) {
          return finish({ kind: 'closed', progressed: events > 0 || Date.now() - openedAt >= (source.healthyStreamMs ?? 1_000) });
        }
        const status = (error as { statusCode?: unknown }).statusCode;
        logged?.answered(typeof status === 'number' ? status : undefined, error instanceof Error ? error.message : '');
        if (status === 410) return finish({ kind: 'gone', progressed: events > 0 });
        finish({ kind: 'failed', error, status: typeof status === 'number' ? status : undefined, progressed: events > 0 });
      };
      watcher
        .watch(
          source.path,
          // timeoutSeconds as client-go's reflector: 5–10 min, so a stream silently dead behind a
          // proxy is replaced, and many clients do not reconnect in lockstep.
          query,
          onLine as (type: string, object: unknown) => void,
          onDone,
        )
        .then((opened) => {
          // client-node resolves once the response headers are in (a non-200 has called onDone already).
          logged?.answered(200, 'OK');
          controller = opened;
          if (settled) opened.abort();
        })
        .catch((error: unknown) => {
          logged?.answered(undefined, '');
          finish({ kind: 'failed', error });
        });
    });

  try {
    await relist();
  } catch (error) {
    // Stopped while the first list was pending (a --timeout, Ctrl-C): not a failure of the watch.
    if (request.signal?.aborted && !commandEnded()) return;
    throw error;
  }
  let failures = 0;
  // 410s in a row, each right after a fresh list: counted apart from other failures, so a 410
  // after an outage (the restarted server forgot our version) is not blamed for the outage.
  let goneAfterList = 0;
  while (!stopped && !request.signal?.aborted) {
    const end = await openStream();
    const ended = commandEnded();
    if (ended) throw ended;
    if (end.kind === 'stopped') return;
    if (end.kind !== 'gone') goneAfterList = 0;
    if (end.kind === 'gone') {
      // A 410 right after a fresh list means the server cannot serve our version yet: back off
      // rather than spin list→watch→410.
      if (end.progressed) {
        failures = 0;
        goneAfterList = 0;
      } else {
        goneAfterList++;
        if (goneAfterList >= transport.retry.attempts) throw failure(end, context);
        await sleep(backoffDelay(transport.retry, goneAfterList - 1), request.signal);
        if (request.signal?.aborted) return;
      }
      await relist();
      failures = 0;
      continue;
    }
    if (end.kind === 'closed') {
      if (end.progressed) {
        failures = 0;
        continue;
      }
    } else {
      if (end.error instanceof CallbackError) throw end.error.original;
      if (!retriable(end)) throw failure(end, context);
      noteApiTrouble(end.status !== undefined ? `the API server answered ${end.status} to the watch of ${context.what}` : transportTrouble(end.error));
      // A stream that delivered events before it broke was progress: the budget is for
      // consecutive failures, not for the number of drops over a long wait.
      if (end.progressed) failures = 0;
    }
    failures++;
    // With a --timeout the outage is retried until it (the command's deadline ends the watch).
    if (failures >= transport.retry.attempts && !commandHasDeadline()) throw failure(end, context);
    await sleep(backoffDelay(transport.retry, Math.min(failures - 1, 16)), request.signal);
  }
}

/**
 * The -v=6/8/9 log of one stream (src/cluster/http-log.ts): its GET line once the server
 * answered, its events, its end. Events and the request headers are logged with the
 * credentials this process sends redacted or masked.
 */
function streamLog(source: StreamSource, query: Record<string, string | number | boolean | undefined>) {
  const started = performance.now();
  const url = watchUrl(source.kubeConfig, source.path, query);
  let told = false;
  // Lines are written in order even while the request headers (at -v=8) are still being read.
  let written: Promise<unknown> = Promise.resolve();
  const write = (line: () => void): void => {
    written = written.then(line);
  };
  const headers: Promise<Record<string, string>> =
    httpLogLevel() >= 8
      ? (trimmedCredentials(source.kubeConfig).applyToFetchOptions as (options: object) => Promise<Record<string, unknown>>)({}).then(
          (options) => ({ ...(options['headers'] as Record<string, string> | undefined) }),
          () => ({}),
        )
      : Promise.resolve({});
  return {
    answered(status: number | undefined, statusText: string): void {
      if (told) return;
      told = true;
      const durationMs = performance.now() - started;
      // The headers are read concurrently (an exec plugin may take a moment); the line keeps the answer's time.
      write(() => headers.then((requestHeaders) => logStreamOpen({ url, requestHeaders, ...(status !== undefined ? { status } : {}), statusText, durationMs })));
    },
    event(type: string, object: KubeObject | undefined): void {
      if (httpLogLevel() < 9) return;
      const body = source.transport.redact(JSON.stringify({ type, object }));
      write(() => logStreamEvent(type, object, body));
    },
    ended(events: number, end: StreamEnd): void {
      if (!told) return;
      const why = end.kind === 'failed' ? `failed: ${source.transport.redact(end.error instanceof Error ? end.error.message : String(end.status ?? 'error'))}` : end.kind === 'gone' ? '410 Gone' : end.kind;
      const ms = performance.now() - started;
      write(() => logStreamEnd(url, ms, events, why));
    },
  };
}

/**
 * The kubeconfig as client-node's Watch reads it, with the Authorization header trimmed: a token
 * file written by `echo` ends with a newline, which client-go trims (transport/token_source.go,
 * strings.TrimSpace) and the Transport trims for every other request; sent as is, the stream is
 * refused before it leaves ("not a legal HTTP header value") and the wait never sees an event.
 */
function trimmedCredentials(kubeConfig: KubeConfig): KubeConfig {
  // client-node's own applyToFetchOptions puts the header in node-fetch's Headers, which throws
  // on the newline before anything could trim it: the same steps, with the values trimmed.
  const applyToFetchOptions = async (options: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const applied: { headers?: Record<string, unknown>; auth?: string; agent?: unknown; method?: string; timeout?: number } = { ...options };
    await kubeConfig.applyToHTTPSOptions(applied as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(applied.headers ?? {})) {
      if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value).trim();
      else if (Array.isArray(value)) headers[name] = value.map((v) => String(v).trim()).join(', ');
    }
    if (applied.auth) headers['Authorization'] = `Basic ${Buffer.from(applied.auth).toString('base64')}`;
    return { agent: applied.agent, headers, method: applied.method, timeout: applied.timeout };
  };
  // Watch reads getCurrentCluster and applyToFetchOptions; everything else stays the kubeconfig's own.
  return Object.assign(Object.create(kubeConfig) as KubeConfig, { applyToFetchOptions });
}

/** The URL client-node's Watch requests (its own construction: server + path, watch=true, then the query). */
function watchUrl(kubeConfig: KubeConfig, path: string, query: Record<string, string | number | boolean | undefined>): string {
  const url = new URL(`${kubeConfig.getCurrentCluster()?.server ?? ''}${path}`);
  url.searchParams.set('watch', 'true');
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
  return url.href;
}

class CallbackError extends Error {
  constructor(readonly original: unknown) {
    super('watch callback failed');
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { type?: unknown }).type === 'aborted');
}

function retriable(end: StreamEnd): boolean {
  if (end.kind !== 'failed') return true;
  if (end.status !== undefined) return end.status === 429 || end.status >= 500;
  if (isTlsFailure(end.error)) return false;
  return networkCode(end.error) !== undefined || !(end.error instanceof SeiError);
}

function failure(end: StreamEnd, context: RequestContext): SeiError {
  if (end.kind === 'failed') {
    if (end.status !== undefined) return statusError(end.status, asStatus(end.error) ?? { kind: 'Status', details: {} }, context);
    return transportError(end.error, context);
  }
  if (end.kind === 'gone') {
    return SeiError.cluster('Expired', `the watch of ${context.what} on ${context.server} kept answering 410 Gone right after a fresh list`, ['check the API server']);
  }
  return SeiError.cluster('ServiceUnavailable', `the watch of ${context.what} on ${context.server} kept closing without delivering events`, ['check the API server']);
}
