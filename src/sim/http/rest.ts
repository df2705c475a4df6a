/**
 * The REST verbs on one resource: get, list, watch, create, update, patch (merge, JSON,
 * server-side apply) and delete, with the apiserver's semantics: identity checks between URL and
 * body, admission before any write, status only through /status, managedFields, dryRun, and
 * store failures turned into Status errors. Must not know about auth, faults or the socket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { KubeObject, SimStore } from '../types.js';
import { type ResourceInfo, type ResourceRegistry, apiVersionOf } from '../resources.js';
import type { ResourceRequest } from './routing.js';
import { Errors, StatusError, successStatus } from './status.js';
import { mediaType, parseBody, readBody, sendJson } from './io.js';
import { parseFieldSelector, parseLabelSelector } from '../storage/selectors.js';
import { toTable } from './table.js';
import { serveWatch } from './watch.js';
import { admit, type SchemaValidator } from '../admission/admission.js';
import { recordUpdate, serverSideApply, type Scope } from './managed-fields.js';
import { PATCH_TYPES, jsonPatch, mergePatch, strategicAsMerge } from './patch.js';
import type { FaultInjector } from '../faults.js';
import { isStoreError } from '../storage/errors.js';
import {
  type Query,
  bool,
  decodeContinue,
  dryRun,
  encodeContinue,
  fieldManager,
  fieldValidation,
  includeObject,
  isObj,
  negotiate,
  objectKey,
  partialMetadata,
  rfc3339,
  warningHeaders,
} from './request-params.js';

export interface RestDeps {
  store: SimStore;
  registry: ResourceRegistry;
  faults: FaultInjector;
  validator?: SchemaValidator;
  now: () => number;
  bookmarkIntervalMs?: number;
  /** Open watch streams, by their close function (for shutdown and stats). */
  watches: Set<() => void>;
  stats: { watchesServed: number };
}

export type RestHandler = (r: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: Query, isWatch: boolean, forceGone: boolean) => Promise<void>;

export function createRestHandler(deps: RestDeps): RestHandler {
  const { store, registry, faults, now, watches, stats } = deps;
  const options = deps;

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
    if (as === 'meta') return partialMetadata;
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
      continueToken = encodeContinue(rv, objectKey(items[items.length - 1]!));
    }
    if (as === 'table') {
      sendJson(res, 200, toTable(info, items, { include: includeObject(q), resourceVersion: rv, continueToken }));
      return;
    }
    if (as === 'meta') {
      const metadata = { resourceVersion: rv, ...(continueToken ? { continue: continueToken, remainingItemCount: remaining } : {}) };
      sendJson(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: items.map(partialMetadata) });
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
    sendJson(res, 200, as === 'table' ? toTable(info, [o], { include: includeObject(q), resourceVersion: o.metadata.resourceVersion }) : as === 'meta' ? partialMetadata(o) : o);
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
    info.strategy.prepareForCreate?.(o);
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
    const patched = (type === PATCH_TYPES.json ? jsonPatch(live, doc) : mergePatch(live, type === PATCH_TYPES.strategic ? strategicAsMerge(doc) : doc)) as KubeObject;
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
    info.strategy.cascade?.(live, { store, registry });
    const deleted = store.delete(info.plural, r.namespace, r.name!);
    if (!deleted) throw Errors.notFound(info.plural, info.group, r.name!);
    if (info.strategy.deleteResponse === 'object') sendJson(res, 200, deleted);
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

  return resource;
}
