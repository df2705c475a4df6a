/**
 * The SeiNodeTask reconciler of the simulated controller (seed-era semantics, with the later
 * kinds under `--crd latest`): wait for the target's requirePhase, mint the execution once
 * (deterministic UUID v5 id, a snapshot of the payload in the sidecar record), then drive the
 * kind to Complete or Failed. It never re-reads spec after minting and never touches a terminal
 * task beyond stamping observedGeneration. Node and pod mechanics live in nodes.ts.
 */
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { CrdFlavor, KubeObject } from '../types.js';
import { parseGoDuration, parseTime, toTime } from './clock.js';
import { asObject, nodeKey, taskKey, type Json, type ReconcileContext } from './context.js';
import { readKnobs } from './knobs.js';
import { labelSources, podIsReady, podsOfNode, restartSeidInPlace, seidRestartCount, simulatedHeight, timeOfHeight } from './nodes.js';
import { executionConfigMapName, forgetExecution, nextProposalId, readExecution, writeExecution, type ExecutionRecord } from './sidecar.js';
import { recordUpdate } from '../managed-fields.js';
import { isTerminal, TaskStatusDraft, type FailureReason } from './task-status.js';

/** Namespace of the v5 task ids: fixed, so the same task identity always gives the same id. */
const TASK_ID_NAMESPACE = '6f1c1e0a-5e1d-4c3b-9a57-5e1000000001';
export const TASK_FIELD_MANAGER = 'seinode-task-controller';

const SEED_KINDS = ['GovSoftwareUpgrade', 'GovVote', 'AwaitCondition', 'UpdateNodeImage', 'AwaitNodesAtHeight', 'DiscoverPeers', 'RestartPod'];
const LATEST_KINDS = ['GovSoftwareUpgrade', 'GovVote', 'GovParamChange', 'AwaitCondition', 'UpdateNodeImage', 'AwaitNodesAtHeight', 'RestartSeid', 'MarkReady'];
export const KINDS_BY_FLAVOR: Record<CrdFlavor, readonly string[]> = { seed: SEED_KINDS, latest: LATEST_KINDS };

/** Per-kind execution budgets when spec.timeoutSeconds is unset (0 = unbounded). */
const DEFAULT_TIMEOUT_MS: Record<string, number> = { RestartPod: 10 * 60_000, DiscoverPeers: 2 * 60_000 };
const DEFAULT_REQUIRE_PHASE_TIMEOUT_MS = 5 * 60_000;
/** Simulated latency of quick kinds (DiscoverPeers, MarkReady). */
export const EXEC_STEP_MS = 50;
/** A gov tx is included this many blocks after submission. */
const GOV_INCLUSION_BLOCKS = 2;
const GOV_KINDS = new Set(['GovSoftwareUpgrade', 'GovVote', 'GovParamChange']);
const PROPOSAL_KINDS = new Set(['GovSoftwareUpgrade', 'GovParamChange']);

export interface TaskTracking {
  /** The target node's key while the task is not terminal (so node/pod events wake it). */
  node?: string;
  /** The execution id once minted (so a deleted task's record can be dropped). */
  id?: string;
  /** The task's uid; absent when the task is gone. */
  uid?: string;
}

export function payloadField(kind: string): string {
  return kind.charAt(0).toLowerCase() + kind.slice(1);
}

export function taskId(task: KubeObject): string {
  return uuidv5(`${task.metadata.namespace ?? ''}/${task.metadata.name ?? ''}/${task.metadata.uid ?? ''}`, TASK_ID_NAMESPACE);
}

/** Upper-case hex tx hash, derived from the execution id so it is stable across restarts. */
function txHash(id: string, kind: string): string {
  return createHash('sha256').update(`${kind}:${id}`).digest('hex').toUpperCase();
}

type Step = { done: Json | undefined } | { fail: FailureReason; message: string } | { wait: number | undefined };

export function reconcileTask(ctx: ReconcileContext, namespace: string, name: string): TaskTracking {
  const task = ctx.store.get('seinodetasks', namespace, name);
  if (!task) return {};
  const now = ctx.now();
  const key = taskKey(namespace, name);
  const draft = new TaskStatusDraft(task.status, task.metadata.generation ?? 1, now);
  const spec = asObject(task.spec);
  const target = asObject(asObject(spec.target).nodeRef).name;
  const nodeName = typeof target === 'string' ? target : '';
  const tracking: TaskTracking = { node: nodeKey(namespace, nodeName), uid: task.metadata.uid };

  if (!isTerminal(draft.phase)) {
    if (!draft.task) mintWhenTargetReady(ctx, task, draft, nodeName, key);
    if (draft.task && draft.phase === 'Running') execute(ctx, task, draft, nodeName, key);
  }
  if (draft.task) tracking.id = String(draft.task.id);
  if (isTerminal(draft.phase)) delete tracking.node;
  // Recorded as the apiserver records a status write: Flux's health CEL reads it (src/gitops/health.ts).
  const written = { ...task, status: draft.status };
  const managedFields = recordUpdate(task, written, TASK_FIELD_MANAGER, 'sei.io/v1alpha1', 'status', toTime(now)) as unknown as Json[];
  ctx.store.updateStatus('seinodetasks', { ...written, metadata: { ...task.metadata, managedFields } });
  // A terminal task is never executed again, so its record is no longer needed: dropping it
  // (after the terminal status is stored) keeps the sidecar's memory to in-flight tasks only.
  if (isTerminal(draft.phase) && draft.task) forgetExecution(ctx.store, namespace, String(draft.task.id));
  return tracking;
}

function mintWhenTargetReady(ctx: ReconcileContext, task: KubeObject, draft: TaskStatusDraft, nodeName: string, key: string): void {
  const namespace = task.metadata.namespace ?? '';
  const spec = asObject(task.spec);
  const kind = String(spec.kind ?? '');
  if (!KINDS_BY_FLAVOR[ctx.crd].includes(kind)) {
    draft.fail('UnsupportedKind', `kind "${kind}" is not supported by this controller (supported: ${KINDS_BY_FLAVOR[ctx.crd].join(', ')})`);
    return;
  }
  const payload = spec[payloadField(kind)];
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    draft.fail('DeserializeFailed', `spec.${payloadField(kind)} is required for kind ${kind}`);
    return;
  }
  const node = ctx.store.get('seinodes', namespace, nodeName);
  if (!node) {
    draft.fail('TargetResolveFailed', `target SeiNode "${nodeName}" not found in namespace "${namespace}"`);
    return;
  }
  const targetSpec = asObject(spec.target);
  const requirePhase = typeof targetSpec.requirePhase === 'string' ? targetSpec.requirePhase : 'Running';
  const nodePhase = asObject(node.status).phase;
  const memoKey = `${key}#${task.metadata.uid}#targetFirstObservedAt`;
  if (nodePhase !== requirePhase) {
    const now = ctx.now();
    let first = ctx.memo.get(memoKey) ?? parseTime(draft.status.targetFirstObservedAt);
    if (first === undefined) {
      first = now;
      draft.status.targetFirstObservedAt = toTime(now);
    }
    ctx.memo.set(memoKey, first);
    const timeoutText = typeof targetSpec.requirePhaseTimeout === 'string' ? targetSpec.requirePhaseTimeout : '5m';
    const timeoutMs = parseGoDuration(timeoutText) ?? DEFAULT_REQUIRE_PHASE_TIMEOUT_MS;
    const seen = String(nodePhase ?? 'none');
    if (now - first >= timeoutMs) {
      draft.targetReady(false, `target SeiNode "${nodeName}" is in phase ${seen}, not ${requirePhase}`);
      draft.fail(
        'TargetResolveFailed',
        `target SeiNode "${nodeName}" did not reach phase ${requirePhase} within ${timeoutText} (last seen phase: ${seen})`,
      );
      ctx.memo.delete(memoKey);
      return;
    }
    draft.targetReady(false, `waiting for target SeiNode "${nodeName}" to reach phase ${requirePhase} (now ${seen})`);
    ctx.requeueAt(key, first + timeoutMs);
    return;
  }
  ctx.memo.delete(memoKey);
  delete draft.status.targetFirstObservedAt;
  draft.targetReady(true, `target SeiNode "${nodeName}" is in phase ${requirePhase}`);

  // Params are built at synthesis: a DiscoverPeers that would write no peers fails before any
  // execution is minted (the real controller's fail-fast).
  if (kind === 'DiscoverPeers') {
    const problem = discoverPeersProblem(nodeName, node);
    if (problem) {
      draft.fail('ParamsBuildFailed', problem);
      return;
    }
  }

  const id = taskId(task);
  // The record may exist already when a crash hit between writing it and writing status.
  let record = readExecution(ctx.store, namespace, id);
  if (!record) {
    const timeoutSeconds = spec.timeoutSeconds;
    record = {
      taskUid: task.metadata.uid ?? '',
      task: task.metadata.name ?? '',
      node: nodeName,
      kind,
      payload: structuredClone(payload as Json),
      timeoutMs: typeof timeoutSeconds === 'number' ? timeoutSeconds * 1000 : (DEFAULT_TIMEOUT_MS[kind] ?? 0),
      startedMs: ctx.now(),
    };
    if (PROPOSAL_KINDS.has(kind)) record.proposalId = nextProposalId(ctx.store, namespace);
    if (kind === 'RestartPod') {
      const podUID = String((payload as Json).podUID ?? '');
      const live = podsOfNode(ctx, namespace, nodeName).some((pod) => pod.metadata.uid === podUID);
      record.restart = { podUID, outcome: live ? 'delete' : 'noop' };
    }
    writeExecution(ctx.store, namespace, id, record);
  }
  const now = toTime(ctx.now());
  draft.mint({
    id,
    status: 'Pending',
    submittedAt: now,
    executionStartedAt: toTime(record.startedMs),
    ...(record.restart ? { restartedPodUID: record.restart.podUID } : {}),
  });
}

function execute(ctx: ReconcileContext, task: KubeObject, draft: TaskStatusDraft, nodeName: string, key: string): void {
  const namespace = task.metadata.namespace ?? '';
  const id = String(draft.task?.id ?? '');
  const record = readExecution(ctx.store, namespace, id);
  if (!record) {
    draft.fail('TaskTerminalError', `the simulated sidecar has no record of execution ${id} (was configmap ${executionConfigMapName(id)} deleted?)`);
    return;
  }
  const node = ctx.store.get('seinodes', namespace, record.node);
  if (!node) {
    draft.fail('TargetResolveFailed', `target SeiNode "${record.node}" was deleted while the task was running`);
    return;
  }
  if (readKnobs(node).failKinds.has(record.kind)) {
    draft.fail('TaskFailed', `simulated failure: SeiNode "${nodeName}" lists ${record.kind} in annotation sim.sei.io/fail-kinds`);
    return;
  }
  const step = runKind(ctx, record, node, id);
  if ('done' in step) {
    draft.complete(step.done);
    return;
  }
  if ('fail' in step) {
    draft.fail(step.fail, step.message);
    return;
  }
  const now = ctx.now();
  if (record.timeoutMs > 0) {
    const deadline = record.startedMs + record.timeoutMs;
    if (now >= deadline) {
      draft.fail('Timeout', `${record.kind} did not complete within ${record.timeoutMs / 1000}s of execution start`);
      return;
    }
    ctx.requeueAt(key, deadline);
  }
  if (step.wait !== undefined) ctx.requeueAt(key, step.wait);
}

function runKind(ctx: ReconcileContext, record: ExecutionRecord, node: KubeObject, id: string): Step {
  const now = ctx.now();
  const namespace = node.metadata.namespace ?? '';
  const payload = record.payload;
  switch (record.kind) {
    case 'RestartPod':
      return restartPod(ctx, record, node);
    case 'RestartSeid':
      return restartSeid(ctx, record, node, id);
    case 'DiscoverPeers':
      return discoverPeers(record, now);
    case 'MarkReady':
      return now >= record.startedMs + EXEC_STEP_MS ? { done: undefined } : { wait: record.startedMs + EXEC_STEP_MS };
    case 'UpdateNodeImage': {
      const image = String(payload.image ?? '');
      if (asObject(node.spec).image !== image) applyImage(ctx, node, image);
      const current = ctx.store.get('seinodes', namespace, record.node);
      if (asObject(current?.status).currentImage === image) return { done: { updateNodeImage: { appliedImage: image } } };
      return { wait: undefined }; // the node's status update wakes us
    }
    case 'AwaitNodesAtHeight':
    case 'AwaitCondition': {
      const heightSpec = record.kind === 'AwaitCondition' ? asObject(payload.height) : payload;
      const targetHeight = Number(heightSpec.targetHeight);
      if (!Number.isFinite(targetHeight)) {
        return { fail: 'ParamsBuildFailed', message: `${record.kind} has no targetHeight to wait for` };
      }
      const height = simulatedHeight(node, now);
      if (height < targetHeight) return { wait: timeOfHeight(node, targetHeight, now) };
      if (record.kind === 'AwaitCondition' && payload.action === 'SIGTERM_SEID') sigtermSeid(ctx, record, node, id);
      return record.kind === 'AwaitCondition'
        ? { done: { awaitCondition: { observedValue: height } } }
        : { done: { awaitNodesAtHeight: { currentHeight: height } } };
    }
    default:
      if (GOV_KINDS.has(record.kind)) {
        const includedAt = record.startedMs + GOV_INCLUSION_BLOCKS * readKnobs(node).blockTimeMs;
        if (now < includedAt) return { wait: includedAt };
        const output: Json = { txHash: txHash(id, record.kind), height: simulatedHeight(node, includedAt) };
        if (record.proposalId !== undefined) output.proposalId = record.proposalId;
        return { done: { [payloadField(record.kind)]: output } };
      }
      return { fail: 'UnsupportedKind', message: `kind "${record.kind}" has no simulated implementation` };
  }
}

function restartPod(ctx: ReconcileContext, record: ExecutionRecord, node: KubeObject): Step {
  const namespace = node.metadata.namespace ?? '';
  const restart = record.restart!;
  const pods = podsOfNode(ctx, namespace, record.node);
  if (pods.length > 1) {
    return {
      fail: 'TaskTerminalError',
      message: `RestartPod refuses a multi-replica target: SeiNode "${record.node}" has ${pods.length} pods; restart them one by one outside the task`,
    };
  }
  if (restart.outcome === 'noop') return { done: undefined };
  const stale = pods.find((pod) => pod.metadata.uid === restart.podUID);
  // Deleting by uid is idempotent: once the pod is replaced its uid differs, so a resumed
  // controller can never delete a pod twice.
  if (stale) {
    ctx.store.delete('pods', namespace, stale.metadata.name ?? '');
    return { wait: undefined };
  }
  const replacement = pods.find((pod) => pod.metadata.uid !== restart.podUID && podIsReady(pod));
  return replacement ? { done: undefined } : { wait: undefined };
}

function restartSeid(ctx: ReconcileContext, record: ExecutionRecord, node: KubeObject, id: string): Step {
  const namespace = node.metadata.namespace ?? '';
  const pod = ctx.store.get('pods', namespace, `${record.node}-0`);
  if (!pod) return { wait: undefined };
  if (!record.seid) {
    record.seid = { podUid: pod.metadata.uid ?? '', targetCount: seidRestartCount(pod) + 1 };
    // Record the intent before acting, so a resumed controller restarts at most once.
    writeExecution(ctx.store, namespace, id, record);
  }
  if (pod.metadata.uid === record.seid.podUid && seidRestartCount(pod) < record.seid.targetCount) {
    restartSeidInPlace(ctx, pod);
    return { wait: undefined };
  }
  return podIsReady(pod) ? { done: undefined } : { wait: undefined };
}

/**
 * The post-condition action of AwaitCondition: seid gets SIGTERM and, under restartPolicy
 * Always, comes back in the same pod (restartCount + 1). Recorded before acting, so at most once.
 */
function sigtermSeid(ctx: ReconcileContext, record: ExecutionRecord, node: KubeObject, id: string): void {
  const namespace = node.metadata.namespace ?? '';
  const pod = ctx.store.get('pods', namespace, `${record.node}-0`);
  if (!pod) return;
  if (!record.sigterm) {
    record.sigterm = { podUid: pod.metadata.uid ?? '', targetCount: seidRestartCount(pod) + 1 };
    writeExecution(ctx.store, namespace, id, record);
  }
  if (pod.metadata.uid === record.sigterm.podUid && seidRestartCount(pod) < record.sigterm.targetCount) restartSeidInPlace(ctx, pod);
}

/** Why DiscoverPeers cannot build its peer list for this node, or undefined when it can. */
function discoverPeersProblem(nodeName: string, node: KubeObject): string | undefined {
  const peers = asObject(node.spec).peers;
  if (!Array.isArray(peers) || peers.length === 0) {
    return `target SeiNode "${nodeName}" has no spec.peers: add a static, label or ec2Tags peer source before discovering peers`;
  }
  const resolved = asObject(node.status).resolvedPeers;
  if (labelSources(node).length > 0 && (!Array.isArray(resolved) || resolved.length === 0)) {
    const selectors = labelSources(node).map((source) => JSON.stringify(source.selector ?? {}));
    return `target SeiNode "${nodeName}" has a label peer source that resolved no peers (status.resolvedPeers is empty; selector ${selectors.join(', ')}): label the peer SeiNodes or fix the selector`;
  }
  return undefined;
}

function discoverPeers(record: ExecutionRecord, now: number): Step {
  // The sidecar writes persistent-peers to config.toml; seid reads it on its next restart.
  return now >= record.startedMs + EXEC_STEP_MS ? { done: undefined } : { wait: record.startedMs + EXEC_STEP_MS };
}

/**
 * Sets the node's spec.image as a forced server-side apply by the task controller would: it
 * takes ownership of spec.image in managedFields, so a later unforced apply of a different
 * image by another manager conflicts, as on a real cluster.
 */
function applyImage(ctx: ReconcileContext, node: KubeObject, image: string): void {
  const managed = (node.metadata.managedFields ?? []) as Json[];
  const others = managed
    .filter((entry) => !(entry.manager === TASK_FIELD_MANAGER && entry.operation === 'Apply'))
    .map((entry) => {
      const fields = structuredClone(asObject(entry.fieldsV1));
      const specFields = asObject(fields['f:spec']);
      if (!('f:image' in specFields)) return entry;
      delete specFields['f:image'];
      if (Object.keys(specFields).length === 0) delete fields['f:spec'];
      else fields['f:spec'] = specFields;
      return { ...entry, fieldsV1: fields };
    })
    .filter((entry) => Object.keys(asObject(entry.fieldsV1)).length > 0);
  const mine: Json = {
    manager: TASK_FIELD_MANAGER,
    operation: 'Apply',
    apiVersion: 'sei.io/v1alpha1',
    time: toTime(ctx.now()),
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:image': {} } },
  };
  ctx.store.update('seinodes', {
    ...node,
    metadata: { ...node.metadata, managedFields: [...others, mine] },
    spec: { ...asObject(node.spec), image },
  });
}
