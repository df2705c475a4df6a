/**
 * What `gitops commit` commits: manifests (-f FILE|DIR, --from-stdin) validated with their
 * file:line:column, or a plan (-f PLAN: a file or a built-in name) rendered with a plan id to
 * every task knowable ahead of the run. Late values (RestartPod's pod uid) are read from the
 * cluster at commit time when it is reachable, else must be given with --pod-uid NODE=UID.
 * It reads files and, only when needed, the cluster; it writes nothing.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { parseAllDocumentsBounded } from '../domain/yaml-depth.js';
import { SeiError } from '../errors/index.js';
import { keepVerbatim } from '../gitops/layout.js';
import { checkPlanId } from '../plan/naming.js';
import { withPayloadValues } from '../domain/seinodetask.js';
import type { ClusterClient, ConnectionOptions, KubeObject } from '../cluster/types.js';
import type { StepSemantics } from '../gitops/flavor-limits.js';

export interface CommitSourceOptions {
  /** -f values: files, directories, plan files or built-in plan names. */
  files: string[];
  /** --from-stdin: manifests on standard input (text for tests). */
  stdin?: boolean | string;
  planId?: string;
  set?: string[];
  inputsFile?: string;
  fleetFile?: string;
  namespace?: string;
  templatesDir?: string;
  /** NODE=UID pairs for RestartPod when no cluster is reachable. */
  podUids?: string[];
  connection?: ConnectionOptions;
  /** An existing client (tests); otherwise connect(connection) when a late value needs it. */
  client?: ClusterClient;
  /** Never contact a cluster (plan apply --fleet): late values must come from --pod-uid. */
  offline?: boolean;
  /** false when the calling command has no --pod-uid flag (plan apply): hints then name gitops commit, which has. */
  podUidFlag?: boolean;
}

export interface CommitObjects {
  objects: KubeObject[];
  planId?: string;
  /** Plan step id → how many of its tasks may run at once (the plan's maxParallel; 0 = all). */
  stepParallelism?: Record<string, number>;
  /** Plan step id → what the GitOps flavor must keep of it (src/gitops/flavor-limits.ts). */
  stepSemantics?: Record<string, StepSemantics>;
  /** What the caller should tell the user (steps left out, where values came from). */
  notes: string[];
  /** A plan's approval steps: in Git only a pull request review can stand for them. */
  approvals?: string[];
}

const PLAN_KIND = 'SeiTaskPlan';

async function isPlan(ref: string): Promise<boolean> {
  let info;
  try {
    info = await stat(ref);
  } catch {
    // Not a path: a built-in plan name (locatePlan explains when it is neither).
    return /^[a-z0-9-]+$/.test(ref);
  }
  if (!info.isFile()) return false;
  const text = await readFile(ref, 'utf8');
  if (!text.includes(PLAN_KIND)) return false;
  return parseAllDocumentsBounded(text, ref).some((doc) => (doc.toJS() as { kind?: unknown } | null)?.kind === PLAN_KIND);
}

function parsePodUids(pairs: string[] = []): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw SeiError.invalid(`--pod-uid ${JSON.stringify(pair)} is not NODE=UID`, [{ field: '--pod-uid', type: 'FieldValueInvalid', message: 'expected NODE=UID, e.g. node-0=6f1c…' }]);
    }
    map.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return map;
}

class LazyClient {
  private attempt?: Promise<ClusterClient>;
  constructor(private readonly options: CommitSourceOptions) {}
  get(): Promise<ClusterClient> {
    if (this.options.client) return Promise.resolve(this.options.client);
    if (this.options.offline) return Promise.reject(new Error('offline: --fleet was given, so no cluster is contacted'));
    this.attempt ??= import('../cluster/index.js').then(({ connect }) => connect(this.options.connection ?? {}));
    return this.attempt;
  }
}

export async function loadCommitObjects(options: CommitSourceOptions): Promise<CommitObjects> {
  const stdin = options.stdin !== undefined && options.stdin !== false;
  if (stdin === (options.files.length > 0)) {
    throw SeiError.invalid('pass either -f FILE|DIR|PLAN or --from-stdin', [{ field: '-f', type: 'FieldValueRequired', message: 'exactly one source of manifests' }], [
      'kubectl sei gitops commit -f tasks/ --repo . --path clusters/dev/arctic-1/tasks',
    ]);
  }
  checkPlanId(options.planId);
  const client = new LazyClient(options);
  const podUids = parsePodUids(options.podUids);
  const plans = stdin ? [] : await Promise.all(options.files.map(isPlan));
  let result: CommitObjects;
  if (plans.some(Boolean)) {
    if (options.files.length > 1) {
      throw SeiError.invalid('a plan is committed on its own: pass one -f PLAN', [{ field: '-f', type: 'FieldValueInvalid', message: `${options.files.length} sources given, one of them a plan` }]);
    }
    result = await fromPlan(options, client);
  } else {
    if (options.planId) throw SeiError.invalid('--plan-id applies to -f PLAN only', [{ field: '--plan-id', type: 'FieldValueInvalid', message: 'the manifests carry their own sei.io/plan-id labels' }]);
    result = await fromManifests(options, stdin);
  }
  await fillLateValues(result, { '--pod-uid': podUids }, client, options);
  return result;
}

async function fromManifests(options: CommitSourceOptions, stdin: boolean): Promise<CommitObjects> {
  const { readManifestInputs, parseManifests } = await import('../validate/index.js');
  const { validateTaskObjects, validateWorkflowObjects } = await import('./validate-objects.js');
  const docs: Array<{ object: KubeObject; file: string; positionOf: (path: string) => { line: number; column: number } | undefined }> = [];
  const specs = stdin ? ['-'] : options.files;
  for (const spec of specs) {
    const inputs = await readManifestInputs(spec, typeof options.stdin === 'string' ? options.stdin : undefined);
    for (const input of inputs) {
      const parsed = parseManifests(input.text, input.file);
      // SOPS files go to Git as written (their MAC covers values and comments).
      const raw = parsed.some((d) => d.object['kind'] === 'Secret' && d.object['sops']) ? parseAllDocuments(input.text) : [];
      for (const doc of parsed) {
        const object = doc.object as KubeObject;
        const source = raw[doc.index];
        if (source && doc.listIndex === undefined && object.kind === 'Secret' && object.sops && source.range) {
          keepVerbatim(object, input.text.slice(doc.index === 0 ? 0 : source.range[0], source.range[2]).replace(/^---[^\n]*\n/, ''));
        }
        docs.push({ object, file: input.file, positionOf: (path) => doc.positionOf(path) });
      }
    }
  }
  // A kustomization.yaml in a -f DIR is layout, not an object: kubectl-sei writes its own.
  const skipped = docs.filter((d) => d.object.kind === 'Kustomization' && String(d.object.apiVersion).startsWith('kustomize.config.k8s.io/'));
  docs.splice(0, docs.length, ...docs.filter((d) => !skipped.includes(d)));
  if (docs.length === 0) throw SeiError.invalid(`no documents found in ${specs.join(', ')}`, [], ['Pass YAML/JSON manifests.']);
  for (const doc of docs) {
    if (options.namespace && !doc.object.metadata?.namespace && doc.object.metadata && !(doc.object.kind === 'Secret' && doc.object.sops)) doc.object.metadata.namespace = options.namespace;
  }
  // Validate with positions here so a bad field is reported as file:line:column.
  await validateTaskObjects(docs.filter((d) => d.object.kind === 'SeiNodeTask'));
  await validateWorkflowObjects(docs.filter((d) => d.object.kind === 'SeiNodeTaskWorkflow'));
  return { objects: docs.map((d) => d.object), notes: skipped.map((d) => `skipped ${d.file}: a kustomization, not an object to commit`) };
}

async function fromPlan(options: CommitSourceOptions, client: LazyClient): Promise<CommitObjects> {
  const [{ renderPlan }, { preparePlan }, { buildGraph }, { readFleetFile }] = await Promise.all([
    import('./plan-render.js'),
    import('./plan-prepare.js'),
    import('../plan/graph.js'),
    import('../plan/fleet.js'),
  ]);
  const source = { file: options.files[0]!, ...(options.set ? { set: options.set } : {}), ...(options.inputsFile ? { inputsFile: options.inputsFile } : {}), ...(options.templatesDir ? { templatesDir: options.templatesDir } : {}) };
  const prepared = await preparePlan(source);
  const needsFleet = prepared.loaded.manifest.spec.steps.some((s) => s.forEach?.selector !== undefined);
  const fleet = options.fleetFile ? readFleetFile(options.fleetFile) : undefined;
  let cluster: ClusterClient | undefined;
  if (needsFleet && !fleet) cluster = await client.get();
  // Without --plan-id the id is derived from what is committed (plan text, inputs, namespace):
  // running the same commit again writes the same files, a no-op, instead of a second copy.
  const planId = options.planId ?? committedPlanId(prepared.loaded.source, prepared.inputs, options.namespace ?? prepared.loaded.manifest.metadata.namespace ?? '');
  const rendered = await renderPlan({
    ...source,
    catalog: prepared.catalog,
    planId,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(fleet ? { fleet } : {}),
    ...(cluster ? { client: cluster } : {}),
  });
  const runtimeOnly = rendered.notes.filter((n) => n.includes('known only at run time'));
  if (runtimeOnly.length > 0) {
    throw SeiError.preflight('NeedsRunTimeOutputs', `plan ${prepared.loaded.manifest.metadata.name} cannot be committed as a whole: ${runtimeOnly.join('; ')}`, [
      'A GitOps engine cannot pass one task\'s outputs to the next: run this plan with `kubectl sei plan apply`,',
      'or commit the first steps, wait for them (kubectl sei gitops wait), then commit the rest with the outputs as --set inputs.',
    ]);
  }
  const graph = buildGraph(prepared.loaded.manifest, prepared.kinds);
  const stepParallelism = Object.fromEntries(graph.map((g) => [g.step.id, g.maxParallel]));
  const stepSemantics = Object.fromEntries(graph.filter((g) => !g.approval).map((g) => [g.step.id, { maxParallel: g.maxParallel, continueOnError: g.continueOnError, maxAttempts: g.maxAttempts }]));
  const notes = rendered.notes.filter((n) => !runtimeOnly.includes(n));
  const approvals = graph.filter((g) => g.approval).map((g) => g.step.id);
  if (approvals.length > 0) notes.push(`approval step${approvals.length === 1 ? '' : 's'} ${approvals.join(', ')}: in Git the pull request review is the approval`);
  if (rendered.objects.length === 0) throw SeiError.invalid(`plan ${prepared.loaded.manifest.metadata.name} renders no task (${rendered.notes.join('; ') || 'empty'})`);
  return { objects: rendered.objects, planId: rendered.planId, stepParallelism, stepSemantics, notes, approvals };
}

/**
 * Late values (RestartPod's pod uid, per the catalog's `late` resolvers): from the resolver's
 * flag (--pod-uid NODE=UID), else read from the cluster now; never a placeholder in Git.
 */
async function fillLateValues(result: CommitObjects, given: Record<string, Map<string, string>>, client: LazyClient, options: CommitSourceOptions): Promise<void> {
  const namespace = options.namespace;
  const [{ LATE_PLACEHOLDER }, { loadCatalog }, { lateResolvers, taskReader }] = await Promise.all([import('../plan/tasks.js'), import('../catalog/index.js'), import('./kind-behaviour.js')]);
  const read = taskReader(loadCatalog(options.templatesDir ? { templatesDir: options.templatesDir } : {}));
  for (const [index, object] of result.objects.entries()) {
    const found = read(object);
    if (!found?.spec) continue;
    const { task, spec } = found;
    const node = task.target.node;
    const values: Record<string, unknown> = {};
    for (const { param, resolver } of lateResolvers(spec)) {
      const fromFlag = given[resolver.offlineFlag]?.get(node);
      const current = task.payload[param];
      if (current && current !== LATE_PLACEHOLDER && fromFlag === undefined) continue;
      let value = fromFlag;
      if (!value) {
        let cluster: ClusterClient;
        try {
          cluster = await client.get();
        } catch (error) {
          const flag = `${resolver.offlineFlag} ${node}=$(${resolver.command(node, object.metadata.namespace ?? namespace ?? 'NAMESPACE')})`;
          throw SeiError.preflight(resolver.missingReason, `${task.kind} ${object.metadata.name} needs ${resolver.describe(node)} and no cluster is reachable to read it (${error instanceof Error ? error.message : String(error)})`, [
            options.podUidFlag === false
              ? `Commit the plan with kubectl sei gitops commit -f ${options.files[0] ?? 'PLAN'} ${flag}, or reach the cluster (without --fleet) so it is read at commit time.`
              : `Pass it explicitly: ${flag}`,
          ]);
        }
        value = await resolver.read(cluster, node, object.metadata.namespace ?? namespace ?? cluster.namespace);
        result.notes.push(`read ${resolver.describe(node)} from the cluster: ${value}`);
      }
      values[param] = value;
    }
    if (Object.keys(values).length > 0) result.objects[index] = withPayloadValues(object, spec.payloadField, values);
  }
}

/** A UUID-shaped id (version 5 layout) from a SHA-256 of the plan text, its inputs and namespace. */
export function committedPlanId(source: string, inputs: Record<string, unknown>, namespace: string): string {
  const sorted = Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const hex = createHash('sha256').update(JSON.stringify({ source, inputs: sorted, namespace })).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
