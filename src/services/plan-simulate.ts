/** `plan simulate`: the classifier over the live fleet or a fleet file, and the kinds the cluster serves. */
import type { Catalog } from '../catalog/types.js';
import type { ClusterClient } from '../cluster/types.js';
import { SeiError } from '../errors/index.js';
import { fleetFromCluster } from '../plan/fleet.js';
import { simulate, type SimulationResult } from '../plan/simulate.js';
import type { FleetNode, PlanSource } from '../plan/types.js';
import { needsFleet, preparePlan, requireFanOut } from './plan-prepare.js';

export { simulate } from '../plan/simulate.js';
export type { SimClass, SimItem, SimStep, SimulationResult } from '../plan/simulate.js';

export interface SimulateOptions extends PlanSource {
  namespace?: string;
  fleet?: FleetNode[];
  client?: ClusterClient;
  /** The SeiNodeTask kinds the cluster serves; undefined = not checked (offline). */
  servedKinds?: Set<string>;
  catalog?: Catalog;
}

export async function simulatePlan(options: SimulateOptions): Promise<SimulationResult> {
  const prepared = await preparePlan(options, options.catalog);
  const namespace = options.namespace ?? prepared.loaded.manifest.metadata.namespace ?? options.client?.namespace ?? 'default';
  let fleet = options.fleet;
  let served = options.servedKinds;
  if (!fleet) {
    if (!options.client) {
      if (needsFleet(prepared.loaded) || prepared.loaded.manifest.spec.steps.some((s) => s.kind)) {
        throw SeiError.invalid('simulate needs the fleet: connect to a cluster, or pass --offline --fleet FILE', [], ['kubectl get seinodes -n NS -o yaml > fleet.yaml; kubectl sei plan simulate -f PLAN --offline --fleet fleet.yaml']);
      }
      fleet = [];
    } else fleet = await fleetFromCluster(options.client, namespace);
  }
  if (!served && options.client) {
    const crd = await options.client.servedCrd('seinodetasks.sei.io');
    if (crd) {
      const { servedKinds } = await import('./preflight.js');
      const list = servedKinds(crd);
      if (list) served = new Set(list);
      // Workflow kinds (StateSync) are served by the SeiNodeTaskWorkflow CRD, when installed.
      const workflowCrd = served ? await options.client.servedCrd('seinodetaskworkflows.sei.io') : undefined;
      for (const kind of (workflowCrd ? servedKinds(workflowCrd) : undefined) ?? []) served?.add(kind);
    }
  }
  await requireFanOut(prepared, fleet, namespace);
  return simulate(prepared, fleet, namespace, served);
}
