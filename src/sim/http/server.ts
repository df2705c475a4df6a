/**
 * The simulated Kubernetes API over http(s): bearer-token authentication, fault injection,
 * routing to discovery, /openapi, the /sim endpoints (faults, stats, gc) or the REST verbs
 * (rest.ts). It must never crash on a request: every failure becomes a metav1.Status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { timingSafeEqual } from 'node:crypto';
import type { ServingCert } from './tls.js';
import type { SimStore } from '../types.js';
import type { ResourceRegistry } from '../resources.js';
import { route } from './routing.js';
import { Errors, type Status } from './status.js';
import { mediaType, parseBody, readBody, sendError, sendJson, sendStatus } from './io.js';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery.js';
import type { SchemaValidator } from '../admission/admission.js';
import { FaultInjector, validateFaultConfig } from '../faults.js';
import type { OpenApiProvider } from './openapi.js';
import { createRestHandler } from './rest.js';
import { podProxy } from './pod-proxy.js';
import { bool } from './request-params.js';

export interface ApiServerOptions {
  store: SimStore;
  registry: ResourceRegistry;
  token: string;
  faults: FaultInjector;
  validator?: SchemaValidator;
  openapi?: OpenApiProvider;
  /** How often a watch with allowWatchBookmarks gets a BOOKMARK (the apiserver: about a minute). */
  bookmarkIntervalMs?: number;
  now?: () => number;
  /** Serve https with this certificate (kubectl sends tokens only over TLS); http when absent. */
  tls?: ServingCert;
}

export interface SimStats {
  requests: number;
  byCode: Record<string, number>;
  openWatches: number;
  watchesServed: number;
  droppedConnections: number;
  resourceVersion: string;
  memory: NodeJS.MemoryUsage;
}

export interface ApiServer {
  server: Server;
  stats(): SimStats;
  /** Ends every open watch stream (for shutdown). */
  closeWatches(): void;
}

export function createApiServer(options: ApiServerOptions): ApiServer {
  const { store, registry, faults } = options;
  const token = Buffer.from(options.token);
  const watches = new Set<() => void>();
  const stats = { requests: 0, byCode: {} as Record<string, number>, watchesServed: 0, droppedConnections: 0 };
  const resource = createRestHandler({ store, registry, faults, validator: options.validator, now: options.now ?? Date.now, bookmarkIntervalMs: options.bookmarkIntervalMs, watches, stats });

  const authorized = (req: IncomingMessage): boolean => {
    const header = String(req.headers.authorization ?? '');
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return false;
    const given = Buffer.from(m[1]!.trim());
    return given.length === token.length && timingSafeEqual(given, token);
  };


  function discovery(path: string, res: ServerResponse): void {
    if (path === '/version') return sendJson(res, 200, versionInfo());
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path === '/api') return sendJson(res, 200, coreVersions());
    if (path === '/apis') return sendJson(res, 200, groupList(registry));
    const segs = path.split('/').filter(Boolean);
    if (segs[0] === 'api' && segs.length === 2) {
      const doc = resourceList(registry, '', segs[1]!);
      if (doc) return sendJson(res, 200, doc);
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const doc = group(registry, segs[1]!);
      if (doc) return sendJson(res, 200, doc);
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const doc = resourceList(registry, segs[1]!, segs[2]!);
      if (doc) return sendJson(res, 200, doc);
    }
    throw Errors.pathNotFound();
  }

  function currentStats(): SimStats {
    return { ...stats, byCode: { ...stats.byCode }, openWatches: watches.size, resourceVersion: store.currentResourceVersion(), memory: process.memoryUsage() };
  }

  async function simEndpoint(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === '/sim/stats' && method === 'GET') return sendJson(res, 200, currentStats());
    if (path === '/sim/gc' && method === 'POST') {
      // Only meaningful when node runs with --expose-gc; lets memory tests compare settled heaps.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) gc();
      return sendJson(res, 200, { gc: gc !== undefined, memory: process.memoryUsage() });
    }
    if (path === '/sim/faults') {
      if (method === 'GET') return sendJson(res, 200, faults.get());
      if (method === 'PUT') {
        const raw = parseBody(await readBody(req), mediaType(req));
        try {
          faults.set(validateFaultConfig(raw));
        } catch (e) {
          throw Errors.badRequest(e instanceof Error ? e.message : String(e));
        }
        return sendJson(res, 200, faults.get());
      }
      throw Errors.methodNotAllowed();
    }
    throw Errors.pathNotFound();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    res.on('finish', () => {
      const k = String(res.statusCode);
      stats.byCode[k] = (stats.byCode[k] ?? 0) + 1;
    });
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const q = url.searchParams;
    if (!authorized(req)) {
      req.resume();
      return sendStatus(res, Errors.unauthorized().status);
    }
    const isWatch = bool(q, 'watch');
    const decision = faults.decide(url.pathname, isWatch);
    if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
    if (decision.drop) {
      // Mid-response, as a dying apiserver or proxy does: headers and half a body, then nothing.
      stats.droppedConnections++;
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.write('{"kind":"Sta');
      setImmediate(() => req.socket.destroy());
      return;
    }
    if (decision.error !== undefined) {
      req.resume();
      const headers: Record<string, string> = decision.retryAfterSeconds !== undefined ? { 'Retry-After': String(decision.retryAfterSeconds) } : {};
      const status: Status =
        decision.error === 429
          ? Errors.tooManyRequests(decision.retryAfterSeconds ?? 1).status
          : decision.error === 503
            ? Errors.unavailable().status
            : { ...Errors.internal('injected fault').status, code: decision.error };
      return sendStatus(res, status, headers);
    }
    const target = route(url.pathname, registry);
    switch (target.kind) {
      case 'sim':
        return simEndpoint(target.path, req, res);
      case 'discovery':
        return discovery(target.path, res);
      case 'openapi': {
        const doc = options.openapi?.(target.path);
        if (!doc) throw Errors.pathNotFound();
        return sendJson(res, 200, doc, { 'Cache-Control': 'no-cache, private' });
      }
      case 'resource':
        return resource(target.request, req, res, q, isWatch, decision.gone);
      case 'pod-proxy':
        req.resume();
        return sendJson(res, 200, podProxy(options.store, target, (options.now ?? Date.now)()));
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      req.resume();
      sendError(res, error);
    });
  };
  const server: Server = options.tls ? createTlsServer({ key: options.tls.keyPem, cert: options.tls.certPem }, handler) : createServer(handler);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  return {
    server,
    stats: currentStats,
    closeWatches() {
      for (const close of [...watches]) close();
    },
  };
}

