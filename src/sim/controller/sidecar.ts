/**
 * The simulated sidecar's memory, kept in the store so it survives a sim restart: one ConfigMap
 * per in-flight execution (`sim-task-<task id>`, holding what the controller snapshotted from
 * spec at mint time and the side effects already performed), and one per namespace holding the
 * chain state (the last gov proposal id). Apply-once and restart-safety rest on this: an
 * execution is read from here, never re-derived from a later spec. One small object per
 * execution keeps every read and write O(1) however many tasks run at once. Storage only.
 */
import type { KubeObject, SimStore } from '../types.js';
import type { Json } from './context.js';

export const EXECUTION_CONFIGMAP_PREFIX = 'sim-task-';
export const CHAIN_CONFIGMAP = 'sim-chain-state';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'sei-sim' };

export interface ExecutionRecord {
  taskUid: string;
  task: string;
  node: string;
  kind: string;
  /** The kind's payload as it was at mint time. */
  payload: Json;
  /** Execution budget in ms from startedMs; 0 = unbounded. */
  timeoutMs: number;
  /** executionStartedAt at millisecond precision. */
  startedMs: number;
  proposalId?: number;
  /** RestartPod: the uid it was asked to delete and what it decided at mint time. */
  restart?: { podUID: string; outcome: 'delete' | 'noop' };
  /** RestartSeid: the pod restarted in place and the restart count that means "done". */
  seid?: { podUid: string; targetCount: number };
  /** AwaitCondition with action SIGTERM_SEID: the pod signalled and the count that means "sent". */
  sigterm?: { podUid: string; targetCount: number };
}

function dataOf(object: KubeObject | undefined): Record<string, string> {
  return (object?.data ?? {}) as Record<string, string>;
}

export function executionConfigMapName(taskId: string): string {
  return `${EXECUTION_CONFIGMAP_PREFIX}${taskId}`;
}

export function readExecution(store: SimStore, namespace: string, taskId: string): ExecutionRecord | undefined {
  const raw = dataOf(store.get('configmaps', namespace, executionConfigMapName(taskId))).record;
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as ExecutionRecord;
  } catch {
    return undefined;
  }
}

export function writeExecution(store: SimStore, namespace: string, taskId: string, record: ExecutionRecord): void {
  const name = executionConfigMapName(taskId);
  const data = { record: JSON.stringify(record) };
  const existing = store.get('configmaps', namespace, name);
  if (existing) store.update('configmaps', { ...existing, data });
  else {
    store.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels: MANAGED_BY, annotations: { 'sim.sei.io/task': record.task } },
      data,
    });
  }
}

export function forgetExecution(store: SimStore, namespace: string, taskId: string): void {
  store.delete('configmaps', namespace, executionConfigMapName(taskId));
}

/** Allocates the namespace's next gov proposal id (1, 2, ...), persisted in the store. */
export function nextProposalId(store: SimStore, namespace: string): number {
  const cm =
    store.get('configmaps', namespace, CHAIN_CONFIGMAP) ??
    store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CHAIN_CONFIGMAP, namespace, labels: MANAGED_BY }, data: {} });
  const next = Number(dataOf(cm).lastProposalId ?? '0') + 1;
  store.update('configmaps', { ...cm, data: { ...dataOf(cm), lastProposalId: String(next) } });
  return next;
}
