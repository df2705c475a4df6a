/**
 * The same runbook for a workflow engine that runs inside the cluster (pure: plan → objects).
 * What a plan means under `plan apply` must hold in the engine, or the export is refused:
 *
 * - `when` depends only on inputs, so it is decided here: a false step is left out (a comment
 *   says so) and its dependents inherit its dependencies. A `when` that reads step outputs is
 *   refused: neither engine evaluates it as `plan apply` does.
 * - Step ids become template names through one map (`s<order>-<id>-<role>`): unique, never a
 *   step id of another step, never starting with a digit, DNS-1123 for Chaos Mesh.
 * - A failed item stops the fan-out (Argo failFast; Chaos Mesh a gate whose exit code decides
 *   the branch to the rest of the plan) unless the step has continueOnError.
 *
 * Argo Workflows (argoproj/argo-workflows @ f016ad89): one `resource` template per task
 * (action create, successCondition/failureCondition on status.phase: Argo cannot match inside
 * status.conditions, argo-workflows#2288), the deadline from the kind's timeout, fan-out with
 * withItems, maxParallel as `parallelism`, approvals as suspend nodes. Tasks are created with
 * generateName and labelled with `{{workflow.uid}}` as the plan id and the retry as the attempt,
 * so `argo resubmit`, `argo retry` and a second submission create new tasks, never collide.
 *
 * Chaos Mesh (chaos-mesh/chaos-mesh @ 608b61e7): Task templates running kubectl-sei in a
 * container (Chaos Mesh cannot create a custom resource itself): `task apply` of the rendered
 * manifest (timeoutSeconds, requirePhase and labels as `plan apply` writes them) with --wait,
 * so the pod's exit code is the task's verdict.
 *
 * In both, a RestartPod's pod UID is read inside the engine immediately before the create.
 */
import type { KubeObject } from '../cluster/types.js';
import type { Catalog, KindSpec, LateResolverName } from '../catalog/types.js';
import { SeiError } from '../errors/index.js';
import { KUBECTL_SEI_IMAGE } from '../domain/image.js';
import { taskDeadlineSeconds } from '../domain/task-timeouts.js';
import { toSafeYaml } from '../domain/yaml.js';
import { evaluate, evaluateDeep, templateRefs, truthy, type ExprContext } from './expressions.js';
import { buildGraph, expandItems } from './graph.js';
import type { KindLookup } from './load.js';
import { shortPlanId, taskAnnotations, taskGenerateName, taskLabels, taskName } from './naming.js';
import type { FleetNode, GraphStep, PlanItem, PlanManifest, Scalar } from './types.js';
import { renderTask } from '../render/index.js';
import { LABELS } from '../domain/labels.js';

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
  /** Image with kubectl-sei and kubectl (Chaos Mesh tasks, RestartPod uid readers). */
  image?: string;
  serviceAccount?: string;
}

export interface ExportResult {
  workflow: KubeObject;
  /** What the workflow's pods need to be allowed: ServiceAccount (Argo), Role, RoleBinding. */
  rbac: KubeObject[];
  /** Decisions the reader of the export must know (skipped steps), also written as comments. */
  notes: string[];
}

export const DEFAULT_SERVICE_ACCOUNT = 'kubectl-sei-plan';

/**
 * Payload fields only known when the task is created, read inside the engine right before it:
 * the kind's catalog `late` entry with a resolver (upstream: RestartPod restarts only the pod
 * with this uid).
 */
interface LateBoundField {
  field: string;
  /** The pod whose uid it is, for a node name (or an engine expression standing for one). */
  pod: (node: string) => string;
}
/** The pod each late-value resolver reads, for a node name (or an engine expression standing for one). */
const LATE_POD: Readonly<Record<LateResolverName, (node: string) => string>> = {
  'live-pod-uid': (node) => `${node}-0`,
};

function lateBound(spec: KindSpec): LateBoundField | undefined {
  const late = spec.lateValues.find((value) => value.resolver !== undefined);
  return late?.resolver ? { field: late.param, pod: LATE_POD[late.resolver] } : undefined;
}

/** The rules every export's service account needs; the Argo executor adds its own below. */
const TASK_RULES = [
  { apiGroups: ['sei.io'], resources: ['seinodetasks'], verbs: ['create', 'get', 'list', 'watch', 'patch'] },
  { apiGroups: ['sei.io'], resources: ['seinodes'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
];
/** Argo's executor reports results through WorkflowTaskResults (argo-workflows docs/workflow-rbac.md). */
const ARGO_EXECUTOR_RULES = [{ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] }];

interface OutputRef {
  id: string;
  field: string;
}

/** A step as exported: the plan step, its items, its engine name and the kept steps it follows. */
interface ExportStep {
  g: GraphStep;
  items: PlanItem[];
  /** Engine name of the step (DAG task name, template prefix): `s<order>-<id>`. */
  name: string;
  after: string[];
}

function engineName(g: GraphStep): string {
  return `s${g.order}-${g.step.id}`;
}

/**
 * Decides `when` and resolves items: the steps that run, in order, with their dependencies on
 * skipped steps replaced by those steps' own dependencies (a skipped step counts as done, as in
 * plan apply).
 */
function exportSteps(input: ExportInput): { steps: ExportStep[]; notes: string[] } {
  const graph = buildGraph(input.manifest, input.kinds);
  const ctx: ExprContext = { inputs: input.inputs, plan: { id: input.planId, name: input.manifest.metadata.name, namespace: input.namespace } };
  const items: Record<string, PlanItem[]> = {};
  for (const step of input.manifest.spec.steps) if (!step.approval) items[step.id] = expandItems(step, ctx, input.fleet, (id) => items[id]);
  const notes: string[] = [];
  const skipped = new Map<string, string[]>();
  const steps: ExportStep[] = [];
  const byId = new Map(graph.map((g) => [g.step.id, g]));
  const resolveAfter = (deps: string[]): string[] => [...new Set(deps.flatMap((dep) => (skipped.has(dep) ? skipped.get(dep)! : [engineName(byId.get(dep)!)])))];
  for (const g of graph) {
    const { when } = g.step;
    if (when !== undefined) {
      const runtime = typeof when === 'string' ? templateRefs(when).filter((ref) => ref[0] === 'steps') : [];
      if (runtime.length > 0) {
        throw SeiError.invalid(`step ${g.step.id}: when ${JSON.stringify(when)} reads step outputs, known only while the plan runs; an engine would not decide it as plan apply does`, [
          { field: `spec.steps[${g.order}].when`, type: 'FieldValueInvalid', message: 'an exported when may depend on inputs only' },
        ], ['decide it with an input (--set), or run the plan with kubectl sei plan apply']);
      }
      const value = typeof when === 'boolean' ? when : evaluate(when, ctx);
      if (!truthy(value)) {
        skipped.set(g.step.id, resolveAfter(g.dependsOn));
        notes.push(`step ${g.step.id}: left out, when ${JSON.stringify(when)} is ${JSON.stringify(value)} for these inputs (false, as plan apply decides)`);
        continue;
      }
    }
    const readsSkipped = [...outputRefsOf(g)].find((id) => skipped.has(id));
    if (readsSkipped) {
      throw SeiError.invalid(`step ${g.step.id} reads outputs of step ${readsSkipped}, which these inputs skip (when is false)`, [], ['guard the reading step with the same when']);
    }
    steps.push({ g, items: items[g.step.id] ?? [], name: engineName(g), after: resolveAfter(g.dependsOn) });
  }
  return { steps, notes };
}

function outputRefsOf(g: GraphStep): Set<string> {
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const ref of templateRefs(value)) if (ref[0] === 'steps' && ref[1]) ids.add(ref[1]);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(g.step.params ?? {});
  return ids;
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

interface TaskIdentity {
  node: string;
  index: string;
  attempt: string;
  planId: string;
  name: { name: string } | { generateName: string };
}

/** The SeiNodeTask as plan apply writes it: labels, annotations, target, timeout, payload. */
function taskManifest(input: ExportInput, g: GraphStep, id: TaskIdentity, params: Record<string, unknown>, late: string | undefined): KubeObject {
  const spec = input.catalog.require(g.step.kind!);
  const key = { planName: input.manifest.metadata.name, planId: input.planId, stepId: g.step.id, stepOrder: g.order, index: 0, attempt: 1, node: id.node, kind: spec.kind };
  const labels = { ...taskLabels(key), [LABELS.planId]: id.planId, [LABELS.planIndex]: id.index, [LABELS.planAttempt]: id.attempt };
  if (spec.resource === 'SeiNodeTaskWorkflow') {
    // A workflow kind's spec shape is its template's (spec.stateSync…): render it, with the
    // engine's parameter expressions as plain string values, then give it the engine's name.
    const rendered = renderTask(input.catalog, {
      kind: spec.kind,
      node: id.node,
      name: 'name' in id.name ? id.name.name : `${id.name.generateName}x`,
      namespace: input.namespace,
      params: { ...params, ...(g.step.requirePhase ? { requirePhase: g.step.requirePhase } : {}) },
      labels,
      annotations: taskAnnotations(key),
    });
    const { name: _rendered, ...metadata } = rendered.metadata;
    return { ...rendered, metadata: { ...id.name, ...metadata } as KubeObject['metadata'] };
  }
  const payload: Record<string, unknown> = { ...params };
  const lateField = lateBound(spec);
  if (lateField && late !== undefined) payload[lateField.field] = late;
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { ...id.name, namespace: input.namespace, labels, annotations: taskAnnotations(key) } as KubeObject['metadata'],
    spec: {
      kind: spec.kind,
      target: { nodeRef: { name: id.node }, ...(g.step.requirePhase ? { requirePhase: g.step.requirePhase } : {}) },
      ...(g.step.timeoutSeconds !== undefined ? { timeoutSeconds: g.step.timeoutSeconds } : {}),
      [spec.payloadField]: payload,
    },
  };
}

function role(namespace: string, name: string, rules: unknown[]): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules } as KubeObject;
}

function roleBinding(namespace: string, name: string, serviceAccount: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  } as KubeObject;
}

// ---------------------------------------------------------------- Argo Workflows

function retryStrategy(g: GraphStep): Record<string, unknown> {
  return { limit: String(g.maxAttempts - 1), retryPolicy: 'OnFailure', ...(g.backoffSeconds > 0 ? { backoff: { duration: `${g.backoffSeconds}s` } } : {}) };
}

/**
 * Argo's retry counter (0-based, a string) as plan apply's 1-based attempt: an expression tag,
 * the form upstream tests (workflow/controller/operator_test.go:1489 @ f016ad89).
 */
const ARGO_ATTEMPT = '{{=sprig.int(retries) + 1}}';

export function toArgoWorkflow(input: ExportInput): ExportResult {
  const { steps, notes } = exportSteps(input);
  const ctx: ExprContext = { inputs: input.inputs, plan: { id: input.planId, name: input.manifest.metadata.name, namespace: input.namespace } };
  const image = input.image ?? KUBECTL_SEI_IMAGE;
  const serviceAccount = input.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
  const nameOf = new Map(steps.map((s) => [s.g.step.id, s.name]));
  const templates: Record<string, unknown>[] = [];
  const tasks: Record<string, unknown>[] = [];
  const refParam = (r: OutputRef): string => `${r.id}-${r.field}`;
  // Which outputs later steps read, to export them as output parameters.
  const wanted = new Map<string, Set<string>>();
  const prepared = steps.map(({ g }) => {
    if (g.approval) return undefined;
    const fanOut = g.step.forEach !== undefined;
    const item = fanOut ? { name: '{{inputs.parameters.node}}', index: '{{inputs.parameters.index}}' } : { name: steps.find((s) => s.g === g)!.items[0]?.node ?? '', index: 0 };
    const result = engineParams(g, ctx, item, (r) => `{{inputs.parameters.${refParam(r)}}}`);
    for (const r of result.refs) {
      if (steps.find((s) => s.g.step.id === r.id)?.g.step.forEach) {
        throw SeiError.invalid(`step ${g.step.id} reads outputs of the fan-out step ${r.id}: Argo cannot pass one item's outputs out of withItems`, [], ['give the producing step a single node (node: NAME)']);
      }
      (wanted.get(r.id) ?? wanted.set(r.id, new Set()).get(r.id)!).add(r.field);
    }
    return { ...result, fanOut };
  });
  steps.forEach(({ g, items, name, after }, i) => {
    const { step } = g;
    const common = { ...(after.length ? { dependencies: after } : {}), ...(step.continueOnError ? { continueOn: { failed: true } } : {}) };
    if (g.approval) {
      // An approval is a suspend node: `argo resume` is the approval.
      templates.push({ name: `${name}-approval`, suspend: {} });
      tasks.push({ name, template: `${name}-approval`, ...common });
      return;
    }
    const { params, refs, fanOut } = prepared[i]!;
    const spec = input.catalog.require(step.kind!);
    const late = lateBound(spec);
    const retries = g.maxAttempts > 1;
    const nodeExpr = fanOut ? '{{inputs.parameters.node}}' : (items[0]?.node ?? '');
    const generateName = fanOut ? '{{inputs.parameters.name-prefix}}' : taskGenerateName(input.manifest.metadata.name, input.planId, step.id, 0);
    // With a late-bound field the whole read-then-create sequence is retried, so the attempt comes from there.
    const attempt = !retries ? '1' : late ? '{{inputs.parameters.attempt}}' : ARGO_ATTEMPT;
    const taskObject = taskManifest(input, g, { node: nodeExpr, index: fanOut ? '{{inputs.parameters.index}}' : '0', attempt, planId: '{{workflow.uid}}', name: { generateName } }, params, late ? '{{inputs.parameters.late-value}}' : undefined);
    let manifest = toSafeYaml(taskObject);
    // Outputs keep their type: Argo substitutes text before parsing, so the reference goes unquoted.
    for (const r of refs) manifest = manifest.replace(new RegExp(`"\\{\\{inputs\\.parameters\\.${refParam(r)}\\}\\}"`, 'g'), `{{inputs.parameters.${refParam(r)}}}`);
    const itemParams = fanOut ? [{ name: 'node' }, { name: 'index' }, { name: 'name-prefix' }] : [];
    const refParams = refs.map((r) => ({ name: refParam(r) }));
    const lateParams = late ? [{ name: 'late-value' }, ...(retries ? [{ name: 'attempt' }] : [])] : [];
    const createParams = [...itemParams, ...refParams, ...lateParams];
    const exported = [...(wanted.get(step.id) ?? [])];
    const createName = `${name}-create`;
    templates.push({
      name: createName,
      ...(createParams.length > 0 ? { inputs: { parameters: createParams } } : {}),
      // The kind's execution bound plus the requirePhase wait: a task that never ends does not hold the workflow for ever.
      // IntOrString; api/jsonschema/schema.json types it as a string.
      activeDeadlineSeconds: String(taskDeadlineSeconds(spec.kind, step.timeoutSeconds)),
      resource: { action: 'create', manifest, successCondition: 'status.phase == Complete', failureCondition: 'status.phase == Failed' },
      ...(exported.length > 0 ? { outputs: { parameters: exported.map((field) => ({ name: field, valueFrom: { jsonPath: spec.outputs.find((o) => o.name === field)?.jsonPath ?? `{.status.outputs.${spec.payloadField}.${field}}` } })) } } : {}),
      ...(retries && !late ? { retryStrategy: retryStrategy(g) } : {}),
    });
    const pass = (names: Array<{ name: string }>) => names.map((p) => ({ name: p.name, value: `{{inputs.parameters.${p.name}}}` }));
    let entry = createName;
    if (late) {
      templates.push({
        name: `${name}-read`,
        inputs: { parameters: [{ name: 'node' }] },
        script: { image, command: ['sh'], source: `kubectl get pod "${late.pod('{{inputs.parameters.node}}')}" -n ${input.namespace} -o jsonpath='{.metadata.uid}'` },
      });
      templates.push({
        name: `${name}-item`,
        ...(itemParams.length + refParams.length > 0 ? { inputs: { parameters: [...itemParams, ...refParams] } } : {}),
        steps: [
          [{ name: 'read', template: `${name}-read`, arguments: { parameters: [{ name: 'node', value: nodeExpr }] } }],
          [{ name: 'create', template: createName, arguments: { parameters: [...pass([...itemParams, ...refParams]), { name: 'late-value', value: '{{steps.read.outputs.result}}' }, ...(retries ? [{ name: 'attempt', value: ARGO_ATTEMPT }] : [])] } }],
        ],
        ...(retries ? { retryStrategy: retryStrategy(g) } : {}),
      });
      entry = `${name}-item`;
    }
    const refArgs = refs.map((r) => ({ name: refParam(r), value: `{{tasks.${nameOf.get(r.id)}.outputs.parameters.${r.field}}}` }));
    if (fanOut) {
      // Argo's parallelism and failFast are template fields: the fan-out gets its own steps template.
      templates.push({
        name: `${name}-items`,
        ...(g.maxParallel > 0 ? { parallelism: g.maxParallel } : {}),
        // plan apply launches no item after a failed one (operator.go checkParallelism: failFast).
        ...(step.continueOnError ? {} : { failFast: true }),
        ...(refParams.length > 0 ? { inputs: { parameters: refParams } } : {}),
        steps: [[{
          name: 'item',
          template: entry,
          arguments: { parameters: [{ name: 'node', value: '{{item.node}}' }, { name: 'index', value: '{{item.index}}' }, { name: 'name-prefix', value: '{{item.name-prefix}}' }, ...pass(refParams)] },
          withItems: items.map((it) => ({ node: it.node, index: String(it.index), 'name-prefix': taskGenerateName(input.manifest.metadata.name, input.planId, step.id, it.index) })),
          ...(step.continueOnError ? { continueOn: { failed: true } } : {}),
        }]],
      });
      tasks.push({ name, template: `${name}-items`, ...(refArgs.length > 0 ? { arguments: { parameters: refArgs } } : {}), ...common });
    } else {
      tasks.push({ name, template: entry, ...(refArgs.length > 0 ? { arguments: { parameters: refArgs } } : {}), ...common });
    }
  });
  return {
    workflow: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: `${input.manifest.metadata.name}-`, namespace: input.namespace, annotations: { 'sei.io/plan-name': input.manifest.metadata.name } },
      spec: {
        entrypoint: 'sei-plan',
        serviceAccountName: serviceAccount,
        templates: [{ name: 'sei-plan', dag: { tasks } }, ...templates],
      },
    },
    rbac: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace: input.namespace } },
      role(input.namespace, serviceAccount, [...TASK_RULES, ...ARGO_EXECUTOR_RULES]),
      roleBinding(input.namespace, serviceAccount, serviceAccount),
    ],
    notes,
  };
}

// ---------------------------------------------------------------- Chaos Mesh

/** Applies the manifest in $SEI_TASK and waits: the exit code is the verdict (0 Complete, 1 Failed, 3 timeout). */
function applyScript(late: LateBoundField | undefined): string {
  const apply = 'kubectl-sei task apply -f - -n "$SEI_NAMESPACE" --wait --timeout "$SEI_TIMEOUT"';
  if (!late) return `printf '%s\\n' "$SEI_TASK" | ${apply}`;
  return [
    'set -e',
    `late=$(kubectl get pod "$SEI_POD" -n "$SEI_NAMESPACE" -o jsonpath='{.metadata.uid}')`,
    `printf '%s\\n' "$SEI_TASK" | sed "s/@LATE_VALUE@/$late/" | ${apply}`,
  ].join('\n');
}

/** Exit 0 only when every task of the step in this run is Complete: the branch to the rest of the plan. */
const GATE_SCRIPT = [
  `phases=$(kubectl get seinodetasks -n "$SEI_NAMESPACE" -l "$SEI_SELECTOR" -o jsonpath='{range .items[*]}{.status.phase}{"\\n"}{end}')`,
  'test -n "$phases" || exit 1',
  `! printf '%s\\n' "$phases" | grep -qvx Complete`,
].join('\n');

export function toChaosMeshWorkflow(input: ExportInput): ExportResult {
  if (input.serviceAccount) {
    throw SeiError.invalid('--service-account: Chaos Mesh Task pods run as the namespace\'s default service account (pkg/workflow/task/pod.go sets none)', [
      { field: '--service-account', type: 'FieldValueForbidden', message: 'not settable for chaos-mesh' },
    ], ['drop --service-account; --with-rbac prints the Role and RoleBinding for the default service account']);
  }
  const { steps, notes } = exportSteps(input);
  const image = input.image ?? KUBECTL_SEI_IMAGE;
  const planName = input.manifest.metadata.name;
  const templates: Record<string, unknown>[] = [];
  const env = (name: string, value: string) => ({ name, value });
  /** A unit: a batch of one step's items (maxParallel), run together; a gate follows unless continueOnError. */
  const units: Array<{ run: string; gate?: { name: string; selector: string } }> = [];
  for (const { g, items, name } of steps) {
    const { step } = g;
    if (g.approval) {
      // Chaos Mesh has no approval gate: a Suspend template pauses the run for a fixed time only.
      throw SeiError.invalid(`step ${step.id} is an approval step: Chaos Mesh workflows cannot wait for an approval`, [], ['split the plan at the approval, or export to argo-workflows (suspend + argo resume)']);
    }
    if (outputRefsOf(g).size > 0) {
      throw SeiError.invalid(`step ${step.id} uses another step's outputs: Chaos Mesh tasks cannot pass outputs between containers`, [], ['export to argo-workflows, or run it with kubectl sei plan apply']);
    }
    const spec = input.catalog.require(step.kind!);
    const late = lateBound(spec);
    const deadline = taskDeadlineSeconds(spec.kind, step.timeoutSeconds);
    const children: string[] = [];
    for (const item of items) {
      const params = (evaluateDeep(step.params ?? {}, { inputs: input.inputs, item: { name: item.node, index: item.index }, plan: { id: input.planId, name: planName, namespace: input.namespace } }) ?? {}) as Record<string, unknown>;
      const task = taskManifest(input, g, { node: item.node, index: String(item.index), attempt: '1', planId: input.planId, name: { name: taskName(planName, input.planId, step.id, item.index) } }, params, late ? '@LATE_VALUE@' : undefined);
      const template = `${name}-${item.index}`;
      templates.push({
        name: template,
        templateType: 'Task',
        deadline: `${deadline + 60}s`,
        task: {
          container: {
            name: 'kubectl-sei',
            image,
            command: ['sh', '-c', applyScript(late)],
            env: [env('SEI_TASK', toSafeYaml(task)), env('SEI_NAMESPACE', input.namespace), env('SEI_TIMEOUT', `${deadline}s`), ...(late ? [env('SEI_POD', late.pod(item.node))] : [])],
          },
        },
      });
      children.push(template);
    }
    const size = g.maxParallel > 0 ? g.maxParallel : children.length || 1;
    const selector = `${LABELS.planId}=${input.planId},${LABELS.planStep}=${step.id}`;
    for (let i = 0; i < Math.max(children.length, 1); i += size) {
      const batch = `${name}-batch-${i / size}`;
      templates.push({ name: batch, templateType: 'Parallel', children: children.slice(i, i + size) });
      units.push({ run: batch, ...(step.continueOnError ? {} : { gate: { name: `${batch}-gate`, selector } }) });
    }
  }
  // The plan as a chain: unit k, then (when its gate exits 0) the rest from unit k+1.
  let rest: string | undefined;
  for (let k = units.length - 1; k >= 0; k -= 1) {
    const unit = units[k]!;
    const chain = `sei-from-${k}`;
    const children = [unit.run];
    if (unit.gate && rest) {
      templates.push({
        name: unit.gate.name,
        templateType: 'Task',
        deadline: '300s',
        task: { container: { name: 'gate', image, command: ['sh', '-c', GATE_SCRIPT], env: [env('SEI_NAMESPACE', input.namespace), env('SEI_SELECTOR', unit.gate.selector)] } },
        // pkg/workflow/task: a Task node ends when its pod ends, failed or not; only a branch can stop what follows.
        conditionalBranches: [{ target: rest, expression: 'exitCode == 0' }],
      });
      children.push(unit.gate.name);
    } else if (rest) {
      children.push(rest);
    }
    templates.push({ name: chain, templateType: 'Serial', children });
    rest = chain;
  }
  templates.unshift({ name: 'sei-plan', templateType: 'Serial', children: rest ? [rest] : [] });
  const rbacName = 'kubectl-sei-chaos-task';
  return {
    workflow: {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Workflow',
      metadata: { name: `${planName}-${shortPlanId(input.planId)}`, namespace: input.namespace, labels: { [LABELS.planId]: input.planId } },
      spec: { entry: 'sei-plan', templates },
    },
    // pkg/workflow/task/pod.go sets no serviceAccountName: Task pods run as the namespace's default.
    rbac: [role(input.namespace, rbacName, TASK_RULES), roleBinding(input.namespace, rbacName, 'default')],
    notes,
  };
}

export function exportPlan(target: ExportTarget, input: ExportInput): ExportResult {
  return target === 'argo-workflows' ? toArgoWorkflow(input) : toChaosMeshWorkflow(input);
}
