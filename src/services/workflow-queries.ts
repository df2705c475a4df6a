/**
 * Reading SeiNodeTaskWorkflows for `workflow get|describe` and the commands that act on one: a
 * get or one list per call, NotFound turned into a refusal that names the list command. Apart
 * from services/workflows.ts so that `workflow get` loads no rendering or validation.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import * as nodes from '../output/node-view.js';
import { getNamed, listNamed, type NamedResource, type ObjectQuery } from './named-objects.js';
import { WORKFLOW_API } from './workflow-preflight.js';

export interface WorkflowQuery extends ObjectQuery {
  /** Only workflows targeting this node. */
  node?: string;
}

/** SeiNodeTaskWorkflows as their reads name them. */
const WORKFLOW_RESOURCE: NamedResource = { ...WORKFLOW_API, resource: 'seinodetaskworkflows.sei.io', listCommand: 'kubectl sei workflow get' };

export function getWorkflow(client: ClusterClient, name: string, namespace = client.namespace): Promise<KubeObject> {
  return getNamed(client, WORKFLOW_RESOURCE, name, namespace);
}

/** Named workflows in order (every name must exist), or all matching the selectors and --node. */
export async function listWorkflows(client: ClusterClient, query: WorkflowQuery): Promise<KubeObject[]> {
  const found = await listNamed(client, WORKFLOW_RESOURCE, query);
  return query.names && query.names.length > 0 ? found : found.filter((w) => !query.node || nodes.workflowTarget(w) === query.node);
}
