/**
 * What `kubectl sei kinds` shows: each kind with its parameters, default timeout and outputs,
 * and (with --from-cluster) whether the SeiNodeTask CRD the cluster serves accepts it. Pure:
 * the served CRD is passed in; printing is the caller's job.
 */
import type { KubeObject } from '../cluster/types.js';
import type { Catalog, KindSpec } from './types.js';

export interface KindRow {
  name: string;
  kind: string;
  apis: string[];
  description: string;
  defaultTimeoutSeconds?: number;
  params: Array<{ name: string; type: string; required: boolean; default?: unknown; enum?: string[]; late?: boolean; description: string }>;
  outputs: Array<{ name: string; jsonPath: string }>;
  preflight: string[];
  broadcasts: boolean;
  template: string;
  /** What the kind renders: SeiNodeTask, or SeiNodeTaskWorkflow for workflow kinds. */
  resource: string;
  /** Only with --from-cluster: does the served CRD's spec.kind enum contain this kind? */
  served?: boolean;
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

/**
 * The spec.kind values the served CRD accepts: the union over served versions of the enum
 * (or, with no enum, the payload fields under spec, PascalCased).
 */
export function servedKinds(crd: KubeObject): Set<string> {
  const kinds = new Set<string>();
  const versions = record(crd['spec'])['versions'];
  for (const version of Array.isArray(versions) ? versions : []) {
    const entry = record(version);
    if (entry['served'] === false) continue;
    const spec = record(record(record(record(entry['schema'])['openAPIV3Schema'])['properties'])['spec']);
    const properties = record(spec['properties']);
    const kindEnum = record(properties['kind'])['enum'];
    if (Array.isArray(kindEnum)) for (const kind of kindEnum) kinds.add(String(kind));
    else for (const field of Object.keys(properties)) if (!['kind', 'target', 'timeoutSeconds'].includes(field)) kinds.add(field.charAt(0).toUpperCase() + field.slice(1));
  }
  return kinds;
}

export function describeKind(spec: KindSpec, served?: Set<string>): KindRow {
  return {
    name: spec.name,
    kind: spec.kind,
    apis: spec.apis,
    description: spec.description,
    ...(spec.defaultTimeoutSeconds !== undefined ? { defaultTimeoutSeconds: spec.defaultTimeoutSeconds } : {}),
    params: spec.params.map((param) => ({
      name: param.name,
      type: param.type,
      required: param.required,
      ...(param.default !== undefined ? { default: param.default } : {}),
      ...(param.enum ? { enum: param.enum } : {}),
      ...(param.late ? { late: true } : {}),
      description: param.description,
    })),
    outputs: spec.outputs,
    preflight: spec.preflight,
    broadcasts: spec.broadcasts,
    template: spec.templatePath,
    resource: spec.resource ?? 'SeiNodeTask',
    ...(served ? { served: served.has(spec.kind) } : {}),
  };
}

export function describeKinds(catalog: Catalog, served?: Set<string>): KindRow[] {
  return catalog.kinds().map((spec) => describeKind(spec, served));
}

/** Kinds the cluster serves that the catalog has no template for (shown, not hidden). */
export function unknownServedKinds(catalog: Catalog, served: Set<string>): string[] {
  return [...served].filter((kind) => !catalog.find(kind)).sort();
}

function paramCell(param: KindRow['params'][number]): string {
  const type = param.enum ? param.enum.join('|') : param.type;
  const suffix = param.late ? ' (late)' : param.default !== undefined ? `=${String(param.default)}` : '';
  return `${param.name}${param.required ? '' : '?'}:${type}${suffix}`;
}

/** COMMON params are listed once in the footer instead of on every row. */
export function kindsTableRows(rows: KindRow[], commonParams: string[]): string[][] {
  const served = rows.some((row) => row.served !== undefined);
  const header = ['NAME', 'KIND', 'API', ...(served ? ['SERVED'] : []), 'TIMEOUT', 'PARAMS', 'OUTPUTS'];
  return [
    header,
    ...rows.map((row) => [
      row.name,
      row.kind,
      row.apis.join(','),
      ...(served ? [row.served ? 'yes' : 'no'] : []),
      row.defaultTimeoutSeconds !== undefined ? `${row.defaultTimeoutSeconds}s` : '-',
      row.params.filter((param) => !commonParams.includes(param.name)).map(paramCell).join(' ') || '-',
      row.outputs.map((output) => output.name).join(',') || '-',
    ]),
  ];
}
