/**
 * The paved road: render → validate → preflight → apply → wait, returning the verdict (or, with
 * --gitops-repo, render → validate → commit instead of applying). One implementation for every
 * kind: the commands only choose the kind and map flags to parameters. `refreshPeers` chains
 * DiscoverPeers then RestartPod, reading the pod UID only after DiscoverPeers completed.
 * Exit codes are decided by the caller from the verdict (verdictsToError).
 */
import type { ClusterClient, ConnectionOptions, KubeObject } from '../cluster/types.js';
import type { ApiFlavor, KindSpec } from '../catalog/types.js';
import { CONTROLLER_VERSIONS, controllerVersionOfCrd, publishedOutputs, unpublishedOutputReason } from '../catalog/controller-versions.js';
import type { GitopsCommitResult, GitopsFlavor } from '../gitops/types.js';
import { SeiError } from '../errors/sei-error.js';
import type { Progress } from '../output/progress.js';
import * as view from '../output/task-view.js';
import type { TaskVerdict } from '../watch/types.js';
import { actionText, writeTask, type AppliedTask, type DryRun } from './apply-tasks.js';
import { parseDuration } from '../domain/duration.js';
import { followTasks } from './follow-tasks.js';
import { appendEnvFile, extractOutputEnv, parseOutputEnvSpecs, type OutputEnvSpec } from './output-env.js';
import { preflightTask } from './preflight.js';
import { lateResolvers } from './kind-behaviour.js';
import { readSeiNodeTask, withPayloadValues } from '../domain/seinodetask.js';
import { renderValidated, type RenderInput } from './render-input.js';

export interface GitopsTarget {
  repo: string;
  path: string;
  flavor?: GitopsFlavor;
  push?: boolean | string;
  branch?: string;
}

export interface RunTaskOptions {
  render: Omit<RenderInput, 'namespace'> & { namespace?: string };
  connection?: ConnectionOptions;
  /** An existing client (tests, refresh-peers); otherwise connect(connection). */
  client?: ClusterClient;
  replace?: boolean;
  dryRun?: DryRun;
  wait: boolean;
  /** Undefined: the kind's default (defaultWaitTimeoutMs). */
  timeoutMs?: number;
  outputEnv?: string[];
  envFile?: string;
  gitops?: GitopsTarget;
  signal?: AbortSignal;
  /** Told when waiting starts (true) and ends (false): Ctrl-C means "stop waiting" only then. */
  waiting?: (on: boolean) => void;
  progress: Progress;
  onObject?: (object: KubeObject) => void;
}

export interface RunTaskResult {
  applied: AppliedTask;
  spec: KindSpec;
  verdict?: TaskVerdict;
  /** KEY='value' lines extracted on Complete (also appended to --env-file when given). */
  envLines?: string[];
  gitops?: GitopsCommitResult;
  /** How long the wait was allowed, so a re-attach hint can ask for as long. */
  waitTimeoutMs?: number;
}

const DEFAULT_WAIT_MS = 10 * 60_000;
const MARGIN_MS = 60_000;

/**
 * The wait a paved road allows by default: the task's execution bound (spec.timeoutSeconds,
 * else the kind's controller default) + requirePhaseTimeout (default 5m) + 1m margin, so the
 * controller's own Timeout verdict normally arrives first; 10m for kinds without a bound.
 */
export function defaultWaitTimeoutMs(spec: KindSpec | undefined, object: KubeObject): number {
  const specTimeout = view.spec(object)['timeoutSeconds'];
  const execSeconds = typeof specTimeout === 'number' && specTimeout > 0 ? specTimeout : spec?.defaultTimeoutSeconds;
  if (!execSeconds) return DEFAULT_WAIT_MS;
  const target = view.spec(object)['target'] as Record<string, unknown> | undefined;
  const rpt = typeof target?.['requirePhaseTimeout'] === 'string' ? parseDuration(target['requirePhaseTimeout'], 'spec.target.requirePhaseTimeout') : 5 * 60_000;
  return execSeconds * 1000 + rpt + MARGIN_MS;
}

async function clientFor(options: RunTaskOptions): Promise<ClusterClient> {
  if (options.client) return options.client;
  const { connect } = await import('../cluster/index.js');
  return connect(options.connection ?? {});
}

function defaultEnvSpecs(spec: KindSpec, version: ApiFlavor): string[] {
  // `--env-file F` alone writes every output the controller publishes: proposalId → PROPOSAL_ID.
  return publishedOutputs(spec, version).map((o) => `${o.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}=${o.jsonPath}`);
}

/**
 * Refuses (exit 2, before any write) env outputs the cluster's controller version never writes:
 * the wait would end Complete with nothing to read. Names the version and the alternative.
 */
function refuseUnpublished(spec: KindSpec, version: ApiFlavor, explicit: OutputEnvSpec[] | undefined): void {
  if (explicit) {
    const problems = explicit.flatMap((env) => {
      const output = spec.outputs.find((o) => o.jsonPath === env.jsonPath);
      const reason = output ? unpublishedOutputReason(spec, output.name, version) : undefined;
      return reason ? [`--output-env ${env.key}=${env.jsonPath}: ${reason}`] : [];
    });
    if (problems.length > 0) throw SeiError.invalid(problems.join('\n'), [], ['`kubectl sei kinds --from-cluster` lists the outputs this cluster\'s controller publishes']);
    return;
  }
  if (publishedOutputs(spec, version).length === 0) {
    const declared = spec.outputs.map((o) => unpublishedOutputReason(spec, o.name, version)).filter((r): r is string => r !== undefined);
    throw SeiError.invalid(`--env-file: ${spec.kind} publishes no outputs on ${CONTROLLER_VERSIONS[version].label}; nothing could be written${declared.length > 0 ? ` (${declared[0]})` : ''}`, [], [
      '`kubectl sei kinds --from-cluster` lists the outputs this cluster\'s controller publishes',
    ]);
  }
}

export async function runTask(options: RunTaskOptions): Promise<RunTaskResult> {
  const envRequested = (options.outputEnv?.length ?? 0) > 0 || options.envFile !== undefined;
  // Bad --output-env is bad input: refuse before anything is rendered or written.
  const explicitEnv: OutputEnvSpec[] | undefined = options.outputEnv?.length ? parseOutputEnvSpecs(options.outputEnv) : undefined;

  if (options.gitops) return commitInstead(options);

  const client = await clientFor(options);
  const namespace = options.render.namespace ?? client.namespace;
  const rendered = await renderValidated({ ...options.render, namespace });
  let envSpecs: OutputEnvSpec[] | undefined;
  if (envRequested) {
    const crd = await client.servedCrd('seinodetasks.sei.io');
    const version: ApiFlavor = crd ? controllerVersionOfCrd(crd, rendered.catalog) : 'latest';
    refuseUnpublished(rendered.spec, version, explicitEnv);
    envSpecs = explicitEnv ?? parseOutputEnvSpecs(defaultEnvSpecs(rendered.spec, version));
  }
  const warn = (message: string): void => options.progress.note(`Warning: ${message}`);

  if (options.dryRun === 'client') {
    const object = rendered.object;
    return { spec: rendered.spec, applied: { name: object.metadata.name ?? '', namespace, action: 'dry-run', object, generation: 0 } };
  }
  const preflight = await preflightTask(client, rendered.object, {
    catalog: rendered.catalog,
    replace: options.replace ?? false,
    warn,
    podUid: rendered.lateGiven.includes('podUID') ? 'keep' : 'fill',
  });
  const applied = await writeTask(client, rendered.object, preflight, { dryRun: options.dryRun ?? 'none', progress: options.progress });
  options.progress.note(`seinodetask.sei.io/${applied.name} ${actionText(applied, options.dryRun)}`);
  options.onObject?.(applied.object);
  if (applied.action === 'dry-run' || !options.wait) return { spec: rendered.spec, applied };

  // A kind that restarts the pod (catalog: restartsPod) is followed from the uid it was told to delete.
  const task = readSeiNodeTask(applied.object, rendered.spec.payloadField);
  const restartUid = rendered.spec.restartsPod ? rendered.spec.lateValues.map((v) => task?.payload[v.param]).find((v) => typeof v === 'string') : undefined;
  options.waiting?.(true);
  const waitTimeoutMs = options.timeoutMs ?? defaultWaitTimeoutMs(rendered.spec, applied.object);
  const [verdict] = await followTasks(client, {
    namespace,
    names: [applied.name],
    for: 'terminal',
    timeoutMs: waitTimeoutMs,
    minGeneration: { [applied.name]: applied.generation },
    progress: options.progress,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onObject ? { onObject: options.onObject } : {}),
    ...(rendered.spec.followsNodePlan ? { followNodePlan: { node: view.targetNode(applied.object) } } : {}),
    ...(rendered.spec.restartsPod ? { followPod: { node: view.targetNode(applied.object), ...(typeof restartUid === 'string' ? { uid: restartUid } : {}) } } : {}),
  }).finally(() => options.waiting?.(false));
  const result: RunTaskResult = { spec: rendered.spec, applied, waitTimeoutMs, ...(verdict ? { verdict } : {}) };
  if (verdict?.outcome === 'Complete' && envSpecs && envSpecs.length > 0) {
    const lines = extractOutputEnv(verdict.object ?? applied.object, envSpecs);
    if (options.envFile) await appendEnvFile(options.envFile, lines);
    result.envLines = lines;
  }
  return result;
}

/** --gitops-repo: the same rendered, validated object goes to Git instead of the cluster. */
async function commitInstead(options: RunTaskOptions): Promise<RunTaskResult> {
  const gitops = options.gitops as GitopsTarget;
  let client: ClusterClient | undefined;
  try {
    client = await clientFor(options);
  } catch {
    client = undefined; // Offline commits are fine; only late values need the cluster.
  }
  const namespace = options.render.namespace ?? client?.namespace ?? 'default';
  const rendered = await renderValidated({ ...options.render, namespace });
  let object = rendered.object;
  const lateMissing = rendered.spec.params.filter((p) => p.late && !rendered.lateGiven.includes(p.name)).map((p) => p.name);
  if (lateMissing.length > 0) {
    const resolvers = lateResolvers(rendered.spec).filter((r) => lateMissing.includes(r.param));
    if (!client || resolvers.length < lateMissing.length) {
      throw SeiError.invalid(`${lateMissing.join(', ')} must be given with --set when committing to Git without a reachable cluster`, [], [`--set ${lateMissing[0]}=VALUE`]);
    }
    const node = view.targetNode(object);
    const values: Record<string, unknown> = {};
    for (const { param, resolver } of resolvers) values[param] = await resolver.read(client, node, namespace);
    object = withPayloadValues(object, rendered.spec.payloadField, values);
    // commitToGit warns that the UID is read now but applied later (its result.warnings).
  }
  const { commitToGit } = await import('./gitops-commit.js');
  const committed = await commitToGit({
    repo: gitops.repo,
    path: gitops.path,
    objects: [object],
    flavor: gitops.flavor ?? 'plain',
    ...(gitops.push !== undefined ? { push: gitops.push } : {}),
    ...(gitops.branch ? { branch: gitops.branch } : {}),
  });
  for (const w of committed.warnings) options.progress.note(`Warning: ${w}`);
  options.progress.note(committed.noop ? 'nothing to commit: the repository already holds this task' : `committed ${committed.commit ?? ''} on ${committed.branch}: ${committed.files.join(', ')}`);
  return { spec: rendered.spec, applied: { name: object.metadata.name ?? '', namespace, action: 'dry-run', object, generation: 0 }, gitops: committed };
}

export interface RefreshPeersResult {
  discover: RunTaskResult;
  restart?: RunTaskResult;
}

/**
 * DiscoverPeers writes persistent-peers to disk; seid reads it only on restart, so RestartPod
 * follows, with its pod UID read after DiscoverPeers completed (preflight's finalize).
 */
export async function refreshPeers(options: RunTaskOptions & { node: string; namePrefix?: string }): Promise<RefreshPeersResult> {
  if (options.gitops) throw SeiError.invalid('refresh-peers cannot be committed to Git as one step: commit `discover-peers` and `restart-pod`, or use a plan (kubectl sei plan apply -f refresh-peers --gitops-repo …)');
  if (options.dryRun && options.dryRun !== 'none') throw SeiError.invalid('refresh-peers has no --dry-run: the restart needs the live pod UID after DiscoverPeers completed; dry-run each step instead');
  const client = await clientFor(options);
  const step = (kind: string, suffix: string): RunTaskOptions => ({
    ...options,
    client,
    wait: true,
    render: { ...options.render, kind, node: options.node, ...(options.namePrefix ? { name: `${options.namePrefix}-${suffix}` } : {}) },
  });
  const { envFile: _envFile, outputEnv: _outputEnv, ...first } = step('discover-peers', 'discover-peers');
  const discover = await runTask(first);
  delete discover.envLines;
  if (discover.verdict?.outcome !== 'Complete') return { discover };
  const restart = await runTask(step('restart-pod', 'restart-pod'));
  return { discover, restart };
}
