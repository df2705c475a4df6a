/**
 * Loads the task-kind catalog from data: templates/tasks/<name>.yaml.hbs + <name>.meta.yaml and
 * schemas/kinds/<name>.schema.json, plus the parameters every kind shares
 * (schemas/kinds/_common.schema.json). A --templates-dir adds or overrides kinds with the same
 * files. It owns reading and checking that data; it does not render (src/render/) and knows no
 * kind by name: adding a kind is adding files.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import { SeiError } from '../errors/sei-error.js';
import { LATE_RESOLVERS, type ApiFlavor, type Catalog, type KindSpec, type LateResolverName, type LateValue, type OutputSpec, type ParamSpec, type ParamType } from './types.js';

export type { Catalog, KindSpec, ParamSpec, OutputSpec } from './types.js';

export interface LoadCatalogOptions {
  /** Users' own kinds: <name>.yaml.hbs + <name>.meta.yaml + <name>.schema.json (flat), or the
   *  project layout templates/tasks/ + schemas/kinds/ under it. Overrides built-ins by name. */
  templatesDir?: string;
}

/** The package root, from src/catalog/ (vitest) or dist/catalog/ (built) alike. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILTIN_TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates', 'tasks');
export const BUILTIN_SCHEMAS_DIR = join(PACKAGE_ROOT, 'schemas', 'kinds');
/** SeiNodeTaskWorkflow kinds: the same three files per kind, in their own directories. */
export const BUILTIN_WORKFLOW_TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates', 'workflows');
export const BUILTIN_WORKFLOW_SCHEMAS_DIR = join(PACKAGE_ROOT, 'schemas', 'workflows');

const COMMON_SCHEMA = '_common.schema.json';
const TEMPLATE_SUFFIX = '.yaml.hbs';
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

interface JsonSchemaProperty {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  'x-sei-aliases'?: string[];
}

interface ParamSchema {
  properties?: Record<string, JsonSchemaProperty>;
  required?: string[];
  anyOf?: Array<{ required?: string[] }>;
}

interface KindMeta {
  kind?: unknown;
  payloadField?: unknown;
  apis?: unknown;
  description?: unknown;
  defaultTimeoutSeconds?: unknown;
  outputs?: unknown;
  preflight?: unknown;
  broadcasts?: unknown;
  late?: unknown;
  nameSuffix?: unknown;
  restartsPod?: unknown;
  takesEffectOnRestart?: unknown;
  replacedBy?: unknown;
  unservedBecause?: unknown;
  broadcastNoun?: unknown;
  followsNodePlan?: unknown;
  resource?: unknown;
  destructive?: unknown;
  steps?: unknown;
}

/** `late: [podUID]` or `late: [{param: podUID, resolver: live-pod-uid}]`. */
function lateValuesOf(file: string, value: unknown): LateValue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad(file, 'late must be a list of parameter names or {param, resolver} entries');
  return value.map((entry) => {
    if (typeof entry === 'string') return { param: entry };
    const record = (entry ?? {}) as { param?: unknown; resolver?: unknown };
    if (typeof record.param !== 'string') throw bad(file, 'late: each entry needs param: NAME');
    if (record.resolver === undefined) return { param: record.param };
    if (typeof record.resolver !== 'string' || !(LATE_RESOLVERS as readonly string[]).includes(record.resolver)) {
      throw bad(file, `late: unknown resolver ${JSON.stringify(record.resolver)} (known: ${LATE_RESOLVERS.join(', ')})`);
    }
    return { param: record.param, resolver: record.resolver as LateResolverName };
  });
}

function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * A --templates-dir kind that overrides a built-in one keeps the built-in's safety: its checks,
 * late-value resolvers and pod-restart behaviour hold even when the user's meta forgets them.
 */
function keepBuiltinSafety(user: KindSpec, builtin: KindSpec): KindSpec {
  const resolvers = new Map(builtin.lateValues.flatMap((v) => (v.resolver ? [[v.param, v.resolver] as const] : [])));
  const lateValues = [...user.lateValues.map((v) => (v.resolver || !resolvers.has(v.param) ? v : { ...v, resolver: resolvers.get(v.param)! }))];
  for (const v of builtin.lateValues) if (!lateValues.some((u) => u.param === v.param) && user.params.some((p) => p.name === v.param)) lateValues.push(v);
  return {
    ...user,
    params: user.params.map((p) => (lateValues.some((v) => v.param === p.name) ? { ...p, late: true } : p)),
    preflight: [...new Set([...builtin.preflight, ...user.preflight])],
    lateValues,
    restartsPod: user.restartsPod || builtin.restartsPod,
    takesEffectOnRestart: user.takesEffectOnRestart || builtin.takesEffectOnRestart,
    followsNodePlan: user.followsNodePlan || builtin.followsNodePlan,
    ...optionalField('replacedBy', user.replacedBy ?? builtin.replacedBy),
    ...optionalField('unservedBecause', user.unservedBecause ?? builtin.unservedBecause),
    ...optionalField('broadcastNoun', user.broadcastNoun ?? builtin.broadcastNoun),
  };
}

function optionalString(file: string, field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw bad(file, `${field} must be a non-empty string`);
  return value;
}

function bad(file: string, message: string, hint?: string): SeiError {
  return SeiError.invalid(`kind catalog: ${file}: ${message}`, [], hint ? [hint] : []);
}

function readJson(file: string): ParamSchema {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ParamSchema;
  } catch (error) {
    throw bad(file, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function paramType(file: string, name: string, property: JsonSchemaProperty): ParamType {
  // No type or a structured type: the value is free-form JSON (GovParamChange's changes/value).
  if (property.type === undefined || property.type === 'array' || property.type === 'object') return 'json';
  if (property.type === 'string' || property.type === 'integer' || property.type === 'boolean') return property.type;
  throw bad(file, `parameter ${name}: unsupported type ${JSON.stringify(property.type)}`, 'Use string, integer, boolean, array or object.');
}

function paramsFromSchema(file: string, schema: ParamSchema, late: string[]): ParamSpec[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const spec: ParamSpec = {
      name,
      type: paramType(file, name, property),
      required: required.has(name),
      description: property.description ?? '',
    };
    if (property.default !== undefined) spec.default = property.default as string | number | boolean;
    if (property.enum) spec.enum = property.enum.map(String);
    if (late.includes(name)) spec.late = true;
    if (property['x-sei-aliases']) spec.aliases = property['x-sei-aliases'];
    for (const key of ['minimum', 'maximum', 'minLength', 'maxLength'] as const) {
      if (typeof property[key] === 'number') spec[key] = property[key];
    }
    if (typeof property.pattern === 'string') spec.pattern = property.pattern;
    return spec;
  });
}

function stringList(file: string, field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw bad(file, `${field} must be a list of strings`);
  return value;
}

function outputsOf(file: string, value: unknown): OutputSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad(file, 'outputs must be a list of {name, jsonPath, publishedBy}');
  return value.map((item: { name?: unknown; jsonPath?: unknown; publishedBy?: unknown }, index) => {
    if (typeof item?.name !== 'string' || typeof item.jsonPath !== 'string') throw bad(file, `outputs[${index}] needs name and jsonPath strings`);
    const publishedBy = stringList(file, `outputs[${index}].publishedBy`, item.publishedBy ?? ['seed', 'latest']);
    for (const version of publishedBy) if (version !== 'seed' && version !== 'latest') throw bad(file, `outputs[${index}].publishedBy: unknown controller version "${version}" (seed or latest)`);
    return { name: item.name, jsonPath: item.jsonPath, publishedBy: publishedBy as ApiFlavor[] };
  });
}

interface KindFiles {
  name: string;
  template: string;
  meta: string;
  schema: string;
}

/** Finds <name>.yaml.hbs files in a directory and pairs them with their meta and schema. */
function kindFilesIn(templatesDir: string, schemasDir: string, userDir: boolean): KindFiles[] {
  if (!existsSync(templatesDir)) return [];
  return readdirSync(templatesDir)
    .filter((file) => file.endsWith(TEMPLATE_SUFFIX))
    .sort()
    .map((file) => {
      const name = file.slice(0, -TEMPLATE_SUFFIX.length);
      const template = join(templatesDir, file);
      if (!KEBAB.test(name)) throw bad(template, `kind file names are kebab-case (got "${name}")`);
      const files = { name, template, meta: join(templatesDir, `${name}.meta.yaml`), schema: join(schemasDir, `${name}.schema.json`) };
      for (const needed of [files.meta, files.schema]) {
        if (!existsSync(needed)) {
          throw bad(template, `missing ${needed}`, userDir
            ? 'A kind in --templates-dir needs <name>.yaml.hbs, <name>.meta.yaml and <name>.schema.json side by side.'
            : 'Every built-in kind ships a template, a meta file and a parameter schema.');
        }
      }
      return files;
    });
}

function pascalToCamel(kind: string): string {
  return kind.charAt(0).toLowerCase() + kind.slice(1);
}

function loadKind(files: KindFiles, common: ParamSpec[]): KindSpec {
  let meta: KindMeta;
  try {
    meta = (parseYaml(readFileSync(files.meta, 'utf8')) ?? {}) as KindMeta;
  } catch (error) {
    throw bad(files.meta, `not valid YAML (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof meta.kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(meta.kind)) throw bad(files.meta, 'kind must be the PascalCase spec.kind, e.g. RestartPod');
  const apis = stringList(files.meta, 'apis', meta.apis ?? ['seed', 'latest']);
  for (const api of apis) if (api !== 'seed' && api !== 'latest') throw bad(files.meta, `apis: unknown flavor "${api}" (seed or latest)`);
  const lateValues = lateValuesOf(files.meta, meta.late);
  const late = lateValues.map((value) => value.param);
  const schema = readJson(files.schema);
  const own = paramsFromSchema(files.schema, schema, late);
  const ownNames = new Set(own.map((param) => param.name));
  for (const name of late) if (!ownNames.has(name)) throw bad(files.meta, `late parameter "${name}" is not in ${files.schema}`);
  const suffix = meta.nameSuffix ?? 'params';
  if (suffix !== 'params' && suffix !== 'time') throw bad(files.meta, 'nameSuffix must be params or time');
  if (meta.defaultTimeoutSeconds !== undefined && (typeof meta.defaultTimeoutSeconds !== 'number' || meta.defaultTimeoutSeconds < 0)) {
    throw bad(files.meta, 'defaultTimeoutSeconds must be a number >= 0');
  }
  const resource = meta.resource ?? 'SeiNodeTask';
  if (resource !== 'SeiNodeTask' && resource !== 'SeiNodeTaskWorkflow') throw bad(files.meta, 'resource must be SeiNodeTask or SeiNodeTaskWorkflow');
  const steps = stringList(files.meta, 'steps', meta.steps);
  const requireOneOf = (schema.anyOf ?? []).map((alternative) => alternative.required ?? []).filter((group) => group.length > 0);
  return {
    kind: meta.kind,
    name: files.name,
    payloadField: typeof meta.payloadField === 'string' ? meta.payloadField : pascalToCamel(meta.kind),
    apis: apis as ApiFlavor[],
    description: typeof meta.description === 'string' ? meta.description : '',
    params: [...own, ...common.filter((param) => !ownNames.has(param.name))],
    defaultTimeoutSeconds: meta.defaultTimeoutSeconds as number | undefined,
    outputs: outputsOf(files.meta, meta.outputs),
    preflight: stringList(files.meta, 'preflight', meta.preflight ?? ['target-exists']),
    broadcasts: meta.broadcasts === true,
    templatePath: files.template,
    schemaPath: files.schema,
    nameSuffix: suffix,
    ...(requireOneOf.length > 0 ? { requireOneOf } : {}),
    lateValues,
    restartsPod: meta.restartsPod === true,
    takesEffectOnRestart: meta.takesEffectOnRestart === true,
    followsNodePlan: meta.followsNodePlan === true,
    ...optionalField('replacedBy', optionalString(files.meta, 'replacedBy', meta.replacedBy)),
    ...optionalField('unservedBecause', optionalString(files.meta, 'unservedBecause', meta.unservedBecause)),
    ...optionalField('broadcastNoun', optionalString(files.meta, 'broadcastNoun', meta.broadcastNoun)),
    ...(resource !== 'SeiNodeTask' ? { resource } : {}),
    ...(meta.destructive === true ? { destructive: true } : {}),
    ...(steps.length > 0 ? { steps } : {}),
  };
}

/**
 * Built-in kinds are parsed on first use (start-up reads one meta and one schema for `task
 * render`, not all of them); --templates-dir kinds are parsed eagerly so a broken user kind is
 * reported at once, and they win over built-ins by file name and by PascalCase kind.
 */
class DataCatalog implements Catalog {
  private readonly files = new Map<string, KindFiles>();
  private readonly loaded = new Map<string, KindSpec>();
  private readonly userByKind = new Map<string, KindSpec>();

  constructor(builtin: KindFiles[], user: KindFiles[], private readonly common: ParamSpec[], private readonly noun = 'task') {
    const builtinByName = new Map(builtin.map((files) => [files.name, files]));
    for (const files of [...builtin, ...user]) this.files.set(files.name, files);
    for (const files of user) {
      let spec = this.load(files.name)!;
      const twin = builtinByName.get(files.name) ?? builtinByName.get(pascalToKebab(spec.kind));
      const original = twin ? loadKind(twin, common) : undefined;
      if (original && original.kind === spec.kind) {
        spec = keepBuiltinSafety(spec, original);
        this.loaded.set(files.name, spec);
      }
      this.userByKind.set(spec.kind, spec);
    }
  }

  private load(name: string): KindSpec | undefined {
    let spec = this.loaded.get(name);
    if (!spec) {
      const files = this.files.get(name);
      if (!files) return undefined;
      spec = loadKind(files, this.common);
      this.loaded.set(name, spec);
    }
    return spec;
  }

  kinds(): KindSpec[] {
    return [...this.files.keys()].sort().map((name) => this.load(name)!);
  }

  find(nameOrKind: string): KindSpec | undefined {
    const user = this.userByKind.get(nameOrKind);
    if (user) return user;
    const direct = this.load(nameOrKind) ?? this.load(nameOrKind.toLowerCase());
    if (direct) return direct;
    // PascalCase: the built-in file is its kebab-case name; otherwise search every kind.
    const guess = this.load(pascalToKebab(nameOrKind));
    if (guess?.kind === nameOrKind) return guess;
    return this.kinds().find((spec) => spec.kind === nameOrKind);
  }

  require(nameOrKind: string): KindSpec {
    const spec = this.find(nameOrKind);
    if (spec) return spec;
    const names = [...this.files.keys()].sort();
    const close = closest(nameOrKind, names);
    throw new SeiError(`unknown ${this.noun} kind "${nameOrKind}"${close.length > 0 ? `; did you mean ${close.join(' or ')}?` : ''}`, {
      reason: 'UnknownKind',
      exitCode: 2,
      httpCode: 400,
      hints: [`Known ${this.noun} kinds: ${names.join(', ')}.`, 'Run `kubectl sei kinds` for their parameters; add your own with --templates-dir.'],
    });
  }
}

function pascalToKebab(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Names within a small edit distance of `input`, best first (at most three). */
export function closest(input: string, candidates: string[]): string[] {
  const normalized = input.toLowerCase().replace(/[^a-z0-9]/g, '');
  const scored = candidates.map((candidate) => {
    const bare = candidate.toLowerCase().replace(/[^a-z0-9]/g, '');
    return { candidate, score: levenshtein(normalized, bare) };
  });
  const limit = Math.max(2, Math.floor(normalized.length / 3));
  return scored.filter(({ score }) => score <= limit).sort((a, b) => a.score - b.score).slice(0, 3).map(({ candidate }) => candidate);
}

let distanceFn: ((a: string, b: string) => number) | undefined;
function levenshtein(a: string, b: string): number {
  // Loaded on the error path only; createRequire keeps Catalog.require synchronous.
  distanceFn ??= (createRequire(import.meta.url)('fastest-levenshtein') as { distance: (a: string, b: string) => number }).distance;
  return distanceFn(a, b);
}

function commonParams(schemasDir: string): ParamSpec[] {
  const file = join(schemasDir, COMMON_SCHEMA);
  return existsSync(file) ? paramsFromSchema(file, readJson(file), []) : [];
}

/** The built-in kinds, plus or overridden by the kinds in options.templatesDir. */
export function loadCatalog(options: LoadCatalogOptions = {}): Catalog {
  const common = commonParams(BUILTIN_SCHEMAS_DIR);
  const builtin = kindFilesIn(BUILTIN_TEMPLATES_DIR, BUILTIN_SCHEMAS_DIR, false);
  const userFiles: KindFiles[] = [];
  if (options.templatesDir !== undefined) {
    const dir = resolve(options.templatesDir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw SeiError.invalid(`--templates-dir ${options.templatesDir}: not a directory`, [], ['Point it at a directory of <name>.yaml.hbs, <name>.meta.yaml and <name>.schema.json files.']);
    }
    const nested = existsSync(join(dir, 'templates', 'tasks'));
    const user = nested
      ? kindFilesIn(join(dir, 'templates', 'tasks'), join(dir, 'schemas', 'kinds'), true)
      : kindFilesIn(dir, dir, true);
    if (user.length === 0) {
      throw SeiError.invalid(`--templates-dir ${options.templatesDir}: no <name>.yaml.hbs templates found`, [], ['Name templates <kebab-name>.yaml.hbs, next to <name>.meta.yaml and <name>.schema.json.']);
    }
    userFiles.push(...user);
  }
  return new DataCatalog(builtin, userFiles, common);
}

/**
 * The SeiNodeTaskWorkflow kinds (templates/workflows/, schemas/workflows/): the same data
 * layout and loader as task kinds, with their own common parameters (spec.target only: a
 * workflow has no timeoutSeconds).
 */
export function loadWorkflowCatalog(): Catalog {
  const common = commonParams(BUILTIN_WORKFLOW_SCHEMAS_DIR);
  return new DataCatalog(kindFilesIn(BUILTIN_WORKFLOW_TEMPLATES_DIR, BUILTIN_WORKFLOW_SCHEMAS_DIR, false), [], common, 'workflow');
}

/**
 * Task kinds and workflow kinds as one catalog, for plans (a step's kind may be either): the
 * task catalog wins on a name both define.
 */
export function combineCatalogs(first: Catalog, second: Catalog): Catalog {
  return {
    kinds: () => [...first.kinds(), ...second.kinds().filter((spec) => !first.find(spec.kind))],
    find: (nameOrKind) => first.find(nameOrKind) ?? second.find(nameOrKind),
    require: (nameOrKind) => {
      const found = first.find(nameOrKind) ?? second.find(nameOrKind);
      return found ?? first.require(nameOrKind);
    },
  };
}
