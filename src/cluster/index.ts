/**
 * connect(): the one way kubectl-sei talks to a cluster. Resolves the kubeconfig (kubectl's
 * rules), then serves get/list/apply/delete/watch/servedCrd over client-node with plain JSON
 * objects. Apply is always server-side apply as field manager `kubectl-sei`.
 * Must not: print, decide verdicts, or let a raw client-node/node-fetch error escape.
 */
import { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
import { FIELD_MANAGER } from '../domain/labels.js';
import { SeiError } from '../errors/sei-error.js';
import { crdNotInstalled, isResourceNotServed, safeServer } from './errors.js';
import { loadKubeconfig, type KubeconfigEnvironment } from './kubeconfig.js';
import { qualifiedName, resourcePath, ResourceResolver, type ResourceInfo } from './resources.js';
import { DEFAULT_RETRY, parseRequestTimeout, Transport, type RetryPolicy } from './transport.js';
import { resumableWatch } from './watch.js';
import type {
  ApplyOptions,
  ClusterClient,
  ConnectionOptions,
  KubeObject,
  ListOptions,
  ListResult,
  ObjectRef,
  WatchRequest,
} from './types.js';

export type { ClusterClient, ConnectionOptions } from './types.js';

/** Knobs for tests and benchmarks; commands never pass them. */
export interface ConnectTuning {
  environment?: KubeconfigEnvironment;
  retry?: Partial<RetryPolicy>;
  /** Page size of list requests (default 500, as kubectl). */
  pageSize?: number;
}

const CRD_API = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };

/** Served CRDs by server URL and name, shared by every client of this process. */
const crdCache = new Map<string, Promise<KubeObject | undefined>>();

export async function connect(options: ConnectionOptions = {}, tuning: ConnectTuning = {}): Promise<ClusterClient> {
  const resolved = loadKubeconfig(options, tuning.environment);
  const requestTimeoutMs = parseRequestTimeout(options.requestTimeout);
  const transport = new Transport(resolved.kubeConfig, safeServer(resolved.server), requestTimeoutMs, { ...DEFAULT_RETRY, ...tuning.retry });
  return new Client(transport, resolved.namespace, resolved.contextName, tuning.pageSize ?? 500);
}

class Client implements ClusterClient {
  private readonly resources: ResourceResolver;

  constructor(
    private readonly transport: Transport,
    readonly namespace: string,
    readonly contextName: string,
    private readonly pageSize: number,
  ) {
    this.resources = new ResourceResolver(transport);
  }

  get server(): string {
    return this.transport.server;
  }

  get stats() {
    return this.transport.stats;
  }

  private namespaceFor(info: ResourceInfo, namespace: string | undefined): string | undefined {
    if (!info.namespaced) return undefined;
    return namespace === undefined ? this.namespace : namespace;
  }

  private describe(info: ResourceInfo, name?: string) {
    return { what: name === undefined ? qualifiedName(info) : `${qualifiedName(info)} "${name}"`, group: info.group, kind: info.kind };
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const info = await this.resources.resolve(ref.apiVersion, ref.kind);
    const response = await this.transport.request({
      method: 'GET',
      path: resourcePath(info, this.namespaceFor(info, ref.namespace), ref.name),
      accept: [404],
      context: { verb: 'get', ...this.describe(info, ref.name) },
    });
    if (response.status === 404) {
      if (isResourceNotServed(response.body)) throw crdNotInstalled({ server: this.server, verb: 'get', ...this.describe(info) });
      return undefined;
    }
    return withType(response.body as T, ref.apiVersion, ref.kind);
  }

  async podProxyGet(namespace: string, pod: string, port: number, path: string, signal?: AbortSignal): Promise<unknown> {
    const response = await this.transport.request({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}:${port}/proxy/${path}`,
      // Not there, not allowed or not answering: the caller goes without (no retries on a poll).
      accept: [403, 404, 500, 502, 503],
      context: { verb: 'get', what: `pods/proxy "${pod}:${port}/${path}"`, group: '', kind: 'Pod' },
      ...(signal ? { signal } : {}),
    });
    return response.status === 200 ? response.body : undefined;
  }

  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, options: ListOptions = {}): Promise<ListResult<T>> {
    const info = await this.resources.resolve(apiVersion, kind);
    // An empty namespace lists across all namespaces, as kubectl -A.
    const namespace = options.namespace === '' ? undefined : this.namespaceFor(info, options.namespace);
    const path = resourcePath(info, namespace);
    const items: T[] = [];
    let resourceVersion = '';
    let token: string | undefined;
    let restarted = false;
    do {
      const response = await this.transport.request({
        method: 'GET',
        path,
        query: { limit: this.pageSize, continue: token, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
        accept: token !== undefined && !restarted ? [410] : [],
        context: { verb: 'list', ...this.describe(info) },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (response.status === 410) {
        // The continue token expired mid-pagination: start over once from a fresh snapshot.
        restarted = true;
        items.length = 0;
        token = undefined;
        continue;
      }
      const page = response.body as { items?: T[]; metadata?: { resourceVersion?: string; continue?: string } } | undefined;
      for (const item of page?.items ?? []) items.push(withType(item, apiVersion, kind));
      resourceVersion = page?.metadata?.resourceVersion ?? resourceVersion;
      token = page?.metadata?.continue || undefined;
    } while (token !== undefined);
    return { items, resourceVersion };
  }

  async apply<T extends KubeObject = KubeObject>(object: KubeObject, options: ApplyOptions = {}): Promise<T> {
    const info = await this.resources.resolve(object.apiVersion, object.kind);
    const name = object.metadata?.name;
    if (!name) {
      throw SeiError.invalid(`${object.kind} has no metadata.name: server-side apply needs a name (generateName is not supported)`, [
        { field: 'metadata.name', type: 'FieldValueRequired', message: 'Required value' },
      ]);
    }
    const namespace = this.namespaceFor(info, object.metadata.namespace);
    const body: KubeObject = namespace === undefined ? object : { ...object, metadata: { ...object.metadata, namespace } };
    const response = await this.transport.request({
      method: 'PATCH',
      path: resourcePath(info, namespace, name),
      query: { fieldManager: FIELD_MANAGER, force: options.force === true ? true : undefined, dryRun: options.dryRun === 'server' ? 'All' : undefined },
      body,
      contentType: PatchStrategy.ServerSideApply,
      context: { verb: 'patch', ...this.describe(info, name) },
    });
    return withType(response.body as T, object.apiVersion, object.kind);
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    const info = await this.resources.resolve(ref.apiVersion, ref.kind);
    const response = await this.transport.request({
      method: 'DELETE',
      path: resourcePath(info, this.namespaceFor(info, ref.namespace), ref.name),
      accept: [404],
      context: { verb: 'delete', ...this.describe(info, ref.name) },
    });
    if (response.status === 404) {
      if (isResourceNotServed(response.body)) throw crdNotInstalled({ server: this.server, verb: 'delete', ...this.describe(info) });
      return false;
    }
    return true;
  }

  async watch<T extends KubeObject = KubeObject>(request: WatchRequest<T>): Promise<void> {
    const info = await this.resources.resolve(request.apiVersion, request.kind);
    const namespace = request.namespace === '' ? undefined : this.namespaceFor(info, request.namespace);
    const listOptions: ListOptions = { namespace: namespace ?? '', labelSelector: request.labelSelector, fieldSelector: request.fieldSelector, ...(request.signal ? { signal: request.signal } : {}) };
    await resumableWatch(
      {
        transport: this.transport,
        kubeConfig: this.transport.kubeConfig,
        path: resourcePath(info, namespace),
        query: { labelSelector: request.labelSelector, fieldSelector: request.fieldSelector },
        context: { verb: 'watch', ...this.describe(info) },
        list: () => this.list(request.apiVersion, request.kind, listOptions),
      },
      request,
    );
  }

  servedCrd(name: string): Promise<KubeObject | undefined> {
    const cacheKey = `${this.server}\u0000${name}`;
    let cached = crdCache.get(cacheKey);
    if (!cached) {
      cached = this.get({ ...CRD_API, name });
      crdCache.set(cacheKey, cached);
      // A failure is not an answer: the next caller asks again.
      cached.catch(() => crdCache.delete(cacheKey));
    }
    return cached;
  }
}

/** Items of a list carry no apiVersion/kind for built-in types; callers rely on both. */
function withType<T extends KubeObject>(object: T, apiVersion: string, kind: string): T {
  if (object && typeof object === 'object' && (!object.apiVersion || !object.kind)) {
    return { ...object, apiVersion: object.apiVersion || apiVersion, kind: object.kind || kind };
  }
  return object;
}

/** Forget cached CRDs (tests that reinstall CRDs on the same server URL). */
export function clearServedCrdCache(): void {
  crdCache.clear();
}
