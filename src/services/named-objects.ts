/**
 * Reading objects by name or by selector, as `task|node|workflow get`, `describe` and `wait`
 * do: a get that turns a missing object into kubectl's NotFound with close names, and a list in
 * the API server's order. The resource says how each names itself in those answers.
 */
import { byStorageKey } from '../cluster/order.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { notFoundNear } from './preflight.js';

/** A resource as its reads name it: its API, the plural kubectl's NotFound prints, the command that lists it. */
export interface NamedResource {
  apiVersion: string;
  kind: string;
  resource: string;
  listCommand: string;
}

/** What a `get` asks for: names, or selectors in a namespace (or all of them, -A). */
export interface ObjectQuery {
  names?: string[];
  labelSelector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  namespace?: string;
}

export async function getNamed(client: ClusterClient, resource: NamedResource, name: string, namespace = client.namespace): Promise<KubeObject> {
  const found = await client.get({ apiVersion: resource.apiVersion, kind: resource.kind, name, namespace });
  if (!found) throw await notFoundNear(client, resource, name, namespace);
  return found;
}

/** One list with the query's selectors, in its namespace or all, in the API server's order. */
export async function listSelected(client: ClusterClient, resource: NamedResource, query: ObjectQuery): Promise<KubeObject[]> {
  const list = await client.list(resource.apiVersion, resource.kind, {
    namespace: query.allNamespaces ? '' : (query.namespace ?? client.namespace),
    ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}),
    ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}),
  });
  return [...list.items].sort(byStorageKey);
}

/** Named objects in order (one get each; every name must exist), else listSelected. */
export async function listNamed(client: ClusterClient, resource: NamedResource, query: ObjectQuery): Promise<KubeObject[]> {
  if (!query.names || query.names.length === 0) return listSelected(client, resource, query);
  const result: KubeObject[] = [];
  for (const name of query.names) result.push(await getNamed(client, resource, name, query.namespace ?? client.namespace));
  return result;
}
