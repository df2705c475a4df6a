/**
 * /openapi/v3 for the served CRDs, enough for `kubectl explain` and kubectl's client-side
 * checks: an index of group-versions and one document per group-version whose schemas carry
 * x-kubernetes-group-version-kind. Built-in kinds get a minimal schema. Pure.
 */
import { createHash } from 'node:crypto';
import type { ResourceInfo, ResourceRegistry } from '../resources.js';

export type OpenApiProvider = (path: string) => Record<string, unknown> | undefined;

function reverseGroup(group: string): string {
  return group === '' ? 'io.k8s.api.core' : group.split('.').reverse().join('.');
}

export function schemaName(info: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): string {
  return `${reverseGroup(info.group)}.${info.version}.${info.kind}`;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function objectMetaSchema(): Record<string, unknown> {
  const str = { type: 'string' };
  return {
    description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
    type: 'object',
    properties: {
      name: { ...str, description: 'Name must be unique within a namespace.' },
      namespace: { ...str, description: 'Namespace defines the space within which each name must be unique.' },
      generateName: str,
      uid: str,
      resourceVersion: str,
      generation: { type: 'integer', format: 'int64' },
      creationTimestamp: { ...str, format: 'date-time' },
      deletionTimestamp: { ...str, format: 'date-time' },
      labels: { type: 'object', additionalProperties: { type: 'string', default: '' } },
      annotations: { type: 'object', additionalProperties: { type: 'string', default: '' } },
      ownerReferences: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      finalizers: { type: 'array', items: str },
      managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    },
  };
}

/**
 * kubectl unmarshals this document into Go structs: a description that is not a string (a YAML
 * slip such as `description: True, False or Unknown.` in a flow map) fails the whole document and
 * kubectl falls back to /openapi/v2. Such values are dropped here rather than breaking kubectl.
 */
function sanitize(node: unknown): void {
  if (Array.isArray(node)) node.forEach(sanitize);
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    for (const k of ['description', 'format', 'pattern', 'title']) if (k in o && typeof o[k] !== 'string') delete o[k];
    Object.values(o).forEach(sanitize);
  }
}

function resourceSchema(info: ResourceInfo): Record<string, unknown> {
  const gvk = [{ group: info.group, kind: info.kind, version: info.version }];
  const base = info.schema
    ? structuredClone(info.schema)
    : { type: 'object', description: `${info.kind} (served by the simulated cluster)`, 'x-kubernetes-preserve-unknown-fields': true, properties: {} };
  sanitize(base);
  const props = ((base.properties ??= {}) as Record<string, unknown>);
  props.metadata = { allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }], default: {}, description: "Standard object's metadata." };
  props.apiVersion ??= { type: 'string' };
  props.kind ??= { type: 'string' };
  return { ...base, 'x-kubernetes-group-version-kind': gvk };
}

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

/**
 * kubectl decides whether the server validates fields itself (fieldValidation) by looking for
 * that query parameter on the PATCH operation of the kind's path; without it kubectl falls back
 * to client-side validation through /openapi/v2.
 */
function resourcePaths(info: ResourceInfo): Record<string, unknown> {
  const prefix = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  const path = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.plural}/{name}` : `${prefix}/${info.plural}/{name}`;
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(info)}` };
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
  const op = (action: string, extra: Record<string, unknown> = {}) => ({
    operationId: `${action}${info.kind}`,
    responses: ok,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  const parameters = [
    { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
    ...(info.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }] : []),
  ];
  return {
    [path]: {
      get: op('get'),
      put: info.readOnly ? undefined : op('put', { parameters: QUERY_PARAMS.filter((p) => p.name !== 'force') }),
      patch: info.readOnly ? undefined : op('patch', { parameters: QUERY_PARAMS }),
      delete: info.readOnly ? undefined : op('delete'),
      parameters,
    },
  };
}

function groupVersionDoc(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const resources = registry.inGroupVersion(group, version);
  if (resources.length === 0) return undefined;
  const schemas: Record<string, unknown> = { [OBJECT_META]: objectMetaSchema() };
  for (const r of resources) {
    schemas[schemaName(r)] = resourceSchema(r);
    schemas[`${schemaName(r)}List`] = {
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        items: { type: 'array', items: { $ref: `#/components/schemas/${schemaName(r)}` } },
        metadata: { type: 'object' },
      },
      'x-kubernetes-group-version-kind': [{ group, kind: r.listKind, version }],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-sei-sim' },
    paths: Object.assign({}, ...resources.map(resourcePaths)),
    components: { schemas },
  };
}

export function createOpenApi(registry: ResourceRegistry): OpenApiProvider {
  const docs = new Map<string, Record<string, unknown>>();
  const gvs: Array<{ key: string; group: string; version: string }> = [{ key: 'api/v1', group: '', version: 'v1' }];
  for (const g of registry.groups()) for (const v of g.versions) gvs.push({ key: `apis/${g.group}/${v}`, group: g.group, version: v });
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of gvs) {
    const doc = groupVersionDoc(registry, gv.group, gv.version);
    if (!doc) continue;
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
    docs.set(gv.key, doc);
    paths[gv.key] = { serverRelativeURL: `/openapi/v3/${gv.key}?hash=${hash}` };
  }
  return (path) => {
    if (path === '/openapi/v3') return { paths };
    if (path.startsWith('/openapi/v3/')) return docs.get(path.slice('/openapi/v3/'.length));
    return undefined;
  };
}
