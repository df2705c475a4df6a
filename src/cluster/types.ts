/**
 * The contract between kubectl-sei's services and the cluster. Only src/cluster/ imports
 * @kubernetes/client-node; everything else talks to a ClusterClient. Errors from any method are
 * SeiErrors (exit code 4 for API/transport problems) whose messages never contain credentials.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<Record<string, unknown>>;
  managedFields?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Identifies one object; namespace defaults to the client's namespace for namespaced kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The common connection flags, as kubectl users expect them (kubectl passes none to plugins). */
export interface ConnectionOptions {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  /** kubectl-style duration, e.g. "30s"; 0 = no per-request timeout. */
  requestTimeout?: string;
  /** kubectl's --as: impersonate this user (Impersonate-User header). */
  as?: string;
}

export interface ListOptions {
  /** Default: the client's namespace; "" lists or watches across all namespaces (kubectl -A). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Ends the list early (a watch's list is ended with its watch). */
  signal?: AbortSignal;
}

export interface ApplyOptions {
  dryRun?: 'server';
  force?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[];
  resourceVersion: string;
}

/**
 * A resumable watch of one resource in one namespace with one selector: ONE HTTP stream at a
 * time whatever the number of objects. It lists first, then watches from the list's
 * resourceVersion, resumes after a dropped stream, re-lists on 410 Gone and retries 429/5xx
 * with backoff. The returned promise resolves when `signal` aborts or `onEvent` returns 'stop'.
 */
export interface WatchRequest<T extends KubeObject = KubeObject> extends ListOptions {
  apiVersion: string;
  kind: string;
  signal?: AbortSignal;
  /** Called with a synthetic ADDED for every listed object, then for every event. */
  onEvent: (event: WatchEvent<T>) => 'stop' | void;
  /**
   * Called after the initial list (and after every re-list on 410 Gone) has been delivered
   * through onEvent, so a consumer can tell "not there" from "not seen yet".
   */
  onSynced?: () => 'stop' | void;
}

export interface ClusterClient {
  /** The namespace from -n, else the context's, else "default". */
  readonly namespace: string;
  readonly contextName: string;
  readonly server: string;
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined>;
  list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, options?: ListOptions): Promise<ListResult<T>>;
  /** Server-side apply with field manager `kubectl-sei`. */
  apply<T extends KubeObject = KubeObject>(object: KubeObject, options?: ApplyOptions): Promise<T>;
  delete(ref: ObjectRef): Promise<boolean>;
  watch<T extends KubeObject = KubeObject>(request: WatchRequest<T>): Promise<void>;
  /**
   * GET through the apiserver's pod proxy (/api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH), as
   * `kubectl get --raw` does; the parsed answer, or undefined when the pod, the port or the
   * permission (pods/proxy) is not there. One attempt: a caller that polls asks again anyway.
   */
  podProxyGet(namespace: string, pod: string, port: number, path: string, signal?: AbortSignal): Promise<unknown>;
  /** The CRD the cluster serves (cached per cluster), or undefined when not installed. */
  servedCrd(name: string): Promise<KubeObject | undefined>;
  /** Request and watch-connection counters, for benchmarks and efficiency tests. */
  readonly stats: { requests: number; watchConnections: number };
}
