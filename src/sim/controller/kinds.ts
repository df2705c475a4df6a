/**
 * The SeiNodeTask kinds the simulated controller runs, one handler per kind, served for exactly
 * the kinds the served CRD's spec.kind enum lists. A handler says what upstream's per-kind code
 * says: its param build (internal/task/seinodetask_params.go), its default execution budget
 * (nodetask/controller.go effectiveTimeout), whether the node's sidecar runs it (and what the
 * sidecar does) or the controller itself (restart_pod.go, update_node_image.go), and the outputs
 * it publishes (controller.go populateOutputs). Adding a kind is its catalog data plus one entry.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../types.js';
import { toTime } from './time.js';
import { asObject, type Json, type ReconcileContext } from './context.js';
import { readKnobs } from './knobs.js';
import { podIsReady, podsOfNode, restartSeidInPlace, seidRestartCount, simulatedHeight, timeOfHeight } from './nodes.js';
import { nextProposalId, writeExecution, type ExecutionRecord, type GovTxResult, type SidecarStep, type SidecarWork } from './sidecar.js';
import type { ControllerVersion } from './versions.js';

export const TASK_FIELD_MANAGER = 'seinode-task-controller';
/** Simulated latency of quick sidecar work (discover-peers). */
export const EXEC_STEP_MS = 50;
/** A gov tx is included this many blocks after submission. */
const GOV_INCLUSION_BLOCKS = 2;

/** A controller-side Execute: done for now, or a TerminalError's message; throw for a transient error. */
export type ExecuteResult = { ok: true } | { terminal: string };
/** A controller-side Status. */
export type ExecutionStatus = 'running' | 'complete' | { failed: string };

export interface KindHandler {
  /** Execution budget when spec.timeoutSeconds is 0 (absent = unbounded). */
  defaultTimeoutMs?: number;
  /** Param build: a ParamsBuildFailed message, or undefined. `target` is undefined on the early (pre-mint) path. */
  params(task: KubeObject, target: KubeObject | undefined): string | undefined;
  /** Sidecar-backed kinds: what the node's sidecar does with the submitted task. */
  sidecar?: SidecarWork;
  /** Controller-side kinds: Execute and Status against the cluster. */
  controller?: {
    execute(ctx: ReconcileContext, task: KubeObject, target: KubeObject): ExecuteResult;
    status(ctx: ReconcileContext, task: KubeObject, target: KubeObject): ExecutionStatus;
  };
  /** A gov kind: Ready reason Confirmed and the gov failure reasons where the version has them. */
  gov?: boolean;
  /** status.outputs on the committed-ok path, per controller version; undefined = none. */
  outputs?(target: KubeObject, result: GovTxResult | undefined, version: ControllerVersion): Json | undefined;
}

export function payloadField(kind: string): string {
  return kind.charAt(0).toLowerCase() + kind.slice(1);
}

function specOf(task: KubeObject): Json {
  return asObject(task.spec);
}

/** upstream seinodetask_params.go: "spec.<field> is required for kind=<Kind>". */
function requirePayload(task: KubeObject): string | undefined {
  const kind = String(specOf(task).kind ?? '');
  const payload = specOf(task)[payloadField(kind)];
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return `spec.${payloadField(kind)} is required for kind=${kind}`;
  return undefined;
}

function payloadOf(task: KubeObject): Json {
  return asObject(specOf(task)[payloadField(String(specOf(task).kind ?? ''))]);
}

/** Upper-case hex tx hash, derived from the task id so it is stable across restarts and re-runs. */
function txHash(id: string, kind: string): string {
  return createHash('sha256').update(`${kind}:${id}`).digest('hex').toUpperCase();
}

/**
 * Signals seid once (recorded before acting, so a resumed sim never signals twice); under
 * restartPolicy Always it comes back in the same pod with restartCount + 1. Returns the pod.
 */
function sigtermSeidOnce(ctx: ReconcileContext, record: ExecutionRecord, id: string, namespace: string): KubeObject | undefined {
  const pod = ctx.store.get('pods', namespace, `${record.node}-0`);
  if (!pod) return undefined;
  if (!record.seid) {
    record.seid = { podUid: pod.metadata.uid ?? '', targetCount: seidRestartCount(pod) + 1 };
    writeExecution(ctx.store, namespace, id, record);
  }
  if (pod.metadata.uid === record.seid.podUid && seidRestartCount(pod) < record.seid.targetCount) restartSeidInPlace(ctx, pod);
  return ctx.store.get('pods', namespace, `${record.node}-0`);
}

/** await-condition(height): wait for the height, then the action (SIGTERM_SEID) once. */
function awaitHeight(heightOf: (payload: Json) => unknown): SidecarWork['step'] {
  return (ctx, record, node, id, namespace) => {
    const now = ctx.now();
    const targetHeight = Number(heightOf(record.payload));
    const height = simulatedHeight(node, now);
    if (Number.isFinite(targetHeight) && height < targetHeight) return { wait: timeOfHeight(node, targetHeight, now) };
    if (record.payload.action === 'SIGTERM_SEID') sigtermSeidOnce(ctx, record, id, namespace);
    return { done: true };
  };
}

function govWork(type: string, proposal: boolean): SidecarWork {
  return {
    type,
    prepare(ctx, record, namespace) {
      if (proposal) record.proposalId = nextProposalId(ctx.store, namespace);
    },
    step(ctx, record, node, id): SidecarStep {
      const now = ctx.now();
      const includedAt = record.startedMs + GOV_INCLUSION_BLOCKS * readKnobs(node).blockTimeMs;
      if (now < includedAt) return { wait: includedAt };
      const hash = txHash(id, record.kind);
      // The chain's answer is a knob of the latest-era sidecar; the seed era had no gov result.
      const outcome = ctx.crd === 'latest' ? readKnobs(node).govTxResult : 'committed_ok';
      const height = simulatedHeight(node, includedAt);
      switch (outcome) {
        case 'pending':
          // seictl classifyGovResult: IncludedAt == nil → a non-terminal error; the controller re-submits.
          return { fail: `tx ${hash} inclusion undetermined; re-check pending`, result: { txHash: hash, height: 0, inclusionStatus: 'pending' } };
        case 'committed_failed':
          return {
            fail: `tx ${hash} committed but failed: code=5 codespace="sdk" log=simulated by annotation sim.sei.io/gov-tx-result`,
            result: { txHash: hash, height, inclusionStatus: 'committed_failed' },
          };
        default:
          return { done: true, result: { txHash: hash, height, ...(record.proposalId !== undefined ? { proposalId: record.proposalId } : {}), inclusionStatus: 'committed_ok' } };
      }
    },
  };
}

/** Gov outputs (latest govoutputs.go populateGovOutputs): votes carry no proposal id. */
function govOutputs(kind: string, withProposal: boolean) {
  return (_target: KubeObject, result: GovTxResult | undefined, version: ControllerVersion): Json | undefined => {
    if (!version.govResults || !result) return undefined;
    const out: Json = { txHash: result.txHash };
    if (result.height) out.height = result.height;
    if (withProposal && result.proposalId) out.proposalId = result.proposalId;
    return { [payloadField(kind)]: out };
  };
}

/** upstream seinodetask_params.go discoverPeersParams (204c1c0): a label source without resolved peers is skipped. */
function discoverPeersParams(task: KubeObject, target: KubeObject | undefined): string | undefined {
  const missing = requirePayload(task);
  if (missing || !target) return missing;
  const peers = (asObject(target.spec).peers ?? []) as unknown[];
  const resolved = asObject(target.status).resolvedPeers;
  const usable = peers.map(asObject).filter((source) => {
    if (source.ec2Tags !== undefined || source.static !== undefined) return true;
    if (source.label !== undefined) return Array.isArray(resolved) && resolved.length > 0;
    return false;
  });
  if (usable.length > 0) return undefined;
  const node = String(asObject(asObject(specOf(task).target).nodeRef).name ?? '');
  return `target SeiNode "${node}" has no usable peer sources to discover (empty spec.peers, or only label sources with unresolved status.resolvedPeers)`;
}

/** restart_pod.go (204c1c0): delete only the supplied pod; complete once another owned pod is Ready. */
const restartPod: KindHandler['controller'] = {
  execute(ctx, task, target) {
    const namespace = target.metadata.namespace ?? '';
    const name = target.metadata.name ?? '';
    const replicas = readKnobs(target).replicas;
    // pod_cycle.go guardSelectorAndReplicas: a TerminalError.
    if (replicas > 1) return { terminal: `restart-pod does not support multi-replica StatefulSets (got replicas=${replicas}); add ordinal-aware deletion before scaling up` };
    const podUID = String(asObject(asObject(task.status).task).restartedPodUID ?? payloadOf(task).podUID ?? '');
    if (podUID === '') return { ok: true };
    const pod = podsOfNode(ctx, namespace, name)[0];
    if (!pod || pod.metadata.uid !== podUID || pod.metadata.deletionTimestamp) return { ok: true };
    ctx.store.delete('pods', namespace, pod.metadata.name ?? '');
    return { ok: true };
  },
  status(ctx, task, target) {
    const podUID = String(asObject(asObject(task.status).task).restartedPodUID ?? payloadOf(task).podUID ?? '');
    if (podUID === '') return 'running';
    const pod = podsOfNode(ctx, target.metadata.namespace ?? '', target.metadata.name ?? '')[0];
    if (!pod || pod.metadata.deletionTimestamp || pod.metadata.uid === podUID || !podIsReady(pod)) return 'running';
    return 'complete';
  },
};

/** update_node_image.go: a forced server-side apply of spec.image; complete when status.currentImage matches. */
const updateNodeImage: KindHandler['controller'] = {
  execute(ctx, task, target) {
    const image = String(payloadOf(task).image ?? '');
    const live = ctx.store.get('seinodes', target.metadata.namespace ?? '', target.metadata.name ?? '');
    if (!live) return { terminal: `target SeiNode "${target.metadata.name ?? ''}" not found` };
    if (asObject(live.spec).image !== image) applyImage(ctx, live, image);
    return { ok: true };
  },
  status(ctx, task, target) {
    const live = ctx.store.get('seinodes', target.metadata.namespace ?? '', target.metadata.name ?? '');
    return asObject(live?.status).currentImage === String(payloadOf(task).image ?? '') ? 'complete' : 'running';
  },
};

export const KIND_HANDLERS: Readonly<Record<string, KindHandler>> = {
  RestartPod: {
    defaultTimeoutMs: 10 * 60_000,
    params: (task) => requirePayload(task) ?? (payloadOf(task).podUID ? undefined : 'spec.restartPod.podUID is required for kind=RestartPod'),
    controller: restartPod,
  },
  UpdateNodeImage: {
    params: requirePayload,
    controller: updateNodeImage,
    outputs: (target) => ({ updateNodeImage: { appliedImage: asObject(target.status).currentImage } }),
  },
  DiscoverPeers: {
    defaultTimeoutMs: 2 * 60_000,
    params: discoverPeersParams,
    sidecar: {
      type: 'discover-peers',
      // The sidecar writes persistent-peers to config.toml; seid reads it on its next restart.
      step: (ctx, record) => (ctx.now() >= record.startedMs + EXEC_STEP_MS ? { done: true } : { wait: record.startedMs + EXEC_STEP_MS }),
    },
  },
  RestartSeid: {
    defaultTimeoutMs: 10 * 60_000,
    params: requirePayload,
    sidecar: {
      type: 'restart-seid',
      step(ctx, record, _node, id, namespace) {
        const pod = sigtermSeidOnce(ctx, record, id, namespace);
        const signalled = record.seid;
        return pod && signalled && pod.metadata.uid === signalled.podUid && seidRestartCount(pod) >= signalled.targetCount && podIsReady(pod) ? { done: true } : { wait: undefined };
      },
    },
  },
  MarkReady: {
    defaultTimeoutMs: 2 * 60_000,
    params: requirePayload,
    sidecar: { type: 'mark-ready', fireAndForget: true, step: () => ({ done: true }) },
  },
  AwaitCondition: {
    params: (task) => requirePayload(task) ?? (payloadOf(task).height === undefined ? 'spec.awaitCondition.height is required (height is the only condition wired in MVP)' : undefined),
    sidecar: { type: 'await-condition', step: awaitHeight((payload) => asObject(payload.height).targetHeight) },
  },
  AwaitNodesAtHeight: {
    params: requirePayload,
    sidecar: { type: 'await-condition', step: awaitHeight((payload) => payload.targetHeight) },
  },
  GovSoftwareUpgrade: { params: requirePayload, gov: true, sidecar: govWork('gov-software-upgrade', true), outputs: govOutputs('GovSoftwareUpgrade', true) },
  GovParamChange: { params: requirePayload, gov: true, sidecar: govWork('gov-param-change', true), outputs: govOutputs('GovParamChange', true) },
  GovVote: { params: requirePayload, gov: true, sidecar: govWork('gov-vote', false), outputs: govOutputs('GovVote', false) },
};

/** Each sidecar-backed kind's work, for the sidecar reconciler. */
export const SIDECAR_WORK: Readonly<Record<string, SidecarWork | undefined>> = Object.fromEntries(
  Object.entries(KIND_HANDLERS).map(([kind, handler]) => [kind, handler.sidecar]),
);

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
