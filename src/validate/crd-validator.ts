/**
 * The one validation engine: what k8s.io/apiextensions-apiserver does to a custom resource on
 * write, for both the simulated apiserver's admission and the CLI's `task validate`.
 * Order as the apiserver: prune unknown fields and non-nullable nulls, apply defaults (decode
 * time), then OpenAPI v3 structural checks + list-type uniqueness + metadata.name, then CEL
 * rules only if no blocking error exists. Never mutates its input; knows nothing of files,
 * positions or HTTP.
 */
import type { FieldCause } from '../errors/index.js';
import type { CrdDocument, JsonSchemaProps } from './crd-types.js';
import { compileSchema, enumKey, type SchemaNode } from './structural.js';
import { evaluateRule } from './cel-rules.js';
import { deepEqual, splitFieldPath, valueAt } from './field-path.js';
import { isPlainObject } from '../domain/seinodetask.js';
import {
  BLOCKING_TYPES,
  celSkipped,
  duplicate,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
  unknownField,
} from './field-errors.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ValidateOptions {
  /** The stored object on update: enables transition rules (oldSelf). */
  oldObject?: Record<string, unknown>;
  /** Unknown-field handling as the apiserver's fieldValidation parameter. Default Strict. */
  fieldValidation?: FieldValidation;
  /** Check metadata.name / metadata.namespace formats (default true). */
  checkMetadata?: boolean;
  /**
   * On update, ignore errors in values that did not change (CRDValidationRatcheting, on by
   * default since Kubernetes 1.30): an object stored under an older schema stays writable, e.g.
   * a seed-era task's status after the sim restarts serving the later API. Default true.
   */
  ratcheting?: boolean;
}

export interface ValidationResult {
  /** The defaulted and pruned copy: what the apiserver would store. */
  object: Record<string, unknown>;
  /** Every problem; empty means valid. Strict mode lists unknown fields first. */
  causes: FieldCause[];
  /** Non-fatal notes (unknown fields in Warn mode, int32 overflow). */
  warnings: string[];
  /** Paths of fields the schema does not declare (dropped from `object`). */
  unknownFields: string[];
}

export interface ObjectValidator {
  readonly group: string;
  readonly version: string;
  /** `group/version` as it appears in a manifest's apiVersion. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly crd: CrdDocument;
  validate(object: unknown, options?: ValidateOptions): ValidationResult;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// RFC 3339 as strfmt accepts it (fractional seconds, Z or offset).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T'))),
  date: (v) => DATE.test(v),
  uuid: (v) => UUID.test(v),
  byte: (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0,
};

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}


/** JSON-ish deep copy (manifests are JSON data; structuredClone is slower for this shape). */
function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = clone((value as Record<string, unknown>)[key]);
  return out as T;
}

/** The type name go-openapi prints for a value ("integer" for whole numbers). */
function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return isInt64(value) ? 'integer' : 'number';
    case 'bigint':
      return 'integer';
    default:
      return 'object';
  }
}

const TWO_63 = 2 ** 63;

/** A JSON number the apiserver decodes as int64 (larger whole numbers become float64). */
function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= -TWO_63 && value < TWO_63;
}

function matchesType(type: NonNullable<JsonSchemaProps['type']>, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return (typeof value === 'number' && isInt64(value)) || typeof value === 'bigint';
    case 'number':
      return typeof value === 'number' || typeof value === 'bigint';
  }
}

function runeLength(value: string): number {
  // Go counts runes: astral characters are one, not two UTF-16 units.
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

interface PruneState {
  unknown: string[];
}

/** Decode-time work: drop undeclared fields and non-nullable nulls, apply defaults. */
function normalize(value: unknown, node: SchemaNode, path: string, state: PruneState, root = false): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items) return clone(value);
    return value.map((item, i) => normalize(item, items, `${path}[${i}]`, state));
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const props = node.properties;
  for (const key of Object.keys(source)) {
    const v = source[key];
    // JSON has no undefined: a key set to undefined (programmatic callers) is an absent field.
    if (v === undefined) continue;
    const p = child(path, key);
    if (root && (key === 'metadata' || key === 'apiVersion' || key === 'kind')) {
      // ObjectMeta/TypeMeta are decoded by the apiserver itself, never pruned by the schema.
      out[key] = clone(v);
      continue;
    }
    const declared = props?.get(key);
    if (declared) {
      if (v === null && !declared.nullable) {
        if (declared.hasDefault) out[key] = normalize(clone(declared.defaultValue), declared, p, state);
        continue;
      }
      out[key] = normalize(v, declared, p, state);
    } else if (node.additional === true) {
      out[key] = clone(v);
    } else if (node.additional) {
      const mapValue = node.additional;
      if (v === null && !mapValue.nullable) {
        if (mapValue.hasDefault) out[key] = normalize(clone(mapValue.defaultValue), mapValue, `${path}[${key}]`, state);
        continue;
      }
      out[key] = normalize(v, mapValue, `${path}[${key}]`, state);
    } else if (node.preserveUnknown) {
      out[key] = clone(v);
    } else {
      state.unknown.push(p);
    }
  }
  if (props && node.defaultsBelow) {
    for (const [key, declared] of props) {
      if (declared.hasDefault && !(key in out)) out[key] = normalize(clone(declared.defaultValue), declared, child(path, key), state);
    }
  }
  return out;
}

interface CheckState {
  causes: FieldCause[];
  listCauses: FieldCause[];
  warnings: string[];
}

function checkListType(value: unknown[], node: SchemaNode, path: string, state: CheckState): void {
  const listType = node.raw['x-kubernetes-list-type'];
  if (listType === 'set') {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) state.listCauses.push(duplicate(`${path}[${i}]`, item));
      seen.add(key);
    });
  } else if (listType === 'map') {
    const keys = node.raw['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (!isPlainObject(item)) return;
      const keyValue: Record<string, unknown> = {};
      for (const k of keys) keyValue[k] = item[k];
      const key = JSON.stringify(keyValue);
      if (seen.has(key)) state.listCauses.push(duplicate(`${path}[${i}]`, keyValue));
      seen.add(key);
    });
  }
}

/** OpenAPI v3 structural validation in go-openapi's order: type, string, format, number, array, enum, object. */
function check(value: unknown, node: SchemaNode, path: string, state: CheckState): void {
  const raw = node.raw;
  if (value === null || value === undefined) {
    if (node.nullable || (!node.type && !node.intOrString)) return;
    const expected = node.intOrString ? 'integer,string' : node.type;
    state.causes.push(typeInvalid(path, 'null', `${path} in body must be of type ${expected}: "null"`));
    return;
  }
  if (node.intOrString) {
    if (!(typeof value === 'string' || matchesType('integer', value))) {
      const actual = jsonTypeName(value);
      state.causes.push(typeInvalid(path, actual, `${path} in body must be of type integer,string: ${JSON.stringify(actual)}`));
      return;
    }
  } else if (node.type && !matchesType(node.type, value)) {
    const actual = jsonTypeName(value);
    state.causes.push(typeInvalid(path, actual, `${path} in body must be of type ${node.type}: ${JSON.stringify(actual)}`));
    return;
  }

  if (typeof value === 'string') {
    if (raw.maxLength !== undefined && runeLength(value) > raw.maxLength) state.causes.push(tooLong(path, raw.maxLength));
    if (raw.minLength !== undefined && runeLength(value) < raw.minLength) {
      state.causes.push(invalid(path, value, `${path} in body should be at least ${raw.minLength} chars long`));
    }
    if (node.pattern && !node.pattern.test(value)) state.causes.push(invalid(path, value, `${path} in body should match '${raw.pattern}'`));
    if (raw.format && FORMATS[raw.format] && !FORMATS[raw.format]!(value)) {
      state.causes.push(typeInvalid(path, value, `${path} in body must be of type ${raw.format}: ${JSON.stringify(value)}`));
    }
  } else if (typeof value === 'number') {
    if (raw.multipleOf !== undefined && raw.multipleOf !== 0 && !Number.isInteger(value / raw.multipleOf)) {
      state.causes.push(invalid(path, value, `${path} in body should be a multiple of ${raw.multipleOf}`));
    }
    if (raw.maximum !== undefined && (raw.exclusiveMaximum ? value >= raw.maximum : value > raw.maximum)) {
      state.causes.push(invalid(path, value, `${path} in body should be less than ${raw.exclusiveMaximum ? '' : 'or equal to '}${raw.maximum}`));
    }
    if (raw.minimum !== undefined && (raw.exclusiveMinimum ? value <= raw.minimum : value < raw.minimum)) {
      state.causes.push(invalid(path, value, `${path} in body should be greater than ${raw.exclusiveMinimum ? '' : 'or equal to '}${raw.minimum}`));
    }
    if (raw.format === 'int32' && (value < INT32_MIN || value > INT32_MAX)) {
      // The apiserver stores it (CR formats are not range-checked) but a Go int32 field cannot decode it.
      state.warnings.push(`${path}: ${value} does not fit format int32; the controller cannot decode it`);
    }
  } else if (Array.isArray(value)) {
    if (raw.maxItems !== undefined && value.length > raw.maxItems) state.causes.push(tooMany(path, value.length, raw.maxItems));
    if (raw.minItems !== undefined && value.length < raw.minItems) {
      state.causes.push(invalid(path, value.length, `${path} in body should have at least ${raw.minItems} items`));
    }
    if (raw.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
      state.causes.push(invalid(path, value, `${path} in body shouldn't contain duplicates`));
    }
  }

  if (node.enumKeys && !node.enumKeys.has(enumKey(value))) state.causes.push(notSupported(path, value, node.enumValues ?? []));

  if (Array.isArray(value)) {
    const items = node.items;
    if (items) value.forEach((item, i) => check(item, items, `${path}[${i}]`, state));
    checkListType(value, node, path, state);
    return;
  }
  if (!isPlainObject(value)) return;
  const keys = Object.keys(value);
  if (raw.maxProperties !== undefined && keys.length > raw.maxProperties) state.causes.push(tooMany(path, keys.length, raw.maxProperties));
  if (raw.minProperties !== undefined && keys.length < raw.minProperties) {
    state.causes.push(invalid(path, keys.length, `${path} in body should have at least ${raw.minProperties} properties`));
  }
  for (const name of node.required) {
    if (!(name in value)) state.causes.push(required(child(path, name)));
  }
  const props = node.properties;
  const additional = node.additional;
  for (const key of keys) {
    const declared = props?.get(key);
    if (declared) check(value[key], declared, child(path, key), state);
    else if (additional && additional !== true) check(value[key], additional, `${path}[${key}]`, state);
  }
}

function checkMetadata(object: Record<string, unknown>, namespaced: boolean, causes: FieldCause[]): void {
  const metadata = object['metadata'];
  if (!isPlainObject(metadata)) {
    causes.push(required('metadata.name', 'name or generateName is required'));
    return;
  }
  const name = metadata['name'];
  if (name === undefined || name === '') {
    if (!metadata['generateName']) causes.push(required('metadata.name', 'name or generateName is required'));
  } else if (typeof name !== 'string') {
    causes.push(typeInvalid('metadata.name', jsonTypeName(name), `metadata.name in body must be of type string: ${JSON.stringify(jsonTypeName(name))}`));
  } else {
    if (name.length > 253) causes.push(invalid('metadata.name', name, 'must be no more than 253 characters'));
    if (!DNS1123_SUBDOMAIN.test(name)) causes.push(invalid('metadata.name', name, SUBDOMAIN_MSG));
  }
  const namespace = metadata['namespace'];
  if (namespaced && typeof namespace === 'string' && namespace !== '') {
    if (namespace.length > 63) causes.push(invalid('metadata.namespace', namespace, 'must be no more than 63 characters'));
    if (!DNS1123_LABEL.test(namespace)) causes.push(invalid('metadata.namespace', namespace, LABEL_MSG));
  }
}

/** CEL wants int64 for integers: convert only subtrees that can hold integers (cheap fast path). */
function toCel(value: unknown, node: SchemaNode | undefined): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && Number.isInteger(value) && (!node || node.type !== 'number')) return BigInt(value);
    return value;
  }
  if (node && !node.integersBelow) return value;
  if (Array.isArray(value)) return value.map((item) => toCel(item, node?.items));
  const out: Record<string, unknown> = {};
  const props = node?.properties;
  const additional = node?.additional;
  for (const key of Object.keys(value)) {
    // Undeclared keys only survive pruning under preserve-unknown or `additionalProperties: true`.
    const declared = props?.get(key) ?? (additional && additional !== true ? additional : undefined);
    out[key] = toCel((value as Record<string, unknown>)[key], declared);
  }
  return out;
}

function correlatedItem(oldList: unknown, item: unknown, node: SchemaNode): { value: unknown; found: boolean } {
  if (!Array.isArray(oldList)) return { value: undefined, found: false };
  const listType = node.raw['x-kubernetes-list-type'];
  if (listType === 'map' && isPlainObject(item)) {
    const keys = node.raw['x-kubernetes-list-map-keys'] ?? [];
    const match = oldList.find((o) => isPlainObject(o) && keys.every((k) => o[k] === item[k]));
    return { value: match, found: match !== undefined };
  }
  if (listType === 'set') {
    const key = JSON.stringify(item);
    const match = oldList.find((o) => JSON.stringify(o) === key);
    return { value: match, found: match !== undefined };
  }
  // Atomic lists do not correlate: transition rules below them are not evaluated.
  return { value: undefined, found: false };
}

/** Walks rule-bearing nodes: `self` and `oldSelf` already in CEL form (BigInt ints). */
function celWalk(value: unknown, node: SchemaNode, path: string, old: unknown, hasOld: boolean, causes: FieldCause[], ratchet = false): void {
  if (!node.rulesBelow || value === null || value === undefined) return;
  if (node.rules.length > 0) {
    const typeName = node.type ?? (node.intOrString ? 'int-or-string' : 'object');
    // Ratcheting: rules without oldSelf are not re-checked on a value that did not change.
    const unchanged = ratchet && hasOld && deepEqual(value, old);
    for (const rule of node.rules) {
      if (unchanged && !rule.usesOldSelf) continue;
      const cause = evaluateRule(rule, path || '<nil>', typeName, value, old, hasOld);
      if (cause) causes.push(cause);
    }
  }
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items || !items.rulesBelow) return;
    value.forEach((item, i) => {
      const o = hasOld ? correlatedItem(old, item, node) : { value: undefined, found: false };
      celWalk(item, items, `${path}[${i}]`, o.value, o.found, causes, ratchet);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  const oldObject = hasOld && isPlainObject(old) ? old : undefined;
  if (node.properties) {
    for (const [key, declared] of node.properties) {
      if (!declared.rulesBelow || !(key in value)) continue;
      const found = oldObject !== undefined && key in oldObject;
      celWalk(value[key], declared, child(path, key), found ? oldObject[key] : undefined, found, causes, ratchet);
    }
  }
  const additional = node.additional;
  if (additional && additional !== true && additional.rulesBelow) {
    for (const key of Object.keys(value)) {
      if (node.properties?.has(key)) continue;
      const found = oldObject !== undefined && key in oldObject;
      celWalk(value[key], additional, `${path}[${key}]`, found ? oldObject[key] : undefined, found, causes, ratchet);
    }
  }
}

/** Whether the value a cause is about is the same in the old object (ratcheting). */
function unchangedAt(cause: FieldCause, object: unknown, old: unknown): boolean {
  if (cause.field === '<nil>' || cause.field.startsWith('metadata.')) return false;
  const segments = splitFieldPath(cause.field);
  // A missing required field is "unchanged" when the object that should hold it is.
  const at = cause.type === 'FieldValueRequired' ? segments.slice(0, -1) : segments;
  return deepEqual(valueAt(object, at), valueAt(old, at));
}

/** Compile a validator for one served version of a CRD. Compile once, validate many. */
export function compileCrdValidator(crd: CrdDocument, version = 'v1alpha1'): ObjectValidator {
  const served = crd.spec.versions.find((v) => v.name === version);
  const schema = served?.schema?.openAPIV3Schema;
  if (!served || !schema) {
    const names = crd.spec.versions.map((v) => v.name).join(', ');
    throw new Error(`CRD ${crd.metadata.name} has no schema for version ${version} (versions: ${names || 'none'})`);
  }
  const root = compileSchema(schema);
  const namespaced = crd.spec.scope === 'Namespaced';
  const kind = crd.spec.names.kind;

  function validate(object: unknown, options: ValidateOptions = {}): ValidationResult {
    if (!isPlainObject(object)) {
      const actual = jsonTypeName(object);
      return {
        object: {},
        causes: [typeInvalid('<nil>', actual, `body must be of type object: ${JSON.stringify(actual)}`)],
        warnings: [],
        unknownFields: [],
      };
    }
    const prune: PruneState = { unknown: [] };
    const normalized = normalize(object, root, '', prune, true) as Record<string, unknown>;
    const state: CheckState = { causes: [], listCauses: [], warnings: [] };
    if (options.checkMetadata !== false) checkMetadata(normalized, namespaced, state.causes);
    check(normalized, root, '', state);
    // The stored object is already defaulted; normalizing again makes a raw one comparable.
    const old = isPlainObject(options.oldObject) ? (normalize(options.oldObject, root, '', { unknown: [] }, true) as Record<string, unknown>) : undefined;
    const ratchet = old !== undefined && options.ratcheting !== false;
    let causes = [...state.causes, ...state.listCauses];
    if (ratchet) causes = causes.filter((cause) => !unchangedAt(cause, normalized, old));
    if (root.rulesBelow) {
      if (causes.some((c) => c.type !== undefined && BLOCKING_TYPES.has(c.type))) {
        causes.push(celSkipped());
      } else {
        celWalk(toCel(normalized, root), root, '', old ? toCel(old, root) : undefined, old !== undefined, causes, ratchet);
      }
    }
    const mode = options.fieldValidation ?? 'Strict';
    const warnings = state.warnings;
    if (mode === 'Warn') for (const p of prune.unknown) warnings.push(`unknown field ${JSON.stringify(p)}`);
    return {
      object: normalized,
      causes: mode === 'Strict' ? [...prune.unknown.map(unknownField), ...causes] : causes,
      warnings,
      unknownFields: prune.unknown,
    };
  }

  return {
    group: crd.spec.group,
    version,
    apiVersion: `${crd.spec.group}/${version}`,
    kind,
    plural: crd.spec.names.plural,
    namespaced,
    crd,
    validate,
  };
}

/**
 * The message the apiserver answers (400 BadRequest) when fieldValidation=Strict meets
 * undeclared fields; it does so before any schema validation.
 */
export function strictDecodingMessage(kind: string, version: string, unknownFields: string[]): string {
  const list = unknownFields.map((p) => `unknown field ${JSON.stringify(p)}`).join(', ');
  return `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: strict decoding error: ${list}`;
}

/** The Status message of a 422: `SeiNodeTask.sei.io "x" is invalid: [a: ..., b: ...]`. */
export function invalidStatusMessage(kind: string, group: string, name: string, causes: FieldCause[]): string {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const body = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return `${kind}.${group} ${JSON.stringify(name)} is invalid: ${body}`;
}
