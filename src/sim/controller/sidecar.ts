/**
 * The simulated sidecar's memory, kept in the store so it survives a sim restart: one
 * ConfigMap per namespace holding each in-flight execution (what the controller snapshotted from
 * spec at mint time, the side effects already performed), and one holding the namespace's
 * chain state (the last gov proposal id). Apply-once and restart-safety rest on this: an
 * execution is read from here, never re-derived from a later spec. Storage only; no decisions.
 */
import type { KubeObject, SimStore } from '../types.js';
import type { Json } from './context.js';

export const SIDECAR_CONFIGMAP = 'sim-sidecar-tasks';
export const CHAIN_CONFIGMAP = 'sim-chain-state';

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

function configMap(store: SimStore, namespace: string, name: string): KubeObject {
  const existing = store.get('configmaps', namespace, name);
  if (existing) return existing;
  return store.create('configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'sei-sim' } },
    data: {},
  });
}

function dataOf(object: KubeObject | undefined): Record<string, string> {
  return (object?.data ?? {}) as Record<string, string>;
}

export function readExecution(store: SimStore, namespace: string, taskId: string): ExecutionRecord | undefined {
  const raw = dataOf(store.get('configmaps', namespace, SIDECAR_CONFIGMAP))[taskId];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as ExecutionRecord;
  } catch {
    return undefined;
  }
}

export function writeExecution(store: SimStore, namespace: string, taskId: string, record: ExecutionRecord): void {
  const cm = configMap(store, namespace, SIDECAR_CONFIGMAP);
  store.update('configmaps', { ...cm, data: { ...dataOf(cm), [taskId]: JSON.stringify(record) } });
}

export function forgetExecution(store: SimStore, namespace: string, taskId: string): void {
  const cm = store.get('configmaps', namespace, SIDECAR_CONFIGMAP);
  if (!cm || !(taskId in dataOf(cm))) return;
  const data = { ...dataOf(cm) };
  delete data[taskId];
  store.update('configmaps', { ...cm, data });
}

/** Allocates the namespace's next gov proposal id (1, 2, ...), persisted in the store. */
export function nextProposalId(store: SimStore, namespace: string): number {
  const cm = configMap(store, namespace, CHAIN_CONFIGMAP);
  const next = Number(dataOf(cm).lastProposalId ?? '0') + 1;
  store.update('configmaps', { ...cm, data: { ...dataOf(cm), lastProposalId: String(next) } });
  return next;
}
