/**
 * The SeiNodeTask kinds the simulated controller runs: one handler per kind (its default
 * execution budget, its synthesis-time checks and snapshot, and one step of its execution),
 * served for exactly the kinds the served CRD's spec.kind enum lists. Adding a kind is its
 * catalog data plus one entry here.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../types.js';
import { toTime } from './time.js';
import { asObject, type Json, type ReconcileContext } from './context.js';
import { readKnobs } from './knobs.js';
import { labelSources, podIsReady, podsOfNode, restartSeidInPlace, seidRestartCount, simulatedHeight, timeOfHeight } from './nodes.js';
import { nextProposalId, writeExecution, type ExecutionRecord } from './sidecar.js';
import type { FailureReason } from './task-status.js';

export const TASK_FIELD_MANAGER = 'seinode-task-controller';
/** Simulated latency of quick kinds (DiscoverPeers, MarkReady). */
export const EXEC_STEP_MS = 50;
/** A gov tx is included this many blocks after submission. */
const GOV_INCLUSION_BLOCKS = 2;

export type Step = { done: Json | undefined } | { fail: FailureReason; message: string } | { wait: number | undefined };

export interface KindHandler {
  /** Execution budget when spec.timeoutSeconds is unset (absent = unbounded). */
  defaultTimeoutMs?: number;
  /** Why the execution cannot be built for this target, checked before minting. */
  paramsProblem?(nodeName: string, node: KubeObject): string | undefined;
  /** Kind-specific parts of a new execution record (decided once, at mint). */
  prepare?(ctx: ReconcileContext, record: ExecutionRecord, namespace: string): void;
  /** One step of the execution: done (with outputs), failed, or wait until a time / an event. */
  run(ctx: ReconcileContext, record: ExecutionRecord, node: KubeObject, id: string): Step;
}

export function payloadField(kind: string): string {
  return kind.charAt(0).toLowerCase() + kind.slice(1);
}

/** Upper-case hex tx hash, derived from the execution id so it is stable across restarts. */
function txHash(id: string, kind: string): string {
  return createHash('sha256').update(`${kind}:${id}`).digest('hex').toUpperCase();
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


function afterStep(record: ExecutionRecord, now: number): Step {
  return now >= record.startedMs + EXEC_STEP_MS ? { done: undefined } : { wait: record.startedMs + EXEC_STEP_MS };
}

function awaitHeight(ctx: ReconcileContext, record: ExecutionRecord, node: KubeObject, id: string): Step {
  const now = ctx.now();
  const payload = record.payload;
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

function govTx(proposal: boolean): KindHandler {
  return {
    prepare(ctx, record, namespace) {
      if (proposal) record.proposalId = nextProposalId(ctx.store, namespace);
    },
    run(ctx, record, node, id) {
      const now = ctx.now();
      const includedAt = record.startedMs + GOV_INCLUSION_BLOCKS * readKnobs(node).blockTimeMs;
      if (now < includedAt) return { wait: includedAt };
      const output: Json = { txHash: txHash(id, record.kind), height: simulatedHeight(node, includedAt) };
      if (record.proposalId !== undefined) output.proposalId = record.proposalId;
      return { done: { [payloadField(record.kind)]: output } };
    },
  };
}

export const KIND_HANDLERS: Readonly<Record<string, KindHandler>> = {
  RestartPod: {
    defaultTimeoutMs: 10 * 60_000,
    prepare(ctx, record, namespace) {
      const podUID = String(record.payload.podUID ?? '');
      const live = podsOfNode(ctx, namespace, record.node).some((pod) => pod.metadata.uid === podUID);
      record.restart = { podUID, outcome: live ? 'delete' : 'noop' };
    },
    run: (ctx, record, node) => restartPod(ctx, record, node),
  },
  RestartSeid: { run: (ctx, record, node, id) => restartSeid(ctx, record, node, id) },
  DiscoverPeers: {
    defaultTimeoutMs: 2 * 60_000,
    paramsProblem: discoverPeersProblem,
    run: (ctx, record) => discoverPeers(record, ctx.now()),
  },
  MarkReady: { run: (ctx, record) => afterStep(record, ctx.now()) },
  UpdateNodeImage: {
    run(ctx, record, node) {
      const image = String(record.payload.image ?? '');
      if (asObject(node.spec).image !== image) applyImage(ctx, node, image);
      const current = ctx.store.get('seinodes', node.metadata.namespace ?? '', record.node);
      if (asObject(current?.status).currentImage === image) return { done: { updateNodeImage: { appliedImage: image } } };
      return { wait: undefined }; // the node's status update wakes us
    },
  },
  AwaitNodesAtHeight: { run: awaitHeight },
  AwaitCondition: { run: awaitHeight },
  GovSoftwareUpgrade: govTx(true),
  GovParamChange: govTx(true),
  GovVote: govTx(false),
};

/**
 * The kinds the served SeiNodeTask CRD admits (its spec.kind enum, in the CRD's order): the
 * kinds the controller runs. A kind the CRD serves without a handler here is a sim defect,
 * refused at start rather than discovered by the first task of that kind.
 */
export function servedTaskKinds(crds: readonly KubeObject[]): string[] {
  const taskCrd = crds.find((c) => asObject(asObject(c.spec).names).kind === 'SeiNodeTask');
  const versions = (asObject(taskCrd?.spec).versions ?? []) as Json[];
  const specSchema = asObject(asObject(asObject(asObject(asObject(versions[0]).schema).openAPIV3Schema).properties).spec);
  const kinds = (asObject(asObject(specSchema.properties).kind).enum ?? []) as string[];
  const missing = kinds.filter((k) => !KIND_HANDLERS[k]);
  if (missing.length > 0) throw new Error(`the served SeiNodeTask CRD admits kinds the sim has no handler for: ${missing.join(', ')}`);
  return kinds;
}
