/**
 * The run record in the cluster: ConfigMap `sei-plan-<id>` holds the plan manifest as written,
 * the resolved inputs, the options that shape the run, approvals, the items each step resolved
 * when it started, every item's verdict once decided, and whether the run was cancelled. With
 * the tasks' labels this is everything `status` and `resume` need on another machine.
 *
 * Several writers share the record (the executor, `plan cancel`, `plan approve`, a second
 * driver). Every write after the first is a read-merge-write guarded by the resourceVersion it
 * read: on a conflict it reads again and re-applies its change, so no writer ever puts back a
 * value another writer changed. The merge is monotonic: cancelled stays cancelled, an approval,
 * a resolved item list or a verdict once recorded is never replaced.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { FIELD_MANAGER, LABELS, ANNOTATIONS } from '../domain/labels.js';
import { SeiError } from '../errors/index.js';
import { configMapName } from './naming.js';
import type { PlanRun } from './derive.js';
import type { ItemVerdict, PlanItem, RunShape, Scalar } from './types.js';

export interface StoredRun {
  source: string;
  inputs: Record<string, Scalar>;
  approvals: PlanRun['approvals'];
  items: Record<string, PlanItem[]>;
  /** Decided items by step id and item index: a decided item is never started again. */
  verdicts: Record<string, Record<string, ItemVerdict>>;
  /** The options that shape the run (recorded at apply, honoured by resume). */
  shape: RunShape;
  cancelled: boolean;
  planName: string;
  createdAt: string;
  /**
   * The heartbeat of the process driving the run (`plan apply` / `plan resume`): when it last
   * wrote, and how often it writes. A run whose heartbeat is older than a few intervals has no
   * driver: its tasks in flight go on, but nothing launches the next ones.
   */
  driver?: DriverHeartbeat;
}

export interface DriverHeartbeat {
  lastSeen: string;
  intervalSeconds: number;
}

/** What the apiserver accepts in one ConfigMap: data + binaryData at most 1 MiB (validation.go MaxSecretSize). */
export const RECORD_LIMIT_BYTES = 1024 * 1024;

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
      'options.json': JSON.stringify(run.shape),
      'approvals.json': JSON.stringify(run.approvals),
      'items.json': JSON.stringify(run.items),
      'verdicts.json': JSON.stringify(run.verdicts),
      state: run.cancelled ? 'cancelled' : 'active',
      createdAt: run.createdAt,
      ...(run.driver ? { 'driver.json': JSON.stringify(run.driver) } : {}),
    },
  };
}

export function fromConfigMap(object: KubeObject): StoredRun {
  const data = (object['data'] ?? {}) as Record<string, string>;
  return {
    source: data['plan.yaml'] ?? '',
    inputs: parseJson(data['inputs.json'], {}),
    shape: parseJson(data['options.json'], {}),
    approvals: parseJson(data['approvals.json'], {}),
    items: parseJson(data['items.json'], {}),
    verdicts: parseJson(data['verdicts.json'], {}),
    cancelled: data['state'] === 'cancelled',
    planName: object.metadata.annotations?.[ANNOTATIONS.planName] ?? '',
    createdAt: data['createdAt'] ?? '',
    ...(data['driver.json'] ? { driver: parseJson<DriverHeartbeat>(data['driver.json'], { lastSeen: '', intervalSeconds: 0 }) } : {}),
  };
}

export async function readRun(client: ClusterClient, planId: string, namespace: string): Promise<StoredRun | undefined> {
  const object = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: configMapName(planId), namespace });
  return object ? fromConfigMap(object) : undefined;
}

function notFound(planId: string, namespace: string): SeiError {
  return SeiError.invalid(`plan run ${planId} not found in namespace ${namespace} (no ConfigMap ${configMapName(planId)})`, [], [
    `list runs: kubectl get configmaps -n ${namespace} -l ${LABELS.planId}`,
    'pass the namespace the plan was applied in with -n',
  ]);
}

/**
 * The full plan id for what a user typed: the id itself, or a unique prefix of it such as the 8
 * hex digits every task name of the run carries. An ambiguous prefix is refused (exit 2) with
 * the candidates; an unknown one is left to requireRun's not-found answer.
 */
export async function resolvePlanId(client: ClusterClient, planId: string, namespace: string): Promise<string> {
  if (await readRun(client, planId, namespace)) return planId;
  const list = await client.list('v1', 'ConfigMap', { namespace, labelSelector: LABELS.planId });
  const ids = list.items.map((cm) => cm.metadata.labels?.[LABELS.planId] ?? '').filter((id) => id.startsWith(planId));
  if (ids.length === 1) return ids[0]!;
  if (ids.length > 1) {
    throw SeiError.invalid(`plan id prefix ${planId} matches ${ids.length} runs in namespace ${namespace}: ${ids.sort().join(', ')}`, [], ['give more of the id']);
  }
  return planId;
}

export async function requireRun(client: ClusterClient, planId: string, namespace: string): Promise<StoredRun> {
  const run = await readRun(client, planId, namespace);
  if (!run) throw notFound(planId, namespace);
  return run;
}

/** Refuses a record the apiserver would refuse, naming the plan and the field that grew. */
export function checkRecordSize(planId: string, object: KubeObject): void {
  const data = (object['data'] ?? {}) as Record<string, string>;
  const sizes = Object.entries(data).map(([key, value]) => ({ key, bytes: Buffer.byteLength(key) + Buffer.byteLength(value) }));
  const total = sizes.reduce((n, s) => n + s.bytes, 0);
  if (total <= RECORD_LIMIT_BYTES) return;
  const largest = sizes.sort((a, b) => b.bytes - a.bytes)[0]!;
  const planName = object.metadata.annotations?.[ANNOTATIONS.planName] ?? '';
  throw SeiError.invalid(
    `the run record of plan ${planName} (${planId}) would be ${total} bytes, over the apiserver's ${RECORD_LIMIT_BYTES}-byte limit for a ConfigMap; its largest field is data.${largest.key} (${largest.bytes} bytes)`,
    [{ field: `data.${largest.key}`, type: 'FieldValueTooLong', message: `must have at most ${RECORD_LIMIT_BYTES} bytes in total` }],
    ['split the fleet: run the plan per group of nodes (forEach.selector on a narrower label)', 'nothing more was written for this run'],
  );
}

/** The first write of a new run (nothing else can know the run yet). */
export async function createRun(client: ClusterClient, planId: string, namespace: string, run: StoredRun): Promise<void> {
  const object = toConfigMap(planId, namespace, run);
  checkRecordSize(planId, object);
  await client.apply(object, { force: true });
}

/** Merges what `mine` adds into `current` without undoing anything another writer recorded. */
export function mergeRun(current: StoredRun, mine: Partial<Pick<StoredRun, 'approvals' | 'items' | 'verdicts' | 'cancelled' | 'shape' | 'driver'>>): StoredRun {
  const next: StoredRun = structuredClone(current);
  if (mine.cancelled) next.cancelled = true;
  for (const [step, approval] of Object.entries(mine.approvals ?? {})) next.approvals[step] ??= approval;
  for (const [step, items] of Object.entries(mine.items ?? {})) next.items[step] ??= items;
  for (const [step, byIndex] of Object.entries(mine.verdicts ?? {})) {
    const into = (next.verdicts[step] ??= {});
    for (const [index, verdict] of Object.entries(byIndex)) into[index] ??= verdict;
  }
  if (mine.shape) next.shape = { ...next.shape, ...mine.shape };
  // Two drivers may beat at once: the later heartbeat wins, an older one never moves it back.
  if (mine.driver && (!next.driver || Date.parse(mine.driver.lastSeen) >= Date.parse(next.driver.lastSeen))) next.driver = mine.driver;
  return next;
}

const MAX_CONFLICTS = 50;

/**
 * Applies `change` to the record as it is now, guarded by its resourceVersion; on a conflict
 * (another writer was first) reads again and retries. Returns the record as written.
 */
export async function updateRun(client: ClusterClient, planId: string, namespace: string, change: (current: StoredRun) => StoredRun): Promise<StoredRun> {
  for (let attempt = 1; ; attempt++) {
    const live = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: configMapName(planId), namespace });
    if (!live) throw notFound(planId, namespace);
    const current = fromConfigMap(live);
    const next = change(current);
    const object = toConfigMap(planId, namespace, next);
    if (JSON.stringify(object['data']) === JSON.stringify(toConfigMap(planId, namespace, current)['data'])) return current;
    checkRecordSize(planId, object);
    object.metadata.resourceVersion = live.metadata.resourceVersion;
    try {
      await client.apply(object, { force: true });
      return next;
    } catch (error) {
      if (!(error instanceof SeiError) || error.httpCode !== 409 || attempt >= MAX_CONFLICTS) throw error;
    }
  }
}

/** How often a driver writes its heartbeat (SEI_PLAN_HEARTBEAT_SECONDS, default 10 s). */
export function heartbeatIntervalSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env['SEI_PLAN_HEARTBEAT_SECONDS']);
  return Number.isFinite(value) && value > 0 ? value : 10;
}

/**
 * Whether the run has a live driver at `nowMs`: its heartbeat is at most three of its intervals
 * old (SEI_PLAN_DRIVER_STALE_SECONDS overrides the threshold). Undefined when the record carries
 * no heartbeat (a run recorded before drivers wrote one).
 */
export function driverLive(driver: DriverHeartbeat | undefined, nowMs: number, env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  if (!driver) return undefined;
  const seen = Date.parse(driver.lastSeen);
  if (!Number.isFinite(seen)) return undefined;
  const override = Number(env['SEI_PLAN_DRIVER_STALE_SECONDS']);
  const staleSeconds = env['SEI_PLAN_DRIVER_STALE_SECONDS'] !== undefined && Number.isFinite(override) && override >= 0 ? override : 3 * (driver.intervalSeconds > 0 ? driver.intervalSeconds : 10);
  return nowMs - seen <= staleSeconds * 1000;
}
