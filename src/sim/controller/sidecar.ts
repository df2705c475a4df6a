/**
 * The simulated seictl sidecar of each SeiNode: the tasks submitted to it and the work it does
 * on its own, whatever becomes of the SeiNodeTask that submitted them. Its memory is kept in the
 * store so it survives a sim restart: one ConfigMap per submitted task (`sim-task-<task id>`) and
 * one per namespace for the chain state (the last gov proposal id). A submit is idempotent by
 * task id, as the sidecar's engine is; nothing cancels a submitted task: deleting the
 * SeiNodeTask leaves it running (upstream has no cancel path), and a recreated SeiNodeTask has a
 * new uid, hence a new task id, and runs again.
 */
import type { KubeObject, SimStore } from '../types.js';
import type { Json, ReconcileContext } from './context.js';
import { readKnobs } from './knobs.js';
import { NODE_LABEL } from './nodes.js';
import { objectKey, type Reconciler } from './registry.js';

export const EXECUTION_CONFIGMAP_PREFIX = 'sim-task-';
export const CHAIN_CONFIGMAP = 'sim-chain-state';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'sei-sim' };
/** Annotation on an execution record: the SeiNodeTask that submitted it (to wake it). */
export const RECORD_TASK_ANNOTATION = 'sim.sei.io/task';

/** The sidecar's GovTxResult (seictl sidecar/wire): what a gov sign-tx handler returns. */
export interface GovTxResult extends Json {
  txHash: string;
  height: number;
  proposalId?: number;
  inclusionStatus: 'committed_ok' | 'committed_failed' | 'pending';
}

export interface ExecutionRecord {
  taskUid: string;
  task: string;
  node: string;
  kind: string;
  /** The kind's payload as submitted. */
  payload: Json;
  /** When the sidecar (last) started it, at millisecond precision. */
  startedMs: number;
  state: 'running' | 'completed' | 'failed';
  error?: string;
  result?: GovTxResult;
  proposalId?: number;
  /** RestartSeid / AwaitCondition SIGTERM_SEID: the pod signalled and the count that means "done". */
  seid?: { podUid: string; targetCount: number };
}

/** What one step of a sidecar task gives: done (with a result), failed, or wait until a time / an event. */
export type SidecarStep =
  | { done: true; result?: GovTxResult }
  | { fail: string; result?: GovTxResult }
  | { wait: number | undefined };

/** A sidecar-backed kind's work inside the sidecar. */
export interface SidecarWork {
  /** The seictl task type it submits as (for messages). */
  type: string;
  /** Completes at submit, never polled (MarkReady, upstream task.go: fireAndForget). */
  fireAndForget?: boolean;
  /** Allocated at first submit (a proposal id). */
  prepare?(ctx: ReconcileContext, record: ExecutionRecord, namespace: string): void;
  step(ctx: ReconcileContext, record: ExecutionRecord, node: KubeObject, id: string, namespace: string): SidecarStep;
}

function dataOf(object: KubeObject | undefined): Record<string, string> {
  return (object?.data ?? {}) as Record<string, string>;
}

export function executionConfigMapName(taskId: string): string {
  return `${EXECUTION_CONFIGMAP_PREFIX}${taskId}`;
}

export function readExecution(store: SimStore, namespace: string, taskId: string): ExecutionRecord | undefined {
  return parseRecord(store.get('configmaps', namespace, executionConfigMapName(taskId)));
}

function parseRecord(object: KubeObject | undefined): ExecutionRecord | undefined {
  const raw = dataOf(object).record;
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
      metadata: { name, namespace, labels: { ...MANAGED_BY, [NODE_LABEL]: record.node }, annotations: { [RECORD_TASK_ANNOTATION]: record.task } },
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

/**
 * SubmitTask: idempotent by id. A running or finished task is left as it is; a gov task whose
 * last run left its inclusion undetermined runs again: the engine adopts the tx it already
 * broadcast (seictl's tx marker) and re-checks the chain at once, without a second broadcast.
 */
export function submitToSidecar(
  ctx: ReconcileContext,
  work: SidecarWork,
  namespace: string,
  id: string,
  submission: Omit<ExecutionRecord, 'startedMs' | 'state'>,
  node: KubeObject,
): ExecutionRecord {
  const existing = readExecution(ctx.store, namespace, id);
  if (existing && !(existing.state === 'failed' && existing.result?.inclusionStatus === 'pending')) return existing;
  let record: ExecutionRecord;
  if (existing) {
    record = { ...existing, state: 'running', error: undefined, result: undefined };
    const step = work.step(ctx, record, node, id, namespace);
    if ('done' in step) record = { ...record, state: 'completed', ...(step.result ? { result: step.result } : {}) };
    else if ('fail' in step) record = { ...record, state: 'failed', error: step.fail, ...(step.result ? { result: step.result } : {}) };
  } else {
    record = { ...submission, startedMs: ctx.now(), state: work.fireAndForget ? 'completed' : 'running' };
    work.prepare?.(ctx, record, namespace);
  }
  writeExecution(ctx.store, namespace, id, record);
  return record;
}

/**
 * The sidecar's engine as a reconciler: it owns the execution records and drives each running
 * one to completed or failed, woken by its own timers and by its node's and pods' events. It
 * never looks at the SeiNodeTask; the task's controller polls the record.
 */
export function sidecarReconciler(works: Readonly<Record<string, SidecarWork | undefined>>): Reconciler {
  /** Running records by node key, so node and pod events wake only those. */
  const byNode = new Map<string, Set<string>>();
  const nodeOf = new Map<string, string>();

  function track(key: string, nodeKey: string | undefined): void {
    const previous = nodeOf.get(key);
    if (previous) {
      byNode.get(previous)?.delete(key);
      if (byNode.get(previous)?.size === 0) byNode.delete(previous);
      nodeOf.delete(key);
    }
    if (!nodeKey) return;
    nodeOf.set(key, nodeKey);
    let set = byNode.get(nodeKey);
    if (!set) byNode.set(nodeKey, (set = new Set()));
    set.add(key);
  }

  return {
    resource: 'configmaps',
    reconcile(ctx, namespace, name) {
      if (!name.startsWith(EXECUTION_CONFIGMAP_PREFIX)) return;
      const key = `configmaps/${namespace}/${name}`;
      const id = name.slice(EXECUTION_CONFIGMAP_PREFIX.length);
      const record = parseRecord(ctx.store.get('configmaps', namespace, name));
      if (!record || record.state !== 'running') {
        track(key, undefined);
        return;
      }
      const node = ctx.store.get('seinodes', namespace, record.node);
      const work = works[record.kind];
      // The sidecar lives in the node's pod: without the node there is nobody to run it.
      if (!node || !work) {
        track(key, undefined);
        return;
      }
      track(key, `seinodes/${namespace}/${record.node}`);
      const step: SidecarStep = readKnobs(node).failKinds.has(record.kind)
        ? { fail: `simulated failure: SeiNode "${record.node}" lists ${record.kind} in annotation sim.sei.io/fail-kinds` }
        : work.step(ctx, record, node, id, namespace);
      if ('wait' in step) {
        if (step.wait !== undefined) ctx.requeueAt(key, step.wait);
        return;
      }
      const finished: ExecutionRecord = 'done' in step
        ? { ...record, state: 'completed', ...(step.result ? { result: step.result } : {}) }
        : { ...record, state: 'failed', error: step.fail, ...(step.result ? { result: step.result } : {}) };
      track(key, undefined);
      const task = ctx.store.get('seinodetasks', namespace, record.task);
      // Nobody will read the result of a task whose SeiNodeTask is gone: drop the record.
      if (task?.metadata.uid !== record.taskUid) forgetExecution(ctx.store, namespace, id);
      else writeExecution(ctx.store, namespace, id, finished);
    },
    wakes: {
      *configmaps(event, queue) {
        if (!(event.object.metadata.name ?? '').startsWith(EXECUTION_CONFIGMAP_PREFIX)) return;
        const key = objectKey('configmaps', event.object);
        if (event.type === 'DELETED') {
          track(key, undefined);
          queue.forget(key);
          return;
        }
        if (key === queue.reconciling()) return;
        yield key;
      },
      *seinodes(event) {
        yield* byNode.get(objectKey('seinodes', event.object)) ?? [];
      },
      *pods(event) {
        const node = event.object.metadata.labels?.[NODE_LABEL];
        if (node !== undefined) yield* byNode.get(`seinodes/${event.object.metadata.namespace ?? ''}/${node}`) ?? [];
      },
    },
    tracked: () => nodeOf.size,
  };
}
