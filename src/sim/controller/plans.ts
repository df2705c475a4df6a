/**
 * The controller's own plans (status.plan of a SeiNode or a SeiNodeTaskWorkflow) as upstream's
 * planner builds them and its generic executor drives them: an ordered list of typed tasks with
 * deterministic ids, executed one at a time, controller-side tasks synchronously, sidecar tasks
 * submitted and polled, failures retried within each task's budget. Builders are pure; the
 * executor mutates the plan it is given and asks the caller for the few side effects a task has
 * (replacing pods, observing the image). Timing is compressed (SIM_TIME_SCALE) but the order a
 * client observes is upstream's.
 *
 * Upstream (2d670ad; 204c1c0 where it differs): internal/planner/planner.go (buildBasePlan,
 * buildPlannedTask, taskMaxRetries, assembleUpdatePlan, buildMarkReadyPlan), full.go,
 * validator.go, workflow.go, executor.go, internal/task/task.go (DeterministicTaskID).
 */
import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { CrdFlavor, KubeObject } from '../types.js';
import { parseTime, toTime } from './time.js';
import { asObject, type Json, type ReconcileContext } from './context.js';

/** internal/task/task.go:25 taskIDNamespace — the same namespace the SeiNodeTask ids use. */
export const PLAN_TASK_ID_NAMESPACE = 'b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6b';

/** Upstream's intervals divided by this factor: a 5 s poll is 50 ms here, a 30 s backoff 300 ms. */
export const SIM_TIME_SCALE = 100;
/** How long a sidecar task takes from submission to its result. */
export const SIDECAR_TASK_MS = 25;
/** executor.go:21 TaskPollInterval (5 s), scaled. */
export const TASK_POLL_MS = 5_000 / SIM_TIME_SCALE;
/** controller.go:38 statusPollInterval (30 s), scaled. */
export const STATUS_POLL_MS = 30_000 / SIM_TIME_SCALE;

export type PlannedTaskStatus = 'Pending' | 'Running' | 'Complete' | 'Failed';

export interface PlannedTask {
  type: string;
  id: string;
  status: PlannedTaskStatus;
  params?: unknown;
  submittedAt?: string;
  error?: string;
  maxRetries?: number;
  retryCount?: number;
}

export interface FailedTaskInfo {
  type: string;
  id: string;
  error: string;
  retryCount: number;
  maxRetries: number;
}

export interface TaskPlan {
  id?: string;
  phase: 'Active' | 'Complete' | 'Failed';
  tasks: PlannedTask[];
  targetPhase?: string;
  failedPhase?: string;
  failedTaskIndex?: number;
  failedTaskDetail?: FailedTaskInfo;
}

/** Task types the controller runs itself (internal/task); every other type is a sidecar task. */
const CONTROLLER_TASKS = new Set([
  'ensure-data-pvc',
  'validate-signing-key',
  'validate-node-key',
  'validate-operator-keyring',
  'apply-rbac-proxy-config',
  'apply-statefulset',
  'apply-service',
  'replace-pod',
  'observe-image',
  'await-nodes-running',
]);

export function isSidecarTask(type: string): boolean {
  return !CONTROLLER_TASKS.has(type);
}

/** internal/task/task.go:135 DeterministicTaskID: UUIDv5 of "<planID>/<taskType>/<planIndex>". */
export function plannedTaskId(planId: string, type: string, index: number): string {
  return uuidv5(`${planId}/${type}/${index}`, PLAN_TASK_ID_NAMESPACE);
}

/** planner.go:531 taskMaxRetries (seed: + discover-peers 20, bootstrap.go:170). */
export function taskMaxRetries(type: string, flavor: CrdFlavor): number {
  switch (type) {
    case 'configure-genesis':
    case 'assemble-genesis':
      return 180;
    case 'discover-peers':
      return flavor === 'seed' ? 20 : 0;
    case 'replace-pod':
      return 3;
    default:
      return 0;
  }
}

/** planner.go:512 buildPlannedTask; Go's omitempty drops a zero maxRetries. */
export function plannedTask(planId: string, type: string, index: number, params: unknown, flavor: CrdFlavor): PlannedTask {
  const task: PlannedTask = { type, id: plannedTaskId(planId, type, index), status: 'Pending' };
  if (params !== undefined && params !== null) task.params = params;
  const maxRetries = taskMaxRetries(type, flavor);
  if (maxRetries > 0) task.maxRetries = maxRetries;
  return task;
}

// ---------------------------------------------------------------------------------------------
// The node's mode and what its plans contain
// ---------------------------------------------------------------------------------------------

export const NODE_MODES = ['fullNode', 'archive', 'replayer', 'validator', 'seed'] as const;
export type NodeMode = (typeof NODE_MODES)[number];

/** planner.go:303 plannerForMode: the first mode sub-spec set, in upstream's order. */
export function nodeMode(node: KubeObject): NodeMode | undefined {
  const spec = asObject(node.spec);
  return NODE_MODES.find((mode) => spec[mode] !== undefined && spec[mode] !== null);
}

function snapshotSource(node: KubeObject): Json | undefined {
  const mode = nodeMode(node);
  if (!mode) return undefined;
  const snapshot = asObject(node.spec)[mode];
  const source = asObject(snapshot).snapshot;
  return source !== undefined && source !== null && typeof source === 'object' ? (source as Json) : undefined;
}

function secretName(value: unknown): string {
  const name = asObject(asObject(value).secret).secretName;
  return typeof name === 'string' ? name : '';
}

/** planner.go:366-430: which key-validation tasks the node's secrets call for. */
function keyValidationTasks(node: KubeObject): string[] {
  const spec = asObject(node.spec);
  const validator = asObject(spec.validator);
  const out: string[] = [];
  if (secretName(validator.signingKey) !== '') out.push('validate-signing-key');
  if (secretName(validator.nodeKey) !== '' || secretName(asObject(spec.seed).nodeKey) !== '') out.push('validate-node-key');
  if (secretName(validator.operatorKeyring) !== '') out.push('validate-operator-keyring');
  return out;
}

function insertBefore(progression: string[], target: string, type: string): string[] {
  if (progression.includes(type)) return progression;
  const at = progression.indexOf(target);
  return at < 0 ? progression : [...progression.slice(0, at), type, ...progression.slice(at)];
}

/** planner.go:342 buildSidecarProgression (204c1c0: + discover-peers when spec.peers is set). */
export function sidecarProgression(node: KubeObject, flavor: CrdFlavor): string[] {
  const snap = snapshotSource(node);
  let progression = snap?.s3 !== undefined && snap?.s3 !== null ? ['snapshot-restore', 'config-apply', 'config-validate', 'mark-ready'] : ['config-apply', 'config-validate', 'mark-ready'];
  progression = insertBefore(progression, 'config-apply', 'configure-genesis');
  const peers = asObject(node.spec).peers;
  if (flavor === 'seed' && Array.isArray(peers) && peers.length > 0) progression = insertBefore(progression, 'config-validate', 'discover-peers');
  if (snap) progression = insertBefore(progression, 'config-validate', 'configure-state-sync');
  return progression;
}

/** planner.go:709 commonOverrides, as the config-apply intent carries them. */
function configIntent(node: KubeObject, flavor: CrdFlavor): Json {
  const spec = asObject(node.spec);
  const overrides: Record<string, string> = { 'logging.level': 'error' };
  if (flavor === 'latest') overrides['network.p2p.persistent_peers'] = ((asObject(node.status).resolvedPeers ?? []) as string[]).join(',');
  if (typeof spec.externalAddress === 'string' && spec.externalAddress !== '') overrides['network.p2p.external_address'] = spec.externalAddress;
  Object.assign(overrides, asObject(spec.overrides));
  const mode = nodeMode(node);
  return { mode: mode === 'fullNode' ? 'full' : (mode ?? ''), overrides };
}

/** ConfigureStateSyncTask (seictl sidecar client) as json.Marshal writes it: no tags, every field. */
function configureStateSyncParams(node: KubeObject, rpcServers: unknown[], useLocalSnapshot: boolean): Json {
  const snap = snapshotSource(node) ?? {};
  return {
    UseLocalSnapshot: useLocalSnapshot,
    TrustPeriod: typeof snap.trustPeriod === 'string' ? snap.trustPeriod : '',
    BackfillBlocks: typeof snap.backfillBlocks === 'number' ? snap.backfillBlocks : 0,
    RpcServers: rpcServers.length > 0 ? rpcServers : null,
  };
}

/** planner.go:596 paramsForTaskType, for the types the sim's plans carry. */
function paramsFor(node: KubeObject, type: string, flavor: CrdFlavor): unknown {
  const ref = { nodeName: node.metadata.name ?? '', namespace: node.metadata.namespace ?? '' };
  switch (type) {
    case 'ensure-data-pvc':
    case 'apply-statefulset':
    case 'apply-service':
    case 'apply-rbac-proxy-config':
    case 'replace-pod':
    case 'observe-image':
      return ref;
    case 'validate-signing-key':
      return { secretName: secretName(asObject(asObject(node.spec).validator).signingKey), namespace: ref.namespace };
    case 'validate-node-key': {
      const spec = asObject(node.spec);
      return { secretName: secretName(asObject(spec.validator).nodeKey) || secretName(asObject(spec.seed).nodeKey), namespace: ref.namespace };
    }
    case 'snapshot-restore': {
      const s3 = asObject(snapshotSource(node)?.s3);
      return { TargetHeight: typeof s3.targetHeight === 'number' ? s3.targetHeight : 0 };
    }
    case 'config-apply':
      return configIntent(node, flavor);
    case 'configure-state-sync': {
      const snap = snapshotSource(node);
      return configureStateSyncParams(node, (asObject(node.status).resolvedStateSyncers ?? []) as unknown[], snap?.s3 !== undefined && snap?.s3 !== null);
    }
    default:
      return {};
  }
}

function assemble(node: KubeObject, progression: string[], flavor: CrdFlavor, params: (type: string) => unknown): TaskPlan {
  const planId = randomUUID();
  return { id: planId, phase: 'Active', tasks: progression.map((type, index) => plannedTask(planId, type, index, params(type), flavor)) };
}

/** planner.go:546 buildBasePlan: infrastructure tasks, then the sidecar progression; Running / Failed. */
export function buildInitPlan(node: KubeObject, flavor: CrdFlavor): TaskPlan {
  const progression = ['ensure-data-pvc', ...keyValidationTasks(node), 'apply-rbac-proxy-config', 'apply-statefulset', 'apply-service', ...sidecarProgression(node, flavor)];
  return { ...assemble(node, progression, flavor, (type) => paramsFor(node, type, flavor)), targetPhase: 'Running', failedPhase: 'Failed' };
}

/** The image-roll progression every mode planner builds on drift (full.go:56, validator.go:128, seed.go:59). */
export const UPDATE_PLAN_TASKS = ['apply-statefulset', 'apply-service', 'config-patch', 'config-validate', 'replace-pod', 'observe-image', 'mark-ready'] as const;

/** planner.go:802 assembleUpdatePlan: targetPhase Running, no failedPhase (a failure retries). */
export function buildUpdatePlan(node: KubeObject, flavor: CrdFlavor): TaskPlan {
  const spec = asObject(node.spec);
  const mode = nodeMode(node);
  const validations = mode === 'validator' ? keyValidationTasks(node) : mode === 'seed' ? keyValidationTasks(node).filter((t) => t === 'validate-node-key') : [];
  const p2p: Json = { 'external-address': typeof spec.externalAddress === 'string' ? spec.externalAddress : '' };
  // 204c1c0 externalAddressPatch; 2d670ad p2pConfigPatch also folds in the resolved peers.
  if (flavor === 'latest') p2p['persistent-peers'] = ((asObject(node.status).resolvedPeers ?? []) as string[]).join(',');
  const patch = { files: { 'config.toml': { p2p } } };
  const plan = assemble(node, [...validations, ...UPDATE_PLAN_TASKS], flavor, (type) => (type === 'config-patch' ? patch : paramsFor(node, type, flavor)));
  return { ...plan, targetPhase: 'Running' };
}

/** planner.go:728 buildMarkReadyPlan: the one-task plan re-marking sidecar readiness. */
export function buildMarkReadyPlan(node: KubeObject, flavor: CrdFlavor): TaskPlan {
  return { ...assemble(node, ['mark-ready'], flavor, () => ({})), targetPhase: 'Running' };
}

/** workflow.go:25 minStateSyncWitnesses. */
export const MIN_STATE_SYNC_WITNESSES = 2;

/** workflow.go:189 gigaStoreConfigPatch: the app.toml keys of the giga SS-store migration. */
export function gigaStoreConfigPatch(backend: string | undefined): Json {
  return {
    'app.toml': {
      'state-store': { 'ss-enable': true, 'evm-ss-split': true, 'ss-backend': backend !== undefined && backend !== '' ? backend : 'pebbledb' },
      'state-commit': { 'sc-enable': true },
    },
  };
}

/**
 * internal/controller/node/workflow.go:561 buildWorkflowPlan = planner/workflow.go WorkflowPlannerFor,
 * Validate, BuildPlan. Returns the plan, or the error text the workflow fails PlanBuildFailed with.
 */
export function buildWorkflowPlan(node: KubeObject, workflow: KubeObject, flavor: CrdFlavor): TaskPlan | { error: string } {
  const spec = asObject(workflow.spec);
  if (spec.kind !== 'StateSync') return { error: `unknown workflow kind ${JSON.stringify(String(spec.kind ?? ''))}` };
  const stateSync = spec.stateSync;
  if (stateSync === undefined || stateSync === null) return { error: 'stateSync recipe params are nil' };
  if (nodeMode(node) !== 'fullNode') return { error: `stateSync workflow refuses non-full/RPC target ${node.metadata.namespace ?? ''}/${node.metadata.name ?? ''}` };
  const recipe = asObject(stateSync);
  let witnesses = Array.isArray(recipe.rpcServers) ? (recipe.rpcServers as unknown[]) : [];
  if (witnesses.length === 0) witnesses = Array.isArray(asObject(node.status).resolvedStateSyncers) ? (asObject(node.status).resolvedStateSyncers as unknown[]) : [];
  if (witnesses.length < MIN_STATE_SYNC_WITNESSES) {
    return {
      error: `stateSync workflow fail-closed: need >=${MIN_STATE_SYNC_WITNESSES} resolved witnesses (recipe rpcServers or node.status.resolvedStateSyncers), have ${witnesses.length}`,
    };
  }
  let configPatch: Json | undefined;
  if (recipe.migration !== undefined && recipe.migration !== null) {
    const migration = asObject(recipe.migration);
    if (migration.kind !== 'GigaStore') return { error: `stateSync workflow config migration: unknown config migration kind ${JSON.stringify(String(migration.kind ?? ''))}` };
    const backend = asObject(migration.gigaStore).backend;
    configPatch = gigaStoreConfigPatch(typeof backend === 'string' ? backend : undefined);
  }
  const steps: Array<[string, unknown]> = [
    ['mark-not-ready', {}],
    ['stop-seid', {}],
    ['reset-data', {}],
  ];
  if (configPatch) steps.push(['config-patch', { files: configPatch }]);
  steps.push(['configure-state-sync', configureStateSyncParams(node, witnesses, false)], ['mark-ready', {}]);
  const planId = randomUUID();
  // TargetPhase / FailedPhase stay empty: a workflow never drives the node's phase (workflow.go:79).
  return { id: planId, phase: 'Active', tasks: steps.map(([type, params], index) => plannedTask(planId, type, index, params, flavor)) };
}

// ---------------------------------------------------------------------------------------------
// The executor
// ---------------------------------------------------------------------------------------------

export type SidecarHealth = 'ready' | 'not-ready' | 'unreachable';

/** What executing a plan needs from its owner. */
export interface PlanEnvironment {
  ctx: ReconcileContext;
  /** The key to requeue (the node's: workflows are executed by the node's reconcile). */
  key: string;
  /** A prefix unique to the plan's owner, for precise in-memory timestamps. */
  memoPrefix: string;
  /** The task type the knob sim.sei.io/fail-plan-task names, and the error it fails with. */
  failTask?: { type: string; error: string };
  /** The task type sim.sei.io/stall-plan-task names: submitted, never finished. */
  stallTask?: string;
  sidecar: SidecarHealth;
  /** Controller-side effects: replace-pod (returns true once old-revision pods are gone), observe-image (true when rolled). */
  effects: { replacePod(): boolean; observeImage(): boolean };
  /** executor.go:254 setTargetPhase: only a node has a phase to set. */
  setPhase?(phase: string): void;
}

/** executor.go:58 CurrentTask: the first task that is not Complete. */
export function currentTask(plan: TaskPlan): PlannedTask | undefined {
  return plan.tasks.find((t) => t.status !== 'Complete');
}

/** executor.go:245 retryBackoff: 5 s * 2^min(attempt, 5), capped at 30 s — scaled. */
export function retryBackoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.min(attempt, 5), 30_000) / SIM_TIME_SCALE;
}

/**
 * executor.go:88 executePlan: advances synchronous tasks in a loop, stops at the first task still
 * running, and marks the plan Complete (setting targetPhase) or Failed (failedPhase,
 * failedTaskIndex, failedTaskDetail). Mutates `plan`; the caller persists it.
 */
export function executePlan(plan: TaskPlan, env: PlanEnvironment): void {
  if (plan.phase !== 'Active') return;
  for (;;) {
    const task = currentTask(plan);
    if (!task) {
      plan.phase = 'Complete';
      if (plan.targetPhase) env.setPhase?.(plan.targetPhase);
      env.ctx.requeueAt(env.key, env.ctx.now());
      return;
    }
    advanceTask(plan, task, env);
    if (task.status !== 'Complete') return;
  }
}

/** executor.go:137 advanceTask, with the sim's sidecar and knobs standing in for real work. */
function advanceTask(plan: TaskPlan, task: PlannedTask, env: PlanEnvironment): void {
  const { ctx } = env;
  const now = ctx.now();
  const memo = `${env.memoPrefix}#${task.id}`;
  const sidecar = isSidecarTask(task.type);

  if (task.status === 'Pending') {
    // A retry waits out its backoff before it is submitted again.
    const retryAt = ctx.memo.get(`${memo}#retryAt`);
    if (retryAt !== undefined && now < retryAt) {
      ctx.requeueAt(env.key, retryAt);
      return;
    }
    ctx.memo.delete(`${memo}#retryAt`);
    // An unreachable sidecar refuses the submission: a transient error, retried on the next poll
    // with the task left Pending and unsubmitted (executor.go:163). The knob's change wakes us.
    if (sidecar && env.sidecar === 'unreachable') return;
    if (task.submittedAt === undefined) {
      task.submittedAt = toTime(now);
      ctx.memo.set(`${memo}#submitted`, now);
    }
  }

  if (env.stallTask === task.type) return;

  // Sidecar tasks finish SIDECAR_TASK_MS after submission; controller tasks inside Execute.
  if (sidecar) {
    const submitted = ctx.memo.get(`${memo}#submitted`) ?? parseTime(task.submittedAt) ?? now;
    if (now < submitted + SIDECAR_TASK_MS) {
      ctx.requeueAt(env.key, submitted + SIDECAR_TASK_MS);
      return;
    }
  }

  if (env.failTask?.type === task.type) {
    failAttempt(plan, task, env, env.failTask.error);
    return;
  }

  if (task.type === 'replace-pod' && !env.effects.replacePod()) return;
  if (task.type === 'observe-image' && !env.effects.observeImage()) return;
  task.status = 'Complete';
  ctx.memo.delete(`${memo}#submitted`);
}

/** executor.go:184-199: within its budget a failed task goes back to Pending; otherwise the plan fails. */
function failAttempt(plan: TaskPlan, task: PlannedTask, env: PlanEnvironment, error: string): void {
  const { ctx } = env;
  const memo = `${env.memoPrefix}#${task.id}`;
  ctx.memo.delete(`${memo}#submitted`);
  const maxRetries = task.maxRetries ?? 0;
  const retries = task.retryCount ?? 0;
  if (maxRetries > 0 && retries < maxRetries) {
    task.retryCount = retries + 1;
    task.status = 'Pending';
    delete task.error;
    delete task.submittedAt;
    const retryAt = ctx.now() + retryBackoffMs(task.retryCount);
    ctx.memo.set(`${memo}#retryAt`, retryAt);
    ctx.requeueAt(env.key, retryAt);
    return;
  }
  // executor.go:209 failTask.
  task.status = 'Failed';
  task.error = error;
  plan.phase = 'Failed';
  if (plan.failedPhase) env.setPhase?.(plan.failedPhase);
  plan.failedTaskIndex = plan.tasks.indexOf(task);
  plan.failedTaskDetail = { type: task.type, id: task.id, error, retryCount: retries, maxRetries };
}

/** workflow.go:740 planFailureDetail / planner.go:293 planFailureMessage. */
export function planFailureMessage(plan: TaskPlan | undefined, fallback: string): string {
  const detail = plan?.failedTaskDetail;
  return detail ? `task ${detail.type}: ${detail.error}` : fallback;
}

/** Forgets the precise timestamps kept for a plan's tasks once the plan is gone (O(tasks), not O(memo)). */
export function forgetPlan(ctx: ReconcileContext, memoPrefix: string, plan: TaskPlan | undefined): void {
  ctx.memo.delete(`${memoPrefix}#failedAt`);
  for (const task of plan?.tasks ?? []) {
    ctx.memo.delete(`${memoPrefix}#${task.id}#submitted`);
    ctx.memo.delete(`${memoPrefix}#${task.id}#retryAt`);
  }
}
