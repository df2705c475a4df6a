/** `plan export`: the plan as an Argo Workflow or a Chaos Mesh Workflow. */
import { randomUUID } from 'node:crypto';
import { toSafeYaml } from '../domain/yaml.js';
import type { Catalog } from '../catalog/types.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/index.js';
import { fleetFromCluster } from '../plan/fleet.js';
import { checkPlanId } from '../plan/naming.js';
import type { FleetNode, PlanSource } from '../plan/types.js';
import { needsFleet, preparePlan, requireFanOut } from './plan-prepare.js';

export interface ExportOptions extends PlanSource {
  to: 'argo-workflows' | 'chaos-mesh';
  planId?: string;
  namespace?: string;
  fleet?: FleetNode[];
  client?: ClusterClient;
  image?: string;
  serviceAccount?: string;
  catalog?: Catalog;
  /** Put the ServiceAccount, Role and RoleBinding the workflow needs before it in `text`. */
  withRbac?: boolean;
}

export interface ExportedWorkflow {
  object: KubeObject;
  rbac: KubeObject[];
  notes: string[];
  /** YAML for kubectl create -f: the notes as comments, [the RBAC,] the workflow. */
  text: string;
}

export async function exportPlanWorkflow(options: ExportOptions): Promise<ExportedWorkflow> {
  checkPlanId(options.planId);
  const prepared = await preparePlan(options, options.catalog);
  const namespace = options.namespace ?? prepared.loaded.manifest.metadata.namespace ?? options.client?.namespace ?? 'default';
  const fleet = options.fleet ?? (needsFleet(prepared.loaded) ? (options.client ? await fleetFromCluster(options.client, namespace) : undefined) : []);
  if (!fleet) throw SeiError.invalid('a forEach.selector step needs the fleet: connect to a cluster, or pass --fleet FILE offline');
  await requireFanOut(prepared, fleet, namespace, options.planId);
  const { exportPlan } = await import('../plan/export.js');
  const result = exportPlan(options.to, {
    manifest: prepared.loaded.manifest,
    inputs: prepared.inputs,
    catalog: prepared.catalog,
    kinds: prepared.kinds,
    fleet,
    namespace,
    planId: options.planId ?? randomUUID(),
    ...(options.image ? { image: options.image } : {}),
    ...(options.serviceAccount ? { serviceAccount: options.serviceAccount } : {}),
  });
  const documents = [...(options.withRbac ? result.rbac.map((o) => toSafeYaml(o)) : []), toSafeYaml(result.workflow)];
  const header = result.notes.map((note) => `# ${note}\n`).join('');
  return { object: result.workflow, rbac: result.rbac, notes: result.notes, text: header + documents.join('---\n') };
}
