/**
 * Reading and deleting SeiNodeTasks for `task get|describe|delete`: one list or get per call,
 * NotFound turned into a refusal that suggests close names. It never creates or patches.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import type { Catalog } from '../catalog/types.js';
import { SeiError } from '../errors/sei-error.js';
import * as view from '../output/task-view.js';
import { getNamed, listSelected, type NamedResource, type ObjectQuery } from './named-objects.js';
import { notFoundNear, TASK_API_VERSION, TASK_KIND } from './preflight.js';

/** What `task get|delete` ask for. */
export type TaskQuery = ObjectQuery;

/** SeiNodeTasks as their reads name them. */
const TASK_RESOURCE: NamedResource = { apiVersion: TASK_API_VERSION, kind: TASK_KIND, resource: 'seinodetasks.sei.io', listCommand: 'kubectl sei task get' };

/** What a watch or list of SeiNodeTasks names. */
export const TASK_LIST_REF = { apiVersion: TASK_API_VERSION, kind: TASK_KIND } as const;

export function getTask(client: ClusterClient, name: string, namespace = client.namespace): Promise<KubeObject> {
  return getNamed(client, TASK_RESOURCE, name, namespace);
}

/**
 * Named tasks in order (every name must exist), or all matching the selector, in the API
 * server's order. Several names are one list filtered by the selectors, not a get each.
 */
export async function listTasks(client: ClusterClient, query: TaskQuery): Promise<KubeObject[]> {
  const namespace = query.namespace ?? client.namespace;
  if (!query.names || query.names.length === 0) return listSelected(client, TASK_RESOURCE, query);
  if (query.names.length === 1) return [await getTask(client, query.names[0] as string, namespace)];
  const byName = new Map((await listSelected(client, TASK_RESOURCE, { ...query, allNamespaces: false, namespace })).map((t) => [t.metadata.name ?? '', t]));
  const result: KubeObject[] = [];
  for (const name of query.names) {
    const task = byName.get(name);
    if (!task) throw await notFoundNear(client, TASK_RESOURCE, name, namespace);
    result.push(task);
  }
  return result;
}

export interface DeleteResult {
  name: string;
  namespace: string;
  deleted: boolean;
  /** Said before deleting a task that is not terminal: its sidecar work goes on. */
  warning?: string;
}

/**
 * What deleting a task that is not terminal does not do: the real controller has no finalizer
 * and no cancel (upstream internal/controller/nodetask/controller.go:492-501), so work already
 * submitted to the node's sidecar goes on, and a task created again under the name is a new
 * task (new uid, new sidecar task id) that runs again. Loud for a broadcast or a SIGTERM.
 */
export function deleteWarning(task: KubeObject, broadcast: { noun: string } | undefined): string | undefined {
  if (view.isTerminal(task)) return undefined;
  const name = task.metadata.name ?? '';
  const kind = view.taskKind(task);
  const payload = Object.values(view.spec(task)).find((value) => value !== null && typeof value === 'object' && (value as { action?: unknown }).action !== undefined) as { action?: unknown } | undefined;
  const submitted = view.taskInfo(task)['submittedAt'] !== undefined || view.taskInfo(task)['id'] !== undefined;
  const base = `${kind} "${name}" is ${view.phase(task) ?? 'not started'}: deleting it does not cancel it${submitted ? ' — the sidecar keeps running the work already submitted' : ''}, and creating "${name}" again runs it again.`;
  if (broadcast) return `WARNING: ${base} The sidecar may still BROADCAST ITS TRANSACTION after the delete; recreating the name broadcasts another one (a duplicate ${broadcast.noun}).`;
  if (payload?.action === 'SIGTERM_SEID') return `WARNING: ${base} seid WILL STILL BE SIGTERMed at the target height; recreating the name sends another SIGTERM.`;
  return `Warning: ${base}`;
}

/** Deletes named tasks (each must exist unless ignoreNotFound) or every task matching a selector. */
export async function deleteTasks(client: ClusterClient, query: TaskQuery & { ignoreNotFound?: boolean; catalog?: Catalog }): Promise<DeleteResult[]> {
  const namespace = query.namespace ?? client.namespace;
  if (!query.names?.length && !query.labelSelector) {
    throw SeiError.invalid('name the tasks to delete, or pass -l SELECTOR', [], ['kubectl sei task delete NAME… -n NS', 'kubectl sei task delete -l sei.io/node=node-0 -n NS']);
  }
  let targets: string[];
  if (query.names?.length) {
    if (!query.ignoreNotFound) await listTasks(client, { names: query.names, namespace });
    targets = query.names;
  } else {
    targets = (await listTasks(client, { namespace, ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}) })).map((t) => t.metadata.name ?? '');
  }
  const results: DeleteResult[] = [];
  for (const name of targets) {
    const live = await client.get({ apiVersion: TASK_API_VERSION, kind: TASK_KIND, name, namespace });
    const spec = live ? query.catalog?.find(view.taskKind(live)) : undefined;
    const warning = live ? deleteWarning(live, spec?.broadcasts ? { noun: spec.broadcastNoun ?? 'transaction' } : undefined) : undefined;
    results.push({ name, namespace, deleted: await client.delete({ apiVersion: TASK_API_VERSION, kind: TASK_KIND, name, namespace }), ...(warning ? { warning } : {}) });
  }
  return results;
}

/**
 * The core/v1 Events about one task (the controller's Warning on every failure), oldest first,
 * as `kubectl describe` selects them: by involved object name, kind and uid.
 */
export async function taskEvents(client: ClusterClient, task: KubeObject): Promise<KubeObject[]> {
  const namespace = task.metadata.namespace ?? client.namespace;
  const selector = `involvedObject.name=${task.metadata.name ?? ''},involvedObject.kind=${TASK_KIND}`;
  const { items } = await client.list('v1', 'Event', { namespace, fieldSelector: selector });
  const uid = task.metadata.uid;
  const mine = items.filter((event) => uid === undefined || (event['involvedObject'] as { uid?: string } | undefined)?.uid === uid);
  const at = (event: KubeObject): string => String(event['lastTimestamp'] ?? event.metadata.creationTimestamp ?? '');
  return mine.sort((a, b) => at(a).localeCompare(at(b)));
}
