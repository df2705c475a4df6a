/**
 * The kinds the connected cluster's SeiNodeTask CRD accepts (for `kinds --from-cluster`).
 * The only place in the catalog that talks to a cluster, through src/cluster's connect().
 */
import type { ConnectionOptions } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import { servedKinds } from './describe.js';
import { controllerVersionOfCrd } from './controller-versions.js';
import type { ApiFlavor } from './types.js';

export const TASK_CRD = 'seinodetasks.sei.io';

export async function servedTaskKinds(options: ConnectionOptions): Promise<Set<string>> {
  return (await servedTaskApi(options)).kinds;
}

/** The kinds the cluster's CRD serves and the controller version they identify. */
export async function servedTaskApi(options: ConnectionOptions): Promise<{ kinds: Set<string>; version: ApiFlavor; context: string }> {
  const { connect } = await import('../cluster/index.js');
  const client = await connect(options);
  const crd = await client.servedCrd(TASK_CRD);
  if (!crd) {
    throw SeiError.cluster('NotFound', `the cluster ${client.contextName} does not serve the ${TASK_CRD} CRD`, ['Install the sei-k8s-controller CRDs, or check --context.'], 404);
  }
  return { kinds: servedKinds(crd), version: controllerVersionOfCrd(crd), context: client.contextName };
}

export const WORKFLOW_CRD = 'seinodetaskworkflows.sei.io';

/**
 * The workflow kinds the cluster's SeiNodeTaskWorkflow CRD accepts; empty when the CRD is not
 * installed (a controller older than the workflow API is not an error for `kinds`).
 */
export async function servedWorkflowKinds(options: ConnectionOptions): Promise<Set<string>> {
  const { connect } = await import('../cluster/index.js');
  const client = await connect(options);
  const crd = await client.servedCrd(WORKFLOW_CRD);
  return crd ? servedKinds(crd) : new Set();
}
