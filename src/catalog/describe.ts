/**
 * What `kubectl sei kinds` shows: each kind with its parameters, default timeout and outputs,
 * and (with --from-cluster) whether the SeiNodeTask CRD the cluster serves accepts it. Pure:
 * the served CRD is passed in; printing is the caller's job.
 */
import type { KubeObject } from '../cluster/types.js';
import type { ApiFlavor, Catalog, KindSpec } from './types.js';
import { asRecord } from '../domain/seinodetask.js';

export interface KindRow {
  name: string;
  kind: string;
  apis: string[];
  description: string;
  defaultTimeoutSeconds?: number;
  params: Array<{ name: string; type: string; required: boolean; default?: unknown; enum?: string[]; late?: boolean; description: string }>;
  /** Each output with the controller versions that publish it (seed = 204c1c0, latest = 2d670ad). */
  outputs: Array<{ name: string; jsonPath: string; publishedBy: string[] }>;
  preflight: string[];
  broadcasts: boolean;
  template: string;
  /** What the kind renders: SeiNodeTask, or SeiNodeTaskWorkflow for workflow kinds. */
  resource: string;
  /** Only with --from-cluster: does the served CRD's spec.kind enum contain this kind? */
  served?: boolean;
  /** Only with --from-cluster: the controller version the cluster runs, and what it publishes. */
  controllerVersion?: string;
  publishedOutputs?: string[];
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json => asRecord(value);

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

export function describeKind(spec: KindSpec, served?: Set<string>, version?: ApiFlavor): KindRow {
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
    ...(version ? { controllerVersion: version, publishedOutputs: spec.outputs.filter((o) => o.publishedBy.includes(version)).map((o) => o.name) } : {}),
  };
}

export function describeKinds(catalog: Catalog, served?: Set<string>, version?: ApiFlavor): KindRow[] {
  return catalog.kinds().map((spec) => describeKind(spec, served, version));
}

/** `txHash(latest)`, `appliedImage`, `observedValue(none)`: who publishes each output. */
function outputCell(output: KindRow['outputs'][number]): string {
  if (output.publishedBy.length === 2) return output.name;
  return `${output.name}(${output.publishedBy.length === 0 ? 'none' : output.publishedBy.join(',')})`;
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
      row.outputs.map(outputCell).join(',') || '-',
    ]),
  ];
}
