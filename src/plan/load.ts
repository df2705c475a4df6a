/**
 * Reading a plan manifest: finds the file (a path, or the name of a built-in plan in
 * templates/plans/), parses it keeping source positions, and checks it against
 * schemas/plan.schema.json and the plan's own rules (unknown kinds, references to unknown or
 * later steps, template references). Every problem names the field, its file:line:column and
 * the fix; the error exits 2. Owns no I/O beyond reading the plan and the schema.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifests } from '../validate/documents.js';
import { closest } from 'fastest-levenshtein';
import { SeiError, type FieldCause } from '../errors/index.js';
import { templateRefs, templateStrings, isKnownRoot, ExpressionError } from './expressions.js';
import type { LoadedPlan, PlanManifest, PlanStep } from './types.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILTIN_PLANS_DIR = join(PACKAGE_ROOT, 'templates', 'plans');
export const PLAN_SCHEMA_PATH = join(PACKAGE_ROOT, 'schemas', 'plan.schema.json');

/** What the plan checker needs to know about a kind; the catalog provides it. */
export interface KindInfo {
  kind: string;
  outputs: string[];
  /** Where each output is read from (the catalog's JSONPath). */
  outputPaths?: Array<{ name: string; jsonPath: string }>;
  broadcasts: boolean;
  /** Why an output the kind declares is not published by the target controller version (undefined: it is). */
  unpublished?(output: string): string | undefined;
  /** The kind's preflight checks the target's peers (DiscoverPeers): simulate blocks a node without them. */
  needsPeers?: boolean;
  /** A retry would repeat an irreversible effect (a broadcast, a data wipe): only an explicit step failurePolicy retries it. */
  noImplicitRetry?: boolean;
  /** The object a step of this kind creates: SeiNodeTask, or SeiNodeTaskWorkflow. */
  resource?: string;
  /** The kind's named preflight checks (the catalog's), for `plan simulate`. */
  preflight?: string[];
}

export interface KindLookup {
  find(kind: string): KindInfo | undefined;
  names(): string[];
}

export function builtinPlanNames(): string[] {
  if (!existsSync(BUILTIN_PLANS_DIR)) return [];
  return readdirSync(BUILTIN_PLANS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

/** `-f refresh-peers` finds templates/plans/refresh-peers.yaml; anything else is a path. */
export function locatePlan(ref: string, cwd = process.cwd()): string {
  const asPath = resolve(cwd, ref);
  if (existsSync(asPath)) return asPath;
  if (/^[a-z0-9-]+$/.test(ref)) {
    const builtin = join(BUILTIN_PLANS_DIR, `${ref}.yaml`);
    if (existsSync(builtin)) return builtin;
  }
  const names = builtinPlanNames();
  throw SeiError.invalid(`plan file ${ref} not found`, [], [
    names.length > 0 ? `Give a path to a plan manifest, or a built-in plan name: ${names.join(', ')}.` : 'Give a path to a plan manifest.',
  ]);
}

export type Locator = (path: ReadonlyArray<string | number>) => { file: string; line: number; column: number } | undefined;

/** src/validate's field-path syntax: keys holding "." or "/" (label keys) go in brackets. */
function fieldPathOf(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' || /[./[\]]/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export interface ParsedPlan {
  loaded: LoadedPlan;
  locate: Locator;
}

/**
 * Parses one plan document from text with src/validate's parseManifests (the same positions as
 * task manifests); syntax errors carry their position.
 */
export function parsePlanText(source: string, file: string): ParsedPlan {
  const docs = parseManifests(source, file);
  if (docs.length !== 1) {
    throw SeiError.invalid(`${file}: a plan file holds exactly one YAML document (found ${docs.length})`, [], ['Put each plan in its own file.']);
  }
  const doc = docs[0]!;
  const locate: Locator = (path) => {
    const pos = doc.positionOf(fieldPathOf(path));
    return { file, line: pos.line, column: pos.column };
  };
  return { loaded: { manifest: doc.object as unknown as PlanManifest, source, file }, locate };
}

let schemaValidator: ((data: unknown) => boolean) & { errors?: unknown } | undefined;

async function validator(): Promise<((data: unknown) => boolean) & { errors?: unknown }> {
  if (schemaValidator) return schemaValidator;
  const ajvModule = await import('ajv');
  const schema = JSON.parse(readFileSync(PLAN_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // ajv is CommonJS: under NodeNext its class is the module's default.default; allErrors gives every problem at once.
  const AjvClass = ajvModule.default.default;
  const ajv = new AjvClass({ allErrors: true, strict: false });
  schemaValidator = ajv.compile(schema) as ((data: unknown) => boolean) & { errors?: unknown };
  return schemaValidator;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

function pointerToPath(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function dotted(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '<root>';
}

function schemaCauses(errors: AjvError[], locate: Locator): FieldCause[] {
  const causes: FieldCause[] = [];
  const seen = new Set<string>();
  // oneOf on a step explains itself better as one sentence than as its branches' errors.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  for (const error of errors) {
    const inOneOfBranch = [...oneOfPaths].some((p) => error.instancePath === p && error.keyword !== 'oneOf') && ['required', 'not'].includes(error.keyword);
    if (inOneOfBranch) continue;
    let path = pointerToPath(error.instancePath);
    let message = error.message ?? error.keyword;
    let type = 'FieldValueInvalid';
    switch (error.keyword) {
      case 'required':
        path = [...path, String(error.params['missingProperty'])];
        message = 'Required value';
        type = 'FieldValueRequired';
        break;
      case 'additionalProperties':
        path = [...path, String(error.params['additionalProperty'])];
        message = 'unknown field (check the spelling against the SeiTaskPlan schema)';
        type = 'FieldValueNotSupported';
        break;
      case 'enum':
        message = `must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        type = 'FieldValueNotSupported';
        break;
      case 'const':
        message = `must be ${JSON.stringify(error.params['allowedValue'])}`;
        break;
      case 'oneOf':
        if (path[path.length - 1] === 'forEach') {
          message = 'forEach takes exactly one of selector, nodes or step';
          break;
        }
        message = 'a step needs exactly one of kind (a task step) or approval (a pause); an approval step takes no forEach, node or params';
        break;
      case 'maxProperties':
      case 'minProperties':
        if (path[path.length - 1] === 'forEach') message = 'forEach takes exactly one of selector, nodes or step';
        break;
      case 'pattern':
        message = `${message}: a lowercase DNS label (letters, digits, "-")`;
        break;
      default:
        break;
    }
    const key = `${dotted(path)}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const source = locate(path);
    causes.push({ field: dotted(path), type, message, ...(source ? { source } : {}) });
  }
  return causes;
}

/** The plan's own rules, beyond what JSON Schema can say. */
export function semanticCauses(manifest: PlanManifest, locate: Locator, kinds?: KindLookup): FieldCause[] {
  const causes: FieldCause[] = [];
  const add = (path: Array<string | number>, message: string, type = 'FieldValueInvalid'): void => {
    const source = locate(path);
    causes.push({ field: dotted(path), type, message, ...(source ? { source } : {}) });
  };
  const inputs = manifest.spec.inputs ?? {};
  for (const [name, input] of Object.entries(inputs)) {
    if (input.default !== undefined && !matchesType(input.default, input.type)) {
      add(['spec', 'inputs', name, 'default'], `default ${JSON.stringify(input.default)} is not of type ${input.type}`);
    }
    if (input.default !== undefined && input.enum && !input.enum.includes(input.default)) {
      add(['spec', 'inputs', name, 'default'], `default ${JSON.stringify(input.default)} is not one of ${input.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    }
  }
  const steps = manifest.spec.steps;
  const index = new Map<string, number>();
  steps.forEach((step, i) => {
    if (index.has(step.id)) add(['spec', 'steps', i, 'id'], `duplicate step id ${JSON.stringify(step.id)} (also step ${index.get(step.id)! + 1}); step ids must be unique`, 'FieldValueDuplicate');
    else index.set(step.id, i);
  });
  // Transitive dependencies per step, to check that referenced outputs are finished first.
  const deps = new Map<string, Set<string>>();
  steps.forEach((step, i) => {
    const direct = step.dependsOn ?? (i > 0 ? [steps[i - 1]!.id] : []);
    const all = new Set<string>();
    (step.dependsOn ?? []).forEach((dep, j) => {
      const at = index.get(dep);
      if (at === undefined) add(['spec', 'steps', i, 'dependsOn', j], `unknown step ${JSON.stringify(dep)}${suggest(dep, [...index.keys()])}`, 'FieldValueNotFound');
      else if (at >= i) add(['spec', 'steps', i, 'dependsOn', j], `step ${JSON.stringify(dep)} is not before ${JSON.stringify(step.id)}: a step may depend only on earlier steps (this also rules out cycles); move it up`);
    });
    for (const dep of direct) {
      if (index.get(dep) === undefined || index.get(dep)! >= i) continue;
      all.add(dep);
      for (const t of deps.get(dep) ?? []) all.add(t);
    }
    deps.set(step.id, all);
  });
  steps.forEach((step, i) => {
    const at = (...rest: Array<string | number>): Array<string | number> => ['spec', 'steps', i, ...rest];
    if (step.kind !== undefined) {
      if (kinds && !kinds.find(step.kind)) {
        add(at('kind'), `unknown kind ${JSON.stringify(step.kind)}${suggest(step.kind, kinds.names())}; known kinds: ${kinds.names().join(', ')}`, 'FieldValueNotSupported');
      }
      if (!step.forEach && step.node === undefined) add(at('kind'), 'a task step needs a target: node (one SeiNode) or forEach (one task per node)', 'FieldValueRequired');
      if (step.forEach && step.node !== undefined) add(at('node'), 'give either node or forEach, not both');
    }
    // The same node twice would run the step on it twice (a second vote, a second restart).
    const listed = new Map<string, number>();
    (step.forEach?.nodes ?? []).forEach((node, j) => {
      if (typeof node !== 'string') return;
      const first = listed.get(node);
      if (first === undefined) listed.set(node, j);
      else add(at('forEach', 'nodes', j), `duplicate node ${JSON.stringify(node)} (also at forEach.nodes[${first}]); list each node once`, 'FieldValueDuplicate');
    });
    const ref = step.forEach?.step;
    if (ref !== undefined) {
      const refAt = index.get(ref);
      if (refAt === undefined) add(at('forEach', 'step'), `unknown step ${JSON.stringify(ref)}${suggest(ref, [...index.keys()])}`, 'FieldValueNotFound');
      else if (refAt >= i) add(at('forEach', 'step'), `step ${JSON.stringify(ref)} is not before ${JSON.stringify(step.id)}: forEach.step must name an earlier step`);
      else if (steps[refAt]!.approval) add(at('forEach', 'step'), `step ${JSON.stringify(ref)} is an approval step and has no items`);
    }
    // Template references: where they may appear and what they may name.
    const places: Array<{ path: Array<string | number>; value: unknown; itemAllowed: boolean }> = [
      { path: at('params'), value: step.params, itemAllowed: true },
      { path: at('when'), value: step.when, itemAllowed: false },
      { path: at('node'), value: step.node, itemAllowed: false },
      { path: at('forEach', 'nodes'), value: step.forEach?.nodes, itemAllowed: false },
      { path: at('forEach', 'selector'), value: step.forEach?.selector, itemAllowed: false },
    ];
    for (const place of places) {
      for (const { at: sub, text } of templateStrings(place.value)) {
        const path = [...place.path, ...(sub ? sub.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [])];
        let refs: string[][];
        try {
          refs = templateRefs(text);
        } catch (error) {
          add(path, (error as ExpressionError).message);
          continue;
        }
        for (const parts of refs) {
          const problem = checkRef(parts, { manifest, step, stepIndex: i, index, deps: deps.get(step.id) ?? new Set(), itemAllowed: place.itemAllowed, kinds });
          if (problem) add(path, `${problem} (in ${JSON.stringify(text)})`, 'FieldValueNotFound');
        }
      }
    }
  });
  return causes;
}

interface RefContext {
  manifest: PlanManifest;
  step: PlanStep;
  stepIndex: number;
  index: Map<string, number>;
  deps: Set<string>;
  itemAllowed: boolean;
  kinds?: KindLookup;
}

function checkRef(parts: string[], ctx: RefContext): string | undefined {
  const [root, a, b, c] = parts;
  if (!isKnownRoot(parts)) return `unknown reference ${parts.join('.')}: expressions start with inputs., item., steps. or plan.`;
  if (root === 'inputs') {
    const names = Object.keys(ctx.manifest.spec.inputs ?? {});
    if (!a || !names.includes(a)) return `unknown input ${JSON.stringify(a ?? '')}${suggest(a ?? '', names)}; declare it under spec.inputs`;
  } else if (root === 'item') {
    if (!ctx.itemAllowed) return 'item is only defined in params of a task step';
    if (a !== 'name' && a !== 'index') return `unknown field item.${a ?? ''}: item has name and index`;
  } else if (root === 'plan') {
    if (!['id', 'name', 'namespace'].includes(a ?? '')) return `unknown field plan.${a ?? ''}: plan has id, name and namespace`;
  } else if (root === 'steps') {
    const at = a === undefined ? undefined : ctx.index.get(a);
    if (a === undefined || at === undefined) return `unknown step ${JSON.stringify(a ?? '')}${suggest(a ?? '', [...ctx.index.keys()])}`;
    if (at >= ctx.stepIndex) return `step ${JSON.stringify(a)} does not run before ${JSON.stringify(ctx.step.id)}: outputs come only from earlier steps`;
    if (!ctx.deps.has(a)) return `step ${JSON.stringify(a)} is not among the dependencies of ${JSON.stringify(ctx.step.id)}: add it to dependsOn so its outputs exist`;
    if (b !== 'outputs' || !c) return `use steps.${a}.outputs.<field>`;
    const kind = ctx.manifest.spec.steps[at]!.kind;
    if (!kind) return `step ${JSON.stringify(a)} is an approval step and has no outputs`;
    const info = ctx.kinds?.find(kind);
    const unpublished = info?.unpublished?.(c);
    if (unpublished) return unpublished;
    if (info && !info.outputs.includes(c)) {
      return info.outputs.length === 0 ? `${kind} has no outputs` : `${kind} has no output ${JSON.stringify(c)}; it has ${info.outputs.join(', ')}`;
    }
  }
  return undefined;
}

function suggest(value: string, known: string[]): string {
  if (!value || known.length === 0) return '';
  const best = closest(value, known);
  return best ? ` (did you mean ${JSON.stringify(best)}?)` : '';
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

/** Schema + semantic check of a parsed plan; throws one SeiError listing every problem. */
export async function checkPlan(parsed: ParsedPlan, kinds?: KindLookup): Promise<PlanManifest> {
  const validate = await validator();
  const { manifest, file } = parsed.loaded;
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw SeiError.invalid(`${file}: a plan manifest is a YAML mapping with apiVersion cli.sei.io/v1alpha1 and kind SeiTaskPlan`);
  }
  if (!validate(manifest)) {
    const causes = schemaCauses((validate.errors ?? []) as AjvError[], parsed.locate);
    throw SeiError.invalid(`${file}: the plan is not a valid SeiTaskPlan (${causes.length} problem${causes.length === 1 ? '' : 's'})`, causes, [
      'Fix the fields listed above; the schema is schemas/plan.schema.json.',
    ]);
  }
  const causes = semanticCauses(manifest, parsed.locate, kinds);
  if (causes.length > 0) {
    throw SeiError.invalid(`${file}: the plan is not valid (${causes.length} problem${causes.length === 1 ? '' : 's'})`, causes, ['Fix the fields listed above; nothing was written.']);
  }
  return manifest;
}

/** Locates, reads, parses and checks a plan. */
export async function loadPlan(ref: string, kinds?: KindLookup, cwd?: string): Promise<LoadedPlan> {
  const file = locatePlan(ref, cwd);
  const parsed = parsePlanText(readFileSync(file, 'utf8'), file);
  await checkPlan(parsed, kinds);
  return parsed.loaded;
}

/** Parses and checks plan text from the run's ConfigMap (resume/status on another machine). */
export async function loadPlanSource(source: string, label: string, kinds?: KindLookup): Promise<LoadedPlan> {
  const parsed = parsePlanText(source, label);
  await checkPlan(parsed, kinds);
  return parsed.loaded;
}
