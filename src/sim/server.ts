/**
 * The simulated Kubernetes API over node:http: authentication, fault injection, routing, and
 * the REST verbs (get, list, watch, create, update, patch incl. server-side apply, delete) with
 * the apiserver's semantics and Status errors. Object storage is the SimStore's; admission is
 * admission.ts's; this module decides only what each request means and what it answers.
 * It must never crash on a request: every failure becomes a metav1.Status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { ServingCert } from './tls.js';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { KubeObject, SimStore } from './types.js';
import { type ResourceInfo, type ResourceRegistry, apiVersionOf } from './resources.js';
import { route, type ResourceRequest } from './routing.js';
import { Errors, StatusError, qualified, successStatus, type Status } from './status.js';
import { mediaType, parseBody, readBody, sendError, sendJson, sendStatus } from './http-io.js';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { toTable, type IncludeObject } from './table.js';
import { serveWatch } from './watch.js';
import { admit, type FieldValidation, type SchemaValidator } from './admission.js';
import { recordUpdate, serverSideApply, type Scope } from './managed-fields.js';
import { PATCH_TYPES, jsonPatch, mergePatch } from './patch.js';
import { FaultInjector, validateFaultConfig } from './faults.js';
import { isStoreError } from './store-errors.js';
import type { OpenApiProvider } from './openapi.js';

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

type Query = URLSearchParams;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** What the client accepts: a Table (kubectl get) or plain JSON. Protobuf is not spoken. */
function negotiate(req: IncomingMessage): 'table' | 'json' {
  const accept = String(req.headers.accept ?? '*/*');
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((kv) => kv.split('=').map((s) => s.trim())));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    if (p.as === 'Table' && (p.v === 'v1' || p.v === undefined) && (p.g === 'meta.k8s.io' || p.g === undefined)) return 'table';
    if (p.as === undefined) return 'json';
  }
  throw Errors.notAcceptable('only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io');
}

function includeObject(q: Query): IncludeObject {
  const v = q.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw Errors.badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
  return v;
}

function fieldValidation(q: Query): FieldValidation {
  const v = q.get('fieldValidation') ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') {
    throw Errors.badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
  }
  return v;
}

function dryRun(q: Query): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw Errors.badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

function bool(q: Query, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

function fieldManager(req: IncomingMessage, q: Query, required: boolean): string {
  const explicit = q.get('fieldManager');
  if (explicit !== null) {
    if (explicit.length > 128) throw Errors.badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    return explicit;
  }
  if (required) throw Errors.badRequest('fieldManager is required for apply requests');
  // The apiserver's default: the user agent's program name.
  return String(req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown';
}

function warningHeaders(warnings: string[]): Record<string, string> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

function encodeContinue(rv: string, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: `${lastKey}\u0000` })).toString('base64url');
}

function decodeContinue(token: string): { start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof parsed.start !== 'string') throw new Error('no start');
    return { start: parsed.start };
  } catch {
    throw Errors.badRequest('continue key is not valid: illegal base64 data at input byte 0');
  }
}

const objectKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export function createApiServer(options: ApiServerOptions): ApiServer {
  const { store, registry, faults } = options;
  const now = options.now ?? Date.now;
  const token = Buffer.from(options.token);
  const watches = new Set<() => void>();
  const stats = { requests: 0, byCode: {} as Record<string, number>, watchesServed: 0, droppedConnections: 0 };

  const authorized = (req: IncomingMessage): boolean => {
    const header = String(req.headers.authorization ?? '');
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return false;
    const given = Buffer.from(m[1].trim());
    return given.length === token.length && timingSafeEqual(given, token);
  };

  const storeError = (e: unknown, info: ResourceInfo): unknown => {
    if (!isStoreError(e)) return e;
    switch (e.reason) {
      case 'NotFound':
        return Errors.notFound(info.plural, info.group, e.objectName);
      case 'AlreadyExists':
        return Errors.alreadyExists(info.plural, info.group, e.objectName);
      case 'Conflict':
        return Errors.conflict(info.plural, info.group, e.objectName);
      case 'Invalid':
        return Errors.invalid(info.kind, info.group, e.objectName, [{ reason: 'FieldValueRequired', message: e.message.replace(/^metadata\.name: /, ''), field: 'metadata.name' }]);
    }
  };

  const namespaceExists = (ns: string) => store.get('namespaces', undefined, ns) !== undefined;

  function render(info: ResourceInfo, req: IncomingMessage, q: Query) {
    const as = negotiate(req);
    if (as === 'json') return (o: KubeObject) => o;
    const include = includeObject(q);
    return (o: KubeObject) => toTable(info, [o], { include, resourceVersion: o.metadata.resourceVersion });
  }

  function list(r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query): void {
    const { info } = r;
    const as = negotiate(req);
    const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined, info.plural, info.custom);
    const rv = store.currentResourceVersion();
    let items = store.list(info.plural, r.namespace).filter((o) => labels(o) && fields(o));
    const cont = q.get('continue');
    if (cont) {
      const { start } = decodeContinue(cont);
      items = items.filter((o) => `${objectKey(o)}\u0000` > start);
    }
    const limit = Number(q.get('limit') ?? '0');
    if (!Number.isInteger(limit) || limit < 0) throw Errors.badRequest(`limit: Invalid value: "${q.get('limit')}"`);
    let continueToken: string | undefined;
    let remaining: number | undefined;
    if (limit > 0 && items.length > limit) {
      remaining = items.length - limit;
      items = items.slice(0, limit);
      continueToken = encodeContinue(rv, objectKey(items[items.length - 1]));
    }
    if (as === 'table') {
      sendJson(res, 200, toTable(info, items, { include: includeObject(q), resourceVersion: rv, continueToken }));
      return;
    }
    sendJson(res, 200, {
      kind: info.listKind,
      apiVersion: apiVersionOf(info),
      metadata: { resourceVersion: rv, ...(continueToken ? { continue: continueToken, remainingItemCount: remaining } : {}) },
      items,
    });
  }

  function watch(r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query, forceGone: boolean): void {
    const { info } = r;
    const renderer = render(info, req, q);
    const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
    let fields = parseFieldSelector(q.get('fieldSelector') ?? undefined, info.plural, info.custom);
    // GET .../name?watch=1 is a watch of that one object.
    if (r.name !== undefined) {
      const only = r.name;
      const base = fields;
      fields = (o) => o.metadata.name === only && base(o);
    }
    const timeout = q.get('timeoutSeconds');
    const path = new URL(req.url ?? '/', 'http://sim.invalid').pathname;
    stats.watchesServed++;
    serveWatch(req, res, store, {
      info,
      namespace: r.namespace,
      labels,
      fields,
      resourceVersion: q.get('resourceVersion') ?? undefined,
      allowBookmarks: bool(q, 'allowWatchBookmarks'),
      timeoutSeconds: timeout === null ? undefined : Number(timeout),
      render: renderer,
      closeAfterEvents: () => faults.watchCloseAfter(path),
      forceGone,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      oldestResourceVersion: () =>
        String(Number((store as SimStore & { compactedResourceVersion?: () => string }).compactedResourceVersion?.() ?? '0') + 1),
    }, {
      add(close) {
        watches.add(close);
        return () => watches.delete(close);
      },
    });
  }

  function get(r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query): void {
    const { info } = r;
    const as = negotiate(req);
    const o = store.get(info.plural, r.namespace, r.name!);
    if (!o) throw Errors.notFound(info.plural, info.group, r.name!);
    sendJson(res, 200, as === 'table' ? toTable(info, [o], { include: includeObject(q), resourceVersion: o.metadata.resourceVersion }) : o);
  }

  /** Body → object with the request's identity checks that every write shares. */
  function bodyObject(info: ResourceInfo, r: ResourceRequest, raw: unknown): KubeObject {
    if (!isObj(raw)) throw Errors.badRequest(`the object provided is unrecognized (must be of type ${info.kind}): couldn't get version/kind; json parse error: cannot unmarshal ${Array.isArray(raw) ? 'array' : typeof raw} into Go value of type struct`);
    const o = raw as KubeObject;
    if (o.apiVersion !== undefined && o.apiVersion !== apiVersionOf(info)) {
      throw Errors.badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${apiVersionOf(info)})`);
    }
    if (o.kind !== undefined && o.kind !== info.kind) {
      throw Errors.badRequest(`the kind in the data (${String(o.kind)}) does not match the expected kind (${info.kind})`);
    }
    o.apiVersion = apiVersionOf(info);
    o.kind = info.kind;
    if (o.metadata === undefined) o.metadata = {};
    if (!isObj(o.metadata)) throw Errors.badRequest('metadata: must be an object');
    if (info.namespaced) {
      if (o.metadata.namespace && o.metadata.namespace !== r.namespace) {
        throw Errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (r.namespace === undefined) throw Errors.pathNotFound();
      o.metadata.namespace = r.namespace;
    } else {
      delete o.metadata.namespace;
    }
    if (r.name !== undefined && o.metadata.name !== undefined && o.metadata.name !== r.name) {
      throw Errors.badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${r.name})`);
    }
    if (r.name !== undefined) o.metadata.name = r.name;
    return o;
  }

  /** Admission, then the 422/400 the apiserver would answer. */
  function admitOrThrow(info: ResourceInfo, o: KubeObject, old: KubeObject | undefined, q: Query): { object: KubeObject; warnings: string[] } {
    const outcome = admit(info, o, old, fieldValidation(q), options.validator);
    if (outcome.strictError) throw Errors.badRequest(outcome.strictError);
    if (outcome.causes.length > 0) throw Errors.invalid(info.kind, info.group, o.metadata.name ?? '', outcome.causes);
    return { object: outcome.object, warnings: outcome.warnings };
  }

  function requireNamespace(r: ResourceRequest): void {
    if (r.info.namespaced && r.namespace !== undefined && !namespaceExists(r.namespace)) throw Errors.namespaceNotFound(r.namespace);
  }

  function stripServerFields(o: KubeObject): void {
    for (const f of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']) {
      delete o.metadata[f];
    }
  }

  function doCreate(info: ResourceInfo, r: ResourceRequest, o: KubeObject, q: Query, manager: string, managedFields?: Array<Record<string, unknown>>): { object: KubeObject; warnings: string[] } {
    if (info.readOnly) throw Errors.methodNotAllowed();
    requireNamespace(r);
    if (!o.metadata.name && !o.metadata.generateName) {
      throw Errors.invalid(info.kind, info.group, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
    }
    stripServerFields(o);
    if (info.custom && info.hasStatus) delete o.status;
    // A namespace is born Active (the apiserver's namespace strategy sets it).
    if (info.plural === 'namespaces') o.status = { phase: 'Active' };
    const admitted = admitOrThrow(info, o, undefined, q);
    const object = admitted.object;
    const stamp = rfc3339(now());
    object.metadata.managedFields = managedFields ?? recordUpdate(undefined, object, manager, apiVersionOf(info), 'main', stamp);
    if (dryRun(q)) {
      const name = object.metadata.name ?? `${object.metadata.generateName ?? ''}dryrun`;
      return { object: { ...object, metadata: { ...object.metadata, name, uid: randomUUID(), creationTimestamp: stamp, generation: 1 } }, warnings: admitted.warnings };
    }
    try {
      return { object: store.create(info.plural, object), warnings: admitted.warnings };
    } catch (e) {
      throw storeError(e, info);
    }
  }

  /** Writes a changed object through the main resource or its status, after admission. */
  function doUpdate(info: ResourceInfo, live: KubeObject, next: KubeObject, scope: Scope, q: Query): { object: KubeObject; warnings: string[] } {
    if (info.readOnly) throw Errors.methodNotAllowed();
    // Main-resource writes cannot change status and status writes cannot change spec.
    const candidate: KubeObject =
      scope === 'status'
        ? { ...structuredClone(live), status: next.status, metadata: { ...live.metadata, resourceVersion: next.metadata.resourceVersion, managedFields: next.metadata.managedFields } }
        : { ...next, ...(info.hasStatus && 'status' in live ? { status: live.status } : {}) };
    if (scope === 'main' && info.hasStatus && !('status' in live)) delete candidate.status;
    const admitted = admitOrThrow(info, candidate, live, q);
    if (dryRun(q)) return { object: admitted.object, warnings: admitted.warnings };
    try {
      // Status writes do not record managedFields: a second write would cost a second event.
      if (scope === 'status') return { object: store.updateStatus(info.plural, admitted.object), warnings: admitted.warnings };
      return { object: store.update(info.plural, admitted.object), warnings: admitted.warnings };
    } catch (e) {
      throw storeError(e, info);
    }
  }

  function liveOrThrow(r: ResourceRequest): KubeObject {
    const live = store.get(r.info.plural, r.namespace, r.name!);
    if (!live) throw Errors.notFound(r.info.plural, r.info.group, r.name!);
    return live;
  }

  async function create(r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query): Promise<void> {
    const raw = parseBody(await readBody(req), mediaType(req));
    const o = bodyObject(r.info, { ...r, name: undefined }, raw);
    const { object, warnings } = doCreate(r.info, r, o, q, fieldManager(req, q, false));
    sendJson(res, 201, object, warningHeaders(warnings));
  }

  async function update(r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query): Promise<void> {
    const { info } = r;
    const raw = parseBody(await readBody(req), mediaType(req));
    const o = bodyObject(info, r, raw);
    const live = liveOrThrow(r);
    const scope: Scope = r.subresource === 'status' ? 'status' : 'main';
    if (info.custom && !o.metadata.resourceVersion) {
      throw Errors.invalid(info.kind, info.group, r.name!, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }]);
    }
    // Identity fields are the server's: a PUT cannot rewrite them.
    o.metadata.uid = o.metadata.uid ?? live.metadata.uid;
    o.metadata.managedFields = recordUpdate(live, { ...o, metadata: { ...o.metadata, managedFields: live.metadata.managedFields } }, fieldManager(req, q, false), apiVersionOf(info), scope, rfc3339(now()));
    const { object, warnings } = doUpdate(info, live, o, scope, q);
    sendJson(res, 200, object, warningHeaders(warnings));
  }

  async function patch(r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query): Promise<void> {
    const { info } = r;
    const type = mediaType(req);
    const scope: Scope = r.subresource === 'status' ? 'status' : 'main';
    const accepted = info.custom ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply] : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];
    if (!(accepted as string[]).includes(type)) throw Errors.unsupportedMediaType(accepted);
    const force = q.get('force');
    if (force !== null && type !== PATCH_TYPES.apply) throw Errors.badRequest('force: Invalid value: true: may not be specified for non-apply patch');
    const body = await readBody(req);
    const stamp = rfc3339(now());
    if (type === PATCH_TYPES.apply) {
      const manager = fieldManager(req, q, true);
      const config = bodyObject(info, r, parseBody(body, type));
      if (!isObj(config.metadata) || !config.metadata.name) config.metadata.name = r.name;
      const live = store.get(info.plural, r.namespace, r.name!);
      if (!live && scope === 'status') throw Errors.notFound(info.plural, info.group, r.name!);
      const merged = serverSideApply({ live, config, manager, force: force === 'true', apiVersion: apiVersionOf(info), scope, now: stamp }) as KubeObject;
      if (!live) {
        const { managedFields } = merged.metadata;
        const fresh: KubeObject = { ...merged, apiVersion: apiVersionOf(info), kind: info.kind, metadata: { ...merged.metadata, name: r.name, namespace: r.namespace } };
        const { object, warnings } = doCreate(info, r, fresh, q, manager, managedFields);
        sendJson(res, 201, object, warningHeaders(warnings));
        return;
      }
      if (config.metadata.resourceVersion) merged.metadata.resourceVersion = config.metadata.resourceVersion;
      else merged.metadata.resourceVersion = live.metadata.resourceVersion;
      const { object, warnings } = doUpdate(info, live, merged, scope, q);
      sendJson(res, 200, object, warningHeaders(warnings));
      return;
    }
    const live = liveOrThrow(r);
    const doc = parseBody(body, 'application/json');
    const patched = (type === PATCH_TYPES.json ? jsonPatch(live, doc) : mergePatch(live, doc)) as KubeObject;
    if (!isObj(patched) || !isObj(patched.metadata)) throw Errors.badRequest('the patch removed the object metadata');
    patched.metadata.name = live.metadata.name;
    patched.metadata.namespace = live.metadata.namespace;
    patched.apiVersion = live.apiVersion;
    patched.kind = live.kind;
    patched.metadata.managedFields = recordUpdate(live, { ...patched, metadata: { ...patched.metadata, managedFields: live.metadata.managedFields } }, fieldManager(req, q, false), apiVersionOf(info), scope, stamp);
    const { object, warnings } = doUpdate(info, live, patched, scope, q);
    sendJson(res, 200, object, warningHeaders(warnings));
  }

  async function remove(r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query): Promise<void> {
    const { info } = r;
    if (info.readOnly) throw Errors.methodNotAllowed();
    const body = await readBody(req);
    let preconditions: { uid?: string; resourceVersion?: string } = {};
    if (body.length > 0 && body.toString('utf8').trim() !== '') {
      const opts = parseBody(body, mediaType(req));
      if (isObj(opts) && isObj(opts.preconditions)) preconditions = opts.preconditions as typeof preconditions;
      if (isObj(opts) && Array.isArray(opts.dryRun) && opts.dryRun.includes('All')) q.append('dryRun', 'All');
    }
    const live = liveOrThrow(r);
    if (preconditions.uid && preconditions.uid !== live.metadata.uid) {
      throw new StatusError({ ...Errors.conflict(info.plural, info.group, r.name!).status, message: `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${live.metadata.uid}` });
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== live.metadata.resourceVersion) {
      throw new StatusError({ ...Errors.conflict(info.plural, info.group, r.name!).status, message: `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion}` });
    }
    if (dryRun(q)) {
      sendJson(res, 200, live);
      return;
    }
    if (info.plural === 'namespaces') {
      // Namespace deletion removes everything in it (the apiserver's namespace controller).
      for (const other of registry.all) {
        if (!other.namespaced) continue;
        for (const o of store.list(other.plural, r.name)) store.delete(other.plural, r.name, o.metadata.name!);
      }
    }
    const deleted = store.delete(info.plural, r.namespace, r.name!);
    if (!deleted) throw Errors.notFound(info.plural, info.group, r.name!);
    // Like the apiserver: custom resources, pods and namespaces answer with the object, the
    // other core kinds with a Success Status naming it.
    if (info.custom || info.plural === 'pods' || info.plural === 'namespaces') sendJson(res, 200, deleted);
    else sendJson(res, 200, successStatus({ name: r.name, kind: info.plural, uid: deleted.metadata.uid }));
  }

  async function removeCollection(r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query): Promise<void> {
    const { info } = r;
    if (info.readOnly || !info.verbs.includes('deletecollection')) throw Errors.methodNotAllowed();
    await readBody(req);
    const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined, info.plural, info.custom);
    const items = store.list(info.plural, r.namespace).filter((o) => labels(o) && fields(o));
    const deleted = dryRun(q) ? items : items.map((o) => store.delete(info.plural, o.metadata.namespace, o.metadata.name!)).filter((o): o is KubeObject => o !== undefined);
    sendJson(res, 200, { kind: info.listKind, apiVersion: apiVersionOf(info), metadata: { resourceVersion: store.currentResourceVersion() }, items: deleted });
  }

  async function resource(r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query, isWatch: boolean, forceGone: boolean): Promise<void> {
    const method = req.method ?? 'GET';
    if (r.name === undefined) {
      if (method === 'GET' && isWatch) return watch(r, req, res, q, forceGone);
      if (method === 'GET') return list(r, req, res, q);
      if (method === 'POST' && r.info.verbs.includes('create')) return create(r, req, res, q);
      if (method === 'DELETE') return removeCollection(r, req, res, q);
      throw Errors.methodNotAllowed();
    }
    if (method === 'GET' && isWatch) return watch(r, req, res, q, forceGone);
    if (method === 'GET') return get(r, req, res, q);
    if (method === 'PUT') return update(r, req, res, q);
    if (method === 'PATCH') return patch(r, req, res, q);
    if (method === 'DELETE' && r.subresource === undefined) return remove(r, req, res, q);
    throw Errors.methodNotAllowed();
  }

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
      const doc = resourceList(registry, '', segs[1]);
      if (doc) return sendJson(res, 200, doc);
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const doc = group(registry, segs[1]);
      if (doc) return sendJson(res, 200, doc);
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const doc = resourceList(registry, segs[1], segs[2]);
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
      stats.droppedConnections++;
      req.socket.destroy();
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

export { qualified };
