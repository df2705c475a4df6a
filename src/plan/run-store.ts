/**
 * The run record in the cluster: ConfigMap `sei-plan-<id>` holds the plan manifest as written,
 * the resolved inputs, approvals, the items each step resolved when it started, and whether the
 * run was cancelled. With the tasks' labels this is everything `status` and `resume` need on
 * another machine. Owns the ConfigMap's shape; talks to the cluster only through ClusterClient.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { FIELD_MANAGER, LABELS, ANNOTATIONS } from '../domain/labels.js';
import { SeiError } from '../errors/index.js';
import { configMapName } from './naming.js';
import type { PlanRun } from './derive.js';
import type { PlanItem, Scalar } from './types.js';

export interface StoredRun {
  source: string;
  inputs: Record<string, Scalar>;
  approvals: PlanRun['approvals'];
  items: Record<string, PlanItem[]>;
  cancelled: boolean;
  planName: string;
  createdAt: string;
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toConfigMap(planId: string, namespace: string, run: StoredRun): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(planId),
      namespace,
      labels: { [LABELS.managedBy]: FIELD_MANAGER, [LABELS.planId]: planId },
      annotations: { [ANNOTATIONS.planName]: run.planName },
    },
    data: {
      'plan.yaml': run.source,
      'inputs.json': JSON.stringify(run.inputs),
      'approvals.json': JSON.stringify(run.approvals),
      'items.json': JSON.stringify(run.items),
      state: run.cancelled ? 'cancelled' : 'active',
      createdAt: run.createdAt,
    },
  };
}

export function fromConfigMap(object: KubeObject): StoredRun {
  const data = (object['data'] ?? {}) as Record<string, string>;
  return {
    source: data['plan.yaml'] ?? '',
    inputs: parseJson(data['inputs.json'], {}),
    approvals: parseJson(data['approvals.json'], {}),
    items: parseJson(data['items.json'], {}),
    cancelled: data['state'] === 'cancelled',
    planName: object.metadata.annotations?.[ANNOTATIONS.planName] ?? '',
    createdAt: data['createdAt'] ?? '',
  };
}

export async function readRun(client: ClusterClient, planId: string, namespace: string): Promise<StoredRun | undefined> {
  const object = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: configMapName(planId), namespace });
  return object ? fromConfigMap(object) : undefined;
}

export async function requireRun(client: ClusterClient, planId: string, namespace: string): Promise<StoredRun> {
  const run = await readRun(client, planId, namespace);
  if (!run) {
    throw SeiError.invalid(`plan run ${planId} not found in namespace ${namespace} (no ConfigMap ${configMapName(planId)})`, [], [
      `list runs: kubectl get configmaps -n ${namespace} -l ${LABELS.planId}`,
      'pass the namespace the plan was applied in with -n',
    ]);
  }
  return run;
}

/** Writes the whole record (server-side apply of every key we own, so nothing is dropped). */
export async function writeRun(client: ClusterClient, planId: string, namespace: string, run: StoredRun): Promise<void> {
  await client.apply(toConfigMap(planId, namespace, run), { force: true });
}
