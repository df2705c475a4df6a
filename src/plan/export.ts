/**
 * The same runbook for a workflow engine that runs inside the cluster (pure: plan → objects).
 *
 * Argo Workflows: one `resource` template per task step (action create — apply-once names make
 * a re-run of the Workflow a new run anyway), successCondition `status.phase == Complete` and
 * failureCondition `status.phase == Failed` (Argo cannot match inside status.conditions,
 * argo-workflows#2288), fan-out with withItems and the step's maxParallel as `parallelism`,
 * order and dependsOn as a DAG. Chaos Mesh: a Workflow whose entry is a Serial of steps, each a
 * Parallel of Task templates running kubectl-sei in a container (Chaos Mesh embeds only chaos
 * kinds and containers; it cannot create a custom resource itself). In both, a RestartPod's pod
 * UID is read at run time inside the workflow immediately before the task is created.
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../cluster/types.js';
import type { Catalog, KindSpec } from '../catalog/types.js';
import { SeiError } from '../errors/index.js';
import { evaluateDeep, type ExprContext } from './expressions.js';
import { buildGraph, expandItems } from './graph.js';
import type { KindLookup } from './load.js';
import { shortPlanId, taskAnnotations, taskLabels } from './naming.js';
import type { FleetNode, GraphStep, PlanItem, PlanManifest, Scalar } from './types.js';

export type ExportTarget = 'argo-workflows' | 'chaos-mesh';
export const EXPORT_TARGETS: ExportTarget[] = ['argo-workflows', 'chaos-mesh'];

export interface ExportInput {
  manifest: PlanManifest;
  inputs: Record<string, Scalar>;
  catalog: Catalog;
  kinds: KindLookup;
  fleet: FleetNode[];
  namespace: string;
  planId: string;
  /** Image with kubectl-sei (Chaos Mesh tasks, RestartPod uid readers). */
  image?: string;
  serviceAccount?: string;
}

const DEFAULT_IMAGE = 'ghcr.io/sei-protocol/kubectl-sei:latest';
const KUBECTL_IMAGE = 'bitnami/kubectl:1.32';

function kebab(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

interface OutputRef {
  id: string;
  field: string;
}

/** The step's params with items and output references turned into engine parameters. */
function engineParams(step: GraphStep, ctx: ExprContext, item: { name: string; index: number | string }, param: (ref: OutputRef) => string): { params: Record<string, unknown>; refs: OutputRef[] } {
  const refs: OutputRef[] = [];
  const steps = new Proxy({} as Record<string, { outputs: Record<string, unknown> }>, {
    get: (_t, id: string) => ({
      outputs: new Proxy({} as Record<string, unknown>, {
        get: (_o, field: string) => {
          if (!refs.some((r) => r.id === id && r.field === field)) refs.push({ id, field });
          return param({ id, field });
        },
        has: () => true,
      }),
    }),
    has: () => true,
  });
  const params = (evaluateDeep(step.step.params ?? {}, { ...ctx, item: item as { name: string; index: number }, steps }) ?? {}) as Record<string, unknown>;
  return { params, refs };
}

/** The parameter a kind reads from the live pod uid (RestartPod's podUID), if any. */
function podUidParam(spec: KindSpec): string | undefined {
  return spec.lateValues.find((v) => v.resolver === 'live-pod-uid')?.param;
}

function taskManifest(input: ExportInput, g: GraphStep, nodeExpr: string, indexExpr: string, params: Record<string, unknown>, podUidExpr: string | undefined): KubeObject {
  const spec = input.catalog.require(g.step.kind!);
  const key = { planName: input.manifest.metadata.name, planId: input.planId, stepId: g.step.id, stepOrder: g.order, index: 0, attempt: 1, node: nodeExpr, kind: spec.kind };
  const labels = { ...taskLabels(key), 'sei.io/plan-index': indexExpr };
  const payload: Record<string, unknown> = { ...params };
  const podUid = podUidParam(spec);
  if (podUid) payload[podUid] = podUidExpr;
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: {
      name: `${input.manifest.metadata.name}-${shortPlanId(input.planId)}-${g.step.id}-${indexExpr}`,
      namespace: input.namespace,
      labels,
      annotations: taskAnnotations(key),
    },
    spec: {
      kind: spec.kind,
      target: { nodeRef: { name: nodeExpr }, ...(g.step.requirePhase ? { requirePhase: g.step.requirePhase } : {}) },
      ...(g.step.timeoutSeconds !== undefined ? { timeoutSeconds: g.step.timeoutSeconds } : {}),
      [spec.payloadField]: payload,
    },
  };
}

function itemsOf(input: ExportInput): Record<string, PlanItem[]> {
  const items: Record<string, PlanItem[]> = {};
  const ctx: ExprContext = { inputs: input.inputs, plan: { id: input.planId, name: input.manifest.metadata.name, namespace: input.namespace } };
  for (const step of input.manifest.spec.steps) if (!step.approval) items[step.id] = expandItems(step, ctx, input.fleet, (id) => items[id]);
  return items;
}

// ---------------------------------------------------------------- Argo Workflows

function retryStrategy(g: GraphStep): Record<string, unknown> {
  return { limit: String(g.maxAttempts - 1), retryPolicy: 'OnFailure', ...(g.backoffSeconds > 0 ? { backoff: { duration: `${g.backoffSeconds}s` } } : {}) };
}

export function toArgoWorkflow(input: ExportInput): KubeObject {
  const graph = buildGraph(input.manifest, input.kinds);
  const items = itemsOf(input);
  const ctx: ExprContext = { inputs: input.inputs, plan: { id: input.planId, name: input.manifest.metadata.name, namespace: input.namespace } };
  const templates: Record<string, unknown>[] = [];
  const tasks: Record<string, unknown>[] = [];
  const refParam = (r: OutputRef): string => `${r.id}-${r.field}`;
  // Which outputs later steps read, to export them as output parameters.
  const wanted = new Map<string, Set<string>>();
  const prepared = graph.map((g) => {
    if (g.approval) return undefined;
    const fanOut = g.step.forEach !== undefined;
    const item = fanOut ? { name: '{{inputs.parameters.node}}', index: '{{inputs.parameters.index}}' } : { name: items[g.step.id]?.[0]?.node ?? '', index: 0 };
    const result = engineParams(g, ctx, item, (r) => `{{inputs.parameters.${refParam(r)}}}`);
    for (const r of result.refs) {
      if (graph.find((x) => x.step.id === r.id)?.step.forEach) {
        throw SeiError.invalid(`step ${g.step.id} reads outputs of the fan-out step ${r.id}: Argo cannot pass one item's outputs out of withItems`, [], ['give the producing step a single node (node: NAME)']);
      }
      (wanted.get(r.id) ?? wanted.set(r.id, new Set()).get(r.id)!).add(r.field);
    }
    return { ...result, fanOut };
  });
  graph.forEach((g, i) => {
    const { step } = g;
    const dependencies = g.dependsOn;
    const common = { ...(dependencies.length ? { dependencies } : {}), ...(step.continueOnError ? { continueOn: { failed: true } } : {}) };
    if (step.when !== undefined) {
      const when = typeof step.when === 'boolean' ? String(step.when) : String(evaluateDeep(step.when, ctx));
      Object.assign(common, { when: `'${when}' != '' && '${when}' != 'false'` });
    }
    if (g.approval) {
      // An approval is a suspend node: `argo resume` is the approval.
      templates.push({ name: step.id, suspend: {} });
      tasks.push({ name: step.id, template: step.id, ...common });
      return;
    }
    const { params, refs, fanOut } = prepared[i]!;
    const stepItems = items[step.id] ?? [];
    // A kind whose pod uid is read late (catalog `late` with resolver live-pod-uid) reads it inside the workflow.
    const restart = podUidParam(input.catalog.require(step.kind!)) !== undefined;
    const nodeExpr = fanOut ? '{{inputs.parameters.node}}' : (stepItems[0]?.node ?? '');
    const indexExpr = fanOut ? '{{inputs.parameters.index}}' : '0';
    const spec = input.catalog.require(step.kind!);
    // A retry is a new task (apply-once names): the name carries Argo's retry counter. For a
    // RestartPod the whole read-uid-then-create sequence is retried, so the uid is read again.
    const retries = g.maxAttempts > 1;
    const retryExpr = restart ? '{{inputs.parameters.retry}}' : '{{retries}}';
    const taskObject = taskManifest(input, g, nodeExpr, indexExpr, params, restart ? '{{inputs.parameters.pod-uid}}' : undefined);
    if (retries) {
      taskObject.metadata.name = `${taskObject.metadata.name}-r${retryExpr}`;
      delete taskObject.metadata.labels!['sei.io/plan-attempt'];
    }
    let manifest = stringify(taskObject, { lineWidth: 0 });
    // Outputs keep their type: Argo substitutes text before parsing, so the reference goes unquoted.
    for (const r of refs) manifest = manifest.replace(new RegExp(`["']\\{\\{inputs\\.parameters\\.${refParam(r)}\\}\\}["']`, 'g'), `{{inputs.parameters.${refParam(r)}}}`);
    const itemParams = fanOut ? [{ name: 'node' }, { name: 'index' }] : [];
    const refParams = refs.map((r) => ({ name: refParam(r) }));
    const exported = [...(wanted.get(step.id) ?? [])];
    const createName = restart ? `${step.id}-create` : `${step.id}-task`;
    templates.push({
      name: createName,
      ...(itemParams.length + refParams.length > 0 || restart ? { inputs: { parameters: [...itemParams, ...refParams, ...(restart ? [{ name: 'pod-uid' }, ...(retries ? [{ name: 'retry' }] : [])] : [])] } } : {}),
      resource: { action: 'create', manifest, successCondition: 'status.phase == Complete', failureCondition: 'status.phase == Failed' },
      ...(exported.length > 0 ? { outputs: { parameters: exported.map((field) => ({ name: field, valueFrom: { jsonPath: spec.outputs.find((o) => o.name === field)?.jsonPath ?? `{.status.outputs.${spec.payloadField}.${field}}` } })) } } : {}),
      ...(retries && !restart ? { retryStrategy: retryStrategy(g) } : {}),
    });
    const pass = (names: Array<{ name: string }>) => names.map((p) => ({ name: p.name, value: `{{inputs.parameters.${p.name}}}` }));
    let entry = createName;
    if (restart) {
      // The pod UID is read inside the workflow, immediately before the task is created.
      templates.push({
        name: `${step.id}-read-pod-uid`,
        inputs: { parameters: [{ name: 'node' }] },
        script: { image: KUBECTL_IMAGE, command: ['sh'], source: `kubectl get pod "{{inputs.parameters.node}}-0" -n ${input.namespace} -o jsonpath='{.metadata.uid}'` },
      });
      templates.push({
        name: `${step.id}-item`,
        ...(itemParams.length + refParams.length > 0 ? { inputs: { parameters: [...itemParams, ...refParams] } } : {}),
        steps: [
          [{ name: 'read-pod-uid', template: `${step.id}-read-pod-uid`, arguments: { parameters: [{ name: 'node', value: nodeExpr }] } }],
          [{ name: 'create', template: createName, arguments: { parameters: [...pass([...itemParams, ...refParams]), { name: 'pod-uid', value: '{{steps.read-pod-uid.outputs.result}}' }, ...(retries ? [{ name: 'retry', value: '{{retries}}' }] : [])] } }],
        ],
        ...(retries ? { retryStrategy: retryStrategy(g) } : {}),
      });
      entry = `${step.id}-item`;
    }
    const refArgs = refs.map((r) => ({ name: refParam(r), value: `{{tasks.${r.id}.outputs.parameters.${r.field}}}` }));
    if (fanOut) {
      // Argo's parallelism is a template field: the fan-out gets its own steps template holding it.
      templates.push({
        name: step.id,
        ...(g.maxParallel > 0 ? { parallelism: g.maxParallel } : {}),
        ...(refParams.length > 0 ? { inputs: { parameters: refParams } } : {}),
        steps: [[{
          name: 'item',
          template: entry,
          arguments: { parameters: [{ name: 'node', value: '{{item.node}}' }, { name: 'index', value: '{{item.index}}' }, ...pass(refParams)] },
          withItems: stepItems.map((it) => ({ node: it.node, index: String(it.index) })),
          ...(step.continueOnError ? { continueOn: { failed: true } } : {}),
        }]],
      });
      tasks.push({ name: step.id, template: step.id, ...(refArgs.length > 0 ? { arguments: { parameters: refArgs } } : {}), ...common });
    } else {
      tasks.push({ name: step.id, template: entry, ...(refArgs.length > 0 ? { arguments: { parameters: refArgs } } : {}), ...common });
    }
  });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: `${input.manifest.metadata.name}-`, namespace: input.namespace, labels: { 'sei.io/plan-id': input.planId } },
    spec: {
      entrypoint: 'plan',
      ...(input.serviceAccount ? { serviceAccountName: input.serviceAccount } : {}),
      templates: [{ name: 'plan', dag: { tasks } }, ...templates],
    },
  };
}

// ---------------------------------------------------------------- Chaos Mesh

export function toChaosMeshWorkflow(input: ExportInput): KubeObject {
  const graph = buildGraph(input.manifest, input.kinds);
  const items = itemsOf(input);
  const image = input.image ?? DEFAULT_IMAGE;
  const templates: Record<string, unknown>[] = [];
  const serial: string[] = [];
  for (const g of graph) {
    const { step } = g;
    if (g.approval) {
      // Chaos Mesh has no approval gate: a Suspend template pauses the run for a fixed time only.
      throw SeiError.invalid(`step ${step.id} is an approval step: Chaos Mesh workflows cannot wait for an approval`, [], ['split the plan at the approval, or export to argo-workflows (suspend + argo resume)']);
    }
    if (JSON.stringify(step.params ?? {}).includes('steps.')) {
      throw SeiError.invalid(`step ${step.id} uses another step's outputs: Chaos Mesh tasks cannot pass outputs between containers`, [], ['export to argo-workflows, or run it with kubectl sei plan apply']);
    }
    const stepItems = items[step.id] ?? [];
    const children: string[] = [];
    for (const item of stepItems) {
      const params = (evaluateDeep(step.params ?? {}, { inputs: input.inputs, item: { name: item.node, index: item.index } }) ?? {}) as Record<string, unknown>;
      const set = Object.entries(params).flatMap(([k, v]) => ['--set', `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`]);
      const name = `${step.id}-${item.index}`;
      // `kubectl sei task <kind> NODE` reads a RestartPod's pod UID itself, right before the create.
      templates.push({
        name,
        templateType: 'Task',
        ...(step.timeoutSeconds ? { deadline: `${step.timeoutSeconds + 60}s` } : {}),
        task: {
          container: {
            name: 'kubectl-sei',
            image,
            command: ['kubectl-sei', 'task', kebab(step.kind!), item.node, '-n', input.namespace, '--name', `${input.manifest.metadata.name}-${shortPlanId(input.planId)}-${step.id}-${item.index}`, ...set, '--timeout', '1h'],
          },
        },
      });
      children.push(name);
    }
    // maxParallel: chunks of Parallel templates run one after another inside a Serial.
    const size = g.maxParallel > 0 ? g.maxParallel : children.length || 1;
    const chunks: string[] = [];
    for (let i = 0; i < children.length; i += size) {
      const chunk = `${step.id}-batch-${i / size}`;
      templates.push({ name: chunk, templateType: 'Parallel', children: children.slice(i, i + size) });
      chunks.push(chunk);
    }
    templates.push({ name: step.id, templateType: 'Serial', children: chunks });
    serial.push(step.id);
  }
  templates.unshift({ name: 'plan', templateType: 'Serial', children: serial });
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'Workflow',
    metadata: { name: `${input.manifest.metadata.name}-${shortPlanId(input.planId)}`, namespace: input.namespace, labels: { 'sei.io/plan-id': input.planId } },
    spec: { entry: 'plan', templates },
  };
}

export function exportPlan(target: ExportTarget, input: ExportInput): KubeObject {
  return target === 'argo-workflows' ? toArgoWorkflow(input) : toChaosMeshWorkflow(input);
}
