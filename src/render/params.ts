/**
 * Turns what a user typed (--set key=value strings, a --values YAML mapping) into the typed
 * parameters of one kind, using the kind's parameter schema: `proposalId=3` is the integer 3,
 * `podUID=123` the string "123". Every problem is collected into one SeiError (exit 2) naming
 * the parameter, its position in the --values file when known, and the fix. Pure: no I/O
 * except reading the --values file in readValuesFile.
 */
import { parseAllDocumentsBounded } from '../domain/yaml-depth.js';
import { readFileSync } from 'node:fs';
import { SeiError, type FieldCause } from '../errors/sei-error.js';
import { closest } from '../catalog/index.js';
import type { KindSpec, ParamSpec } from '../catalog/types.js';

export type SourcePosition = NonNullable<FieldCause['source']>;

/** Parameters as given, before typing; positions say where each came from in a --values file. */
export interface RawParams {
  values: Record<string, unknown>;
  /** Values that came from the command line are strings to be typed by the schema. */
  fromCommandLine: Set<string>;
  positions: Record<string, SourcePosition>;
}

export function emptyRawParams(): RawParams {
  return { values: {}, fromCommandLine: new Set(), positions: {} };
}

/** `--set key=value` (split at the first `=`; the value may itself contain `=`). */
export function parseSetArgs(args: readonly string[], into: RawParams = emptyRawParams()): RawParams {
  const causes: FieldCause[] = [];
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) {
      causes.push({ field: '--set', type: 'FieldValueInvalid', message: `"${arg}" is not key=value` });
      continue;
    }
    const key = arg.slice(0, at);
    into.values[key] = arg.slice(at + 1);
    into.fromCommandLine.add(key);
    delete into.positions[key];
  }
  if (causes.length > 0) throw SeiError.invalid('invalid --set', causes, ['Write --set key=value, e.g. --set proposalId=3.']);
  return into;
}

/** A --values YAML mapping; keys and positions are kept so errors point into the file. */
export async function readValuesFile(file: string): Promise<RawParams> {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (error) {
    throw SeiError.invalid(`--values ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, [], ['Pass a readable YAML file of parameter: value pairs.']);
  }
  const { parseDocument, LineCounter, isMap, isScalar } = await import('yaml');
  // Refuses nesting deeper than the composer can recurse through (was "Maximum call stack size exceeded").
  parseAllDocumentsBounded(text, file, {}, `--values ${file}`);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (document.errors.length > 0) {
    const causes = document.errors.map((error) => ({ field: '--values', type: 'FieldValueInvalid', message: error.message.split('\n')[0] ?? error.message, source: position(error.pos[0]) }));
    throw SeiError.invalid(`--values ${file}: not valid YAML`, causes, ['Fix the YAML syntax at the position shown.']);
  }
  const raw = emptyRawParams();
  if (document.contents === null) return raw;
  if (!isMap(document.contents)) {
    throw SeiError.invalid(`--values ${file}: must be a YAML mapping of parameter: value`, [{ field: '--values', message: 'not a mapping', source: position(document.contents.range?.[0] ?? 0) }]);
  }
  for (const pair of document.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    raw.values[key] = pair.value === null ? null : (pair.value as { toJSON(): unknown }).toJSON();
    const range = (isScalar(pair.key) ? pair.key.range : undefined) ?? [0];
    raw.positions[key] = position(range[0]);
  }
  return raw;
}

/** --set wins over --values (as in helm). */
export function mergeRawParams(base: RawParams, over: RawParams): RawParams {
  const merged: RawParams = { values: { ...base.values }, fromCommandLine: new Set(base.fromCommandLine), positions: { ...base.positions } };
  for (const [key, value] of Object.entries(over.values)) {
    merged.values[key] = value;
    if (over.fromCommandLine.has(key)) merged.fromCommandLine.add(key);
    else merged.fromCommandLine.delete(key);
    if (over.positions[key]) merged.positions[key] = over.positions[key];
    else delete merged.positions[key];
  }
  return merged;
}

/** Plain values (from a service or a plan) rather than user text: typed as given. */
export function rawFromValues(values: Record<string, unknown>): RawParams {
  return { values: { ...values }, fromCommandLine: new Set(), positions: {} };
}

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

function coerce(param: ParamSpec, value: unknown, fromCommandLine: boolean): Coerced {
  switch (param.type) {
    case 'string':
      if (typeof value === 'string') return { ok: true, value };
      // A YAML `podUID: 123` or `chainId: 1` is meant as text: the schema says string.
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, message: `must be a string, got ${describe(value)}` };
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return { ok: true, value };
      if (typeof value === 'string' && /^[+-]?[0-9]+$/.test(value.trim())) {
        const number = Number(value.trim());
        if (Number.isSafeInteger(number)) return { ok: true, value: number };
      }
      return { ok: false, message: `must be an integer, got ${describe(value)}` };
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return { ok: false, message: `must be true or false, got ${describe(value)}` };
    case 'json':
      if (fromCommandLine && typeof value === 'string') {
        // JSON text on the command line; anything that is not JSON is taken as a plain string.
        try {
          return { ok: true, value: JSON.parse(value) as unknown };
        } catch {
          return { ok: true, value };
        }
      }
      return { ok: true, value };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

function constraintProblem(param: ParamSpec, value: unknown): string | undefined {
  if (param.enum && !param.enum.includes(String(value))) return `must be one of ${param.enum.map((item) => JSON.stringify(item)).join(', ')}, got ${describe(value)}`;
  if (typeof value === 'number') {
    if (param.minimum !== undefined && value < param.minimum) return `must be >= ${param.minimum}, got ${value}`;
    if (param.maximum !== undefined && value > param.maximum) return `must be <= ${param.maximum}, got ${value}`;
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (param.minLength !== undefined && length < param.minLength) return param.minLength === 1 ? 'must not be empty' : `must be at least ${param.minLength} characters`;
    if (param.maxLength !== undefined && length > param.maxLength) return `must be at most ${param.maxLength} characters, got ${length}`;
    if (param.pattern !== undefined && !new RegExp(param.pattern, 'u').test(value)) return `must match ${param.pattern}, got ${describe(value)}`;
  }
  return undefined;
}

function paramList(spec: KindSpec): string {
  return spec.params.map((param) => `${param.name}${param.required ? '' : '?'}`).join(', ') || '(none)';
}

/**
 * Typed parameters for `spec`, or a SeiError listing every problem. Missing optional
 * parameters without a default are left out, so the template omits their fields.
 */
export function coerceParams(spec: KindSpec, raw: RawParams): Record<string, unknown> {
  const byName = new Map<string, ParamSpec>();
  for (const param of spec.params) {
    byName.set(param.name, param);
    for (const alias of param.aliases ?? []) byName.set(alias, param);
  }
  const causes: FieldCause[] = [];
  const typed: Record<string, unknown> = {};
  const where = (key: string) => (raw.positions[key] ? { source: raw.positions[key] } : {});
  // A --values file may nest what --set spells dotted: `height: {targetHeight: 5}`.
  const entries = Object.entries(raw.values).flatMap(([key, value]): Array<[string, unknown]> => {
    if (byName.has(key) || value === null || typeof value !== 'object' || Array.isArray(value)) return [[key, value]];
    const nested = Object.entries(value as Record<string, unknown>);
    if (nested.length === 0 || !nested.every(([inner]) => byName.has(`${key}.${inner}`))) return [[key, value]];
    return nested.map(([inner, innerValue]) => {
      if (raw.positions[key]) raw.positions[`${key}.${inner}`] = raw.positions[key];
      return [`${key}.${inner}`, innerValue];
    });
  });
  for (const [key, value] of entries) {
    const param = byName.get(key);
    if (!param) {
      const near = closest(key, spec.params.map((candidate) => candidate.name));
      causes.push({
        field: key,
        type: 'FieldValueNotSupported',
        message: `unknown parameter of ${spec.name}${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; its parameters are: ${paramList(spec)}`,
        ...where(key),
      });
      continue;
    }
    if (value === null || value === undefined) continue;
    const result = coerce(param, value, raw.fromCommandLine.has(key));
    if (!result.ok) {
      causes.push({ field: param.name, type: 'FieldValueInvalid', message: result.message, ...where(key) });
      continue;
    }
    const problem = constraintProblem(param, result.value);
    if (problem) causes.push({ field: param.name, type: 'FieldValueInvalid', message: problem, ...where(key) });
    else typed[param.name] = result.value;
  }
  for (const param of spec.params) {
    if (typed[param.name] !== undefined || causes.some((cause) => cause.field === param.name)) continue;
    if (param.default !== undefined) typed[param.name] = param.default;
    else if (param.required) {
      causes.push({
        field: param.name,
        type: 'FieldValueRequired',
        message: param.late
          ? `required (${param.description || 'read from the cluster right before the write'})`
          : `required: ${param.description || 'no default'}`,
      });
    }
  }
  if (spec.requireOneOf && !spec.requireOneOf.some((group) => group.every((name) => typed[name] !== undefined))) {
    causes.push({
      field: spec.requireOneOf.map((group) => group.join('+')).join(' | '),
      type: 'FieldValueRequired',
      message: `set ${spec.requireOneOf.map((group) => group.join(', ')).join(', or ')}`,
    });
  }
  if (causes.length > 0) {
    const late = spec.params.filter((param) => param.late && typed[param.name] === undefined).map((param) => param.name);
    throw SeiError.invalid(`invalid parameters for ${spec.name}`, causes, [
      `Set parameters with --set key=value or --values FILE; ${spec.name} takes: ${paramList(spec)}.`,
      ...(late.length > 0 ? [`${late.join(', ')} is read from the cluster by \`kubectl sei task ${spec.name} NODE\`; offline, pass --set ${late[0]}=<value>.`] : []),
    ]);
  }
  return typed;
}
