/**
 * Compiles a CRD's openAPIV3Schema into a tree of nodes with everything precomputed (regexes,
 * enum sets, parsed CEL programs, "has rules/defaults below" flags) so validating an object is
 * a single cheap walk. Compilation only: walking objects is crd-validator.ts's job.
 */
import type { JsonSchemaProps } from './crd-types.js';
import { compileRules, type CompiledRule } from './cel-rules.js';

export interface SchemaNode {
  readonly raw: JsonSchemaProps;
  readonly type: JsonSchemaProps['type'];
  readonly properties: Map<string, SchemaNode> | undefined;
  /** additionalProperties: a schema for map values, or `true` meaning anything goes. */
  readonly additional: SchemaNode | true | undefined;
  readonly items: SchemaNode | undefined;
  readonly preserveUnknown: boolean;
  readonly intOrString: boolean;
  readonly embedded: boolean;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly enumValues: unknown[] | undefined;
  readonly enumKeys: Set<string> | undefined;
  readonly pattern: RegExp | undefined;
  readonly required: string[];
  readonly rules: CompiledRule[];
  /** Any CEL rule at this node or below: lets the CEL walk skip rule-free subtrees. */
  readonly rulesBelow: boolean;
  /** Any default or nullable-pruning at this node's children or below. */
  readonly defaultsBelow: boolean;
  /** Any integer-typed node at or below: CEL needs int64 (BigInt) there. */
  readonly integersBelow: boolean;
}

export function enumKey(value: unknown): string {
  return typeof value === 'string' ? `s:${value}` : `j:${JSON.stringify(value)}`;
}

/** RE2 patterns are mostly valid JS; the `u` flag matches Go's code-point semantics. */
function compilePattern(source: string): RegExp {
  try {
    return new RegExp(source, 'u');
  } catch {
    return new RegExp(source);
  }
}

export function compileSchema(schema: JsonSchemaProps, path = ''): SchemaNode {
  const properties = schema.properties
    ? new Map(Object.entries(schema.properties).map(([name, child]) => [name, compileSchema(child, path ? `${path}.${name}` : name)]))
    : undefined;
  const additional =
    schema.additionalProperties === true
      ? true
      : schema.additionalProperties && typeof schema.additionalProperties === 'object'
        ? compileSchema(schema.additionalProperties, `${path}[*]`)
        : undefined;
  const items = schema.items ? compileSchema(schema.items, `${path}[*]`) : undefined;
  const rules = compileRules(schema['x-kubernetes-validations'] ?? [], path || '<root>');
  const children: SchemaNode[] = [...(properties?.values() ?? []), ...(additional && additional !== true ? [additional] : []), ...(items ? [items] : [])];
  return {
    raw: schema,
    type: schema.type,
    properties,
    additional,
    items,
    preserveUnknown: schema['x-kubernetes-preserve-unknown-fields'] === true,
    intOrString: schema['x-kubernetes-int-or-string'] === true,
    embedded: schema['x-kubernetes-embedded-resource'] === true,
    nullable: schema.nullable === true,
    hasDefault: 'default' in schema,
    defaultValue: schema.default,
    enumValues: schema.enum,
    enumKeys: schema.enum ? new Set(schema.enum.map(enumKey)) : undefined,
    pattern: schema.pattern !== undefined ? compilePattern(schema.pattern) : undefined,
    required: schema.required ?? [],
    rules,
    rulesBelow: rules.length > 0 || children.some((c) => c.rulesBelow),
    defaultsBelow: children.some((c) => c.hasDefault || !c.nullable || c.defaultsBelow),
    integersBelow: schema.type === 'integer' || schema['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-preserve-unknown-fields'] === true || children.some((c) => c.integersBelow),
  };
}
