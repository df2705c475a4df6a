/**
 * Reading and deleting SeiNodeTasks for `task get|describe|delete`: one list or get per call,
 * NotFound turned into a refusal that suggests close names. It never creates or patches.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import { closeNames, TASK_API_VERSION, TASK_KIND } from './preflight.js';

export interface TaskQuery {
  names?: string[];
  labelSelector?: string;
  fieldSelector?: string;
  /** -A: every namespace. */
  allNamespaces?: boolean;
  namespace?: string;
}

async function notFound(client: ClusterClient, name: string, namespace: string): Promise<SeiError> {
  const all = await client.list(TASK_API_VERSION, TASK_KIND, { namespace });
  const close = closeNames(name, all.items.map((t) => t.metadata.name ?? ''));
  return new SeiError(`seinodetasks.sei.io "${name}" not found in namespace "${namespace}"`, {
    reason: 'NotFound',
    exitCode: 2,
    httpCode: 404,
    hints: [...(close.length > 0 ? [`did you mean ${close.join(' or ')}?`] : []), `list them with: kubectl sei task get -n ${namespace}`],
  });
}

/** What a watch or list of SeiNodeTasks names. */
export const TASK_LIST_REF = { apiVersion: TASK_API_VERSION, kind: TASK_KIND } as const;

function selectors(query: TaskQuery): { labelSelector?: string; fieldSelector?: string } {
  return { ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}), ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}) };
}

export async function getTask(client: ClusterClient, name: string, namespace = client.namespace): Promise<KubeObject> {
  const found = await client.get({ apiVersion: TASK_API_VERSION, kind: TASK_KIND, name, namespace });
  if (!found) throw await notFound(client, name, namespace);
  return found;
}

/** Named tasks in order (every name must exist), or all matching the selector, sorted by namespace/name. */
export async function listTasks(client: ClusterClient, query: TaskQuery): Promise<KubeObject[]> {
  const namespace = query.namespace ?? client.namespace;
  if (query.names && query.names.length > 0) {
    if (query.names.length === 1) return [await getTask(client, query.names[0] as string, namespace)];
    const all = await client.list(TASK_API_VERSION, TASK_KIND, { namespace, ...selectors(query) });
    const byName = new Map(all.items.map((t) => [t.metadata.name ?? '', t]));
    const result: KubeObject[] = [];
    for (const name of query.names) {
      const task = byName.get(name);
      if (!task) throw await notFound(client, name, namespace);
      result.push(task);
    }
    return result;
  }
  const list = await client.list(TASK_API_VERSION, TASK_KIND, {
    ...(query.allNamespaces ? { namespace: '' } : { namespace }),
    ...selectors(query),
  });
  return [...list.items].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
}

export interface DeleteResult {
  name: string;
  namespace: string;
  deleted: boolean;
}

/** Deletes named tasks (each must exist unless ignoreNotFound) or every task matching a selector. */
export async function deleteTasks(client: ClusterClient, query: TaskQuery & { ignoreNotFound?: boolean }): Promise<DeleteResult[]> {
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
    results.push({ name, namespace, deleted: await client.delete({ apiVersion: TASK_API_VERSION, kind: TASK_KIND, name, namespace }) });
  }
  return results;
}
