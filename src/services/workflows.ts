/**
 * SeiNodeTaskWorkflows, the paved road and the file road: render (templates/workflows/, the
 * same injection-safe renderer as tasks) → validate (the CRD's schema and CEL, offline) →
 * preflight (workflow-preflight.ts) → confirm (a workflow wipes the node's data: type the
 * node's name on a terminal, --yes in scripts) → server-side apply (client.apply, field
 * manager kubectl-sei) → follow to a verdict (follow-workflows.ts). Also get/list/delete,
 * where delete explains the finalizer hold and --force sets sei.io/force-delete-workflow.
 * The caller (a thin command) prints and maps the verdict to an exit code.
 */
import type { ClusterClient, ConnectionOptions, KubeObject } from '../cluster/types.js';
import type { Catalog, KindSpec } from '../catalog/types.js';
import { SeiError } from '../errors/sei-error.js';
import * as nodes from '../output/node-view.js';
import type { Progress } from '../output/progress.js';
import type { TaskVerdict } from '../watch/types.js';
import { getWorkflow } from './workflow-queries.js';
import { requireNode } from './preflight.js';
import { followWorkflows } from './follow-workflows.js';
import { FORCE_DELETE_ANNOTATION, NODE_API, preflightWorkflow, WORKFLOW_API, WORKFLOW_FINALIZER, workflowsOnNode } from './workflow-preflight.js';
import { validateWorkflowObjects, type ObjectToValidate } from './validate-objects.js';

export type DryRun = 'none' | 'client' | 'server';

/** Asks the operator to type `expected` (the node's name); resolves true when they did. */
export type Confirm = (prompt: string, expected: string) => Promise<boolean>;

export interface RenderWorkflowInput {
  kind: string;
  node: string;
  name?: string;
  namespace: string;
  set?: string[];
  valuesFile?: string;
  catalog?: Catalog;
}

export async function workflowCatalog(): Promise<Catalog> {
  const { loadWorkflowCatalog } = await import('../catalog/index.js');
  return loadWorkflowCatalog();
}

/** kebab workflow kind + node + params → the validated SeiNodeTaskWorkflow. Offline. */
export async function renderWorkflow(input: RenderWorkflowInput): Promise<{ spec: KindSpec; object: KubeObject; catalog: Catalog }> {
  const { parseSetArgs, readValuesFile, mergeRawParams, emptyRawParams, coerceParams } = await import('../render/params.js');
  const { renderTask } = await import('../render/index.js');
  const catalog = input.catalog ?? (await workflowCatalog());
  const spec = catalog.require(input.kind);
  const raw = mergeRawParams(input.valuesFile ? await readValuesFile(input.valuesFile) : emptyRawParams(), parseSetArgs(input.set ?? []));
  const params = coerceParams(spec, raw);
  const object = renderTask(catalog, { kind: spec.name, node: input.node, namespace: input.namespace, params, ...(input.name ? { name: input.name } : {}) });
  await validateWorkflowObjects([{ object }]);
  return { spec, object, catalog };
}

export interface ApplyWorkflowOptions {
  client?: ClusterClient;
  connection?: ConnectionOptions;
  dryRun?: DryRun;
  /** false: skip the target checks (--no-preflight); the controller decides. */
  targetChecks?: boolean;
  /** --yes: the operator accepted the destruction in advance. */
  yes?: boolean;
  /** Interactive confirmation (a terminal); absent = not interactive. */
  confirm?: Confirm;
  wait: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  waiting?: (on: boolean) => void;
  progress: Progress;
  onObject?: (object: KubeObject) => void;
}

export interface AppliedWorkflow {
  name: string;
  namespace: string;
  action: 'created' | 'attached' | 'dry-run';
  object: KubeObject;
}

export interface WorkflowRunResult {
  applied: AppliedWorkflow[];
  verdicts: TaskVerdict[];
}

/** A workflow run waits for adoption (requirePhaseTimeout, 5m by default) and the recipe: 30m. */
export const DEFAULT_WORKFLOW_WAIT_MS = 30 * 60_000;

async function clientFor(options: ApplyWorkflowOptions): Promise<ClusterClient> {
  if (options.client) return options.client;
  const { connect } = await import('../cluster/index.js');
  return connect(options.connection ?? {});
}

/**
 * The destructive-operation gate: --yes, or the node's name typed on a terminal. Without
 * either, exit 2 before any write.
 */
export async function confirmDestructive(what: string, node: string, options: Pick<ApplyWorkflowOptions, 'yes' | 'confirm'>): Promise<void> {
  if (options.yes) return;
  if (!options.confirm) {
    throw SeiError.preflight('ConfirmationRequired', `${what}; refusing without confirmation: pass --yes (not a terminal, so the node's name cannot be typed)`, ['add --yes once you are sure']);
  }
  const ok = await options.confirm(`${what}.\nType the node's name (${node}) to continue: `, node);
  if (!ok) throw SeiError.preflight('NotConfirmed', `not confirmed (the typed name was not ${node}); nothing was written`);
}

function destructionNotice(objects: readonly KubeObject[]): string {
  const targets = [...new Set(objects.map(nodes.workflowTarget))];
  const what = objects.map((o) => `${o.metadata.name} (${String((o['spec'] as Record<string, unknown>)?.['kind'])}${nodes.workflowMigration(o) ? ` + ${nodes.workflowMigration(o)} migration` : ''})`).join(', ');
  return `This WIPES the data of SeiNode ${targets.join(', ')} (reset-data) and re-bootstraps it by state sync: ${what}`;
}

/**
 * Validate all → preflight all → confirm → apply each → follow. Nothing is written unless
 * every document is valid and passed preflight.
 */
export async function applyWorkflows(docs: readonly ObjectToValidate[], options: ApplyWorkflowOptions & { namespace?: string }): Promise<WorkflowRunResult> {
  const namespace = options.namespace ?? options.client?.namespace;
  const client = options.dryRun === 'client' ? undefined : await clientFor(options);
  const ns = namespace ?? client?.namespace ?? 'default';
  const objects = docs.map((doc) => ({ ...doc, object: { ...doc.object, metadata: { ...doc.object.metadata, namespace: doc.object.metadata?.namespace ?? ns } } }));
  await validateWorkflowObjects(objects);
  const seen = new Set<string>();
  for (const { object } of objects) {
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    if (seen.has(key)) throw SeiError.invalid(`SeiNodeTaskWorkflow ${key} appears twice in the input; nothing was written`);
    seen.add(key);
  }
  if (!client) return { applied: objects.map(({ object }) => ({ name: object.metadata.name ?? '', namespace: object.metadata.namespace ?? ns, action: 'dry-run', object })), verdicts: [] };

  const warn = (message: string): void => options.progress.note(`Warning: ${message}`);
  const checked: Array<{ object: KubeObject; attach?: KubeObject }> = [];
  for (const { object } of objects) {
    const preflight = await preflightWorkflow(client, object, { targetChecks: options.targetChecks ?? true, warn });
    checked.push({ object, ...(preflight.attach ? { attach: preflight.attach } : {}) });
  }
  const toCreate = checked.filter((c) => !c.attach).map((c) => c.object);
  if (toCreate.length > 0 && options.dryRun !== 'server') await confirmDestructive(destructionNotice(toCreate), nodes.workflowTarget(toCreate[0] as KubeObject), options);

  const applied: AppliedWorkflow[] = [];
  for (const { object, attach } of checked) {
    const name = object.metadata.name ?? '';
    const objectNamespace = object.metadata.namespace ?? ns;
    if (attach) {
      applied.push({ name, namespace: objectNamespace, action: 'attached', object: attach });
      continue;
    }
    const written = await client.apply(object, options.dryRun === 'server' ? { dryRun: 'server' } : {});
    const action = options.dryRun === 'server' ? 'dry-run' : 'created';
    options.progress.note(`seinodetaskworkflow.sei.io/${name} ${action === 'dry-run' ? 'validated by the server (dry run)' : 'created'}`);
    options.onObject?.(written);
    applied.push({ name, namespace: objectNamespace, action, object: written });
  }
  if (options.dryRun === 'server' || !options.wait) return { applied, verdicts: [] };
  options.waiting?.(true);
  try {
    const verdicts = await followWorkflows(client, {
      namespace: ns,
      names: applied.map((a) => a.name),
      timeoutMs: options.timeoutMs ?? DEFAULT_WORKFLOW_WAIT_MS,
      progress: options.progress,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onObject ? { onObject: options.onObject } : {}),
    });
    return { applied, verdicts };
  } finally {
    options.waiting?.(false);
  }
}

/** The paved road: render the kind for NODE, then applyWorkflows. */
export async function runWorkflow(render: Omit<RenderWorkflowInput, 'namespace'> & { namespace?: string }, options: ApplyWorkflowOptions): Promise<WorkflowRunResult & { spec: KindSpec }> {
  const client = options.dryRun === 'client' ? undefined : await clientFor(options);
  const namespace = render.namespace ?? client?.namespace ?? 'default';
  const { spec, object } = await renderWorkflow({ ...render, namespace });
  const result = await applyWorkflows([{ object }], { ...options, ...(client ? { client } : {}), namespace });
  return { ...result, spec };
}

/** A workflow with its target node and the events about it, for `workflow describe`. */
export async function describeWorkflowData(client: ClusterClient, name: string, namespace = client.namespace): Promise<{ workflow: KubeObject; node?: KubeObject; events: KubeObject[] }> {
  const workflow = await getWorkflow(client, name, namespace);
  const [node, events] = await Promise.all([
    client.get({ ...NODE_API, name: nodes.workflowTarget(workflow), namespace }),
    eventsFor(client, 'SeiNodeTaskWorkflow', name, namespace),
  ]);
  return { workflow, ...(node ? { node } : {}), events };
}

/** Events whose involvedObject is KIND/NAME, oldest first; none when events cannot be listed. */
export async function eventsFor(client: ClusterClient, kind: string, name: string, namespace: string): Promise<KubeObject[]> {
  try {
    const list = await client.list('v1', 'Event', { namespace, fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` });
    const own = list.items.filter((e) => {
      const involved = (e['involvedObject'] ?? {}) as Record<string, unknown>;
      return involved['kind'] === kind && involved['name'] === name;
    });
    const time = (e: KubeObject) => String(e['lastTimestamp'] ?? e['eventTime'] ?? e.metadata.creationTimestamp ?? '');
    return own.sort((a, b) => time(a).localeCompare(time(b)));
  } catch {
    return []; // events are context, not the answer: a cluster without access still describes
  }
}

export interface DeleteWorkflowOptions {
  name: string;
  namespace?: string;
  force?: boolean;
  /** The reason written into the force annotation. */
  reason?: string;
  yes?: boolean;
  confirm?: Confirm;
  progress: Progress;
}

export interface DeleteWorkflowResult {
  name: string;
  namespace: string;
  /** gone: deleted; held: Terminating behind the finalizer; released: force annotation set. */
  state: 'gone' | 'held' | 'released';
  message: string;
}

/**
 * Deletes a workflow. An adopted one (finalizer sei.io/seinodetaskworkflow-finalizer) is held
 * Terminating: the controller cannot verify the node's data is safe and keeps the node held
 * (upstream workflow.go:387-423, verifyWorkflowDataSafe always false at 2d670ad). --force sets
 * sei.io/force-delete-workflow=<reason> after confirmation; on a paused node nothing happens
 * until it is unpaused (the reconcile freezes before the finalizer runs).
 */
export async function deleteWorkflow(client: ClusterClient, options: DeleteWorkflowOptions): Promise<DeleteWorkflowResult> {
  const namespace = options.namespace ?? client.namespace;
  const workflow = await getWorkflow(client, options.name, namespace);
  const nodeName = nodes.workflowTarget(workflow);
  const finalizers = Array.isArray(workflow.metadata['finalizers']) ? (workflow.metadata['finalizers'] as string[]) : [];
  const held = finalizers.includes(WORKFLOW_FINALIZER);
  const node = await client.get({ ...NODE_API, name: nodeName, namespace });
  const ns = ` -n ${namespace}`;

  if (options.force) {
    if (!held) options.progress.note(`Warning: ${options.name} carries no finalizer: --force is not needed, deleting it`);
    else {
      if (node && nodes.isPaused(node)) {
        throw SeiError.preflight('TargetPaused', `SeiNode "${nodeName}" is paused: the controller freezes its reconcile before the workflow finalizer runs, so a force delete would not take effect`, [
          `unpause it first: kubectl patch seinode ${nodeName}${ns} --type merge -p '{"spec":{"paused":false}}', then run this again`,
        ]);
      }
      await confirmDestructive(`Force-deleting workflow ${options.name} releases SeiNode ${nodeName} WITHOUT verifying its data: seid may start on a partly reset data directory`, nodeName, options);
      const reason = options.reason ?? 'kubectl-sei workflow delete --force';
      // Server-side apply: the applied configuration must keep the fields kubectl-sei owns (an
      // omitted owned field is removed), so it carries the live spec and labels unchanged.
      await client.apply({
        ...WORKFLOW_API,
        metadata: { name: options.name, namespace, ...(workflow.metadata.labels ? { labels: workflow.metadata.labels } : {}), annotations: { [FORCE_DELETE_ANNOTATION]: reason } },
        spec: workflow['spec'],
      });
      options.progress.note(`annotated ${FORCE_DELETE_ANNOTATION}=${reason}`);
    }
  }
  if (!workflow.metadata.deletionTimestamp || options.force) await client.delete({ ...WORKFLOW_API, name: options.name, namespace });
  if (!held) return { name: options.name, namespace, state: 'gone', message: `seinodetaskworkflow.sei.io/${options.name} deleted` };
  if (options.force) {
    return { name: options.name, namespace, state: 'released', message: `seinodetaskworkflow.sei.io/${options.name} force-deleted: the controller releases SeiNode ${nodeName} without data verification on its next reconcile` };
  }
  return {
    name: options.name,
    namespace,
    state: 'held',
    message: `seinodetaskworkflow.sei.io/${options.name} is Terminating but held by its finalizer: SeiNode ${nodeName} adopted it, and the controller cannot verify the node's data is safe, so it keeps the node held (Warning WorkflowDeleteHeld). To release it anyway (seid may start on partly reset data): kubectl sei workflow delete ${options.name} --force${ns}`,
  };
}

export { requireNode, workflowsOnNode };
