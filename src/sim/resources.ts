/**
 * The resources the sim serves: built-in core/v1 kinds and one entry per served CRD version.
 * Everything the HTTP layer knows about a resource (scope, kind, short names, printer columns,
 * status subresource) comes from here; it must not hold objects or talk HTTP.
 */
import type { KubeObject, SimStore } from './types.js';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural resource name: the store key and the URL segment. */
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  hasStatus: boolean;
  /** True for custom resources: admission by the CRD schema, spec/status split, merge-only patches. */
  custom: boolean;
  /** Only the sim's own bootstrap may write (the CRDs it serves). */
  readOnly: boolean;
  /** How the apiserver treats this resource beyond its schema: naming, create, delete. */
  strategy: ResourceStrategy;
  printerColumns?: PrinterColumn[];
  /** The CRD's openAPIV3Schema for this version, when a custom resource. */
  schema?: Record<string, unknown>;
  crd?: KubeObject;
}

/**
 * The per-resource rules of the apiserver's registry strategies that the sim reproduces. The HTTP
 * layer asks the resource instead of branching on its plural; a new simulated resource states
 * its rules here.
 */
export interface ResourceStrategy {
  /** metadata.name rule: an RFC 1123 label (namespaces) or subdomain (everything else here). */
  naming: 'label' | 'subdomain';
  /** Server-set fields on create (a namespace is born Active, as its strategy sets it). */
  prepareForCreate?(object: KubeObject): void;
  /** What a DELETE answers: the deleted object, or a Success Status naming it. */
  deleteResponse: 'object' | 'status';
  /**
   * Most bytes data + binaryData may hold: 1 MiB for ConfigMaps (upstream
   * pkg/apis/core/validation/validation.go ValidateConfigMap, core.MaxSecretSize).
   */
  maxDataBytes?: number;
  /** Runs before the object is deleted: removes what goes with it (a namespace's contents). */
  cascade?(deleting: KubeObject, cluster: { store: SimStore; registry: ResourceRegistry }): void;
}

const DEFAULT_STRATEGY: ResourceStrategy = { naming: 'subdomain', deleteResponse: 'status' };
/** Custom resources answer a DELETE with the object (the CRD handler's behaviour). */
const CUSTOM_STRATEGY: ResourceStrategy = { naming: 'subdomain', deleteResponse: 'object' };

const NAMESPACE_STRATEGY: ResourceStrategy = {
  naming: 'label',
  deleteResponse: 'object',
  prepareForCreate(object) {
    object.status = { phase: 'Active' };
  },
  // The apiserver's namespace controller removes everything in a deleted namespace.
  cascade(namespace, { store, registry }) {
    const name = namespace.metadata.name;
    for (const other of registry.all) {
      if (!other.namespaced) continue;
      for (const o of store.list(other.plural, name)) store.delete(other.plural, name, o.metadata.name!);
    }
  },
};

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const READ_VERBS = ['get', 'list', 'watch'];

export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

function builtin(
  plural: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceInfo> = {},
): ResourceInfo {
  return {
    group: '',
    version: 'v1',
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    hasStatus: false,
    custom: false,
    readOnly: false,
    strategy: DEFAULT_STRATEGY,
    ...extra,
  };
}

export const CORE_RESOURCES: ResourceInfo[] = [
  builtin('namespaces', 'Namespace', false, { shortNames: ['ns'], hasStatus: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], strategy: NAMESPACE_STRATEGY }),
  // Pods answer a DELETE with the object (graceful deletion), unlike ConfigMaps and Events.
  builtin('pods', 'Pod', true, { shortNames: ['po'], categories: ['all'], hasStatus: true, strategy: { naming: 'subdomain', deleteResponse: 'object' } }),
  builtin('configmaps', 'ConfigMap', true, { shortNames: ['cm'], strategy: { ...DEFAULT_STRATEGY, maxDataBytes: 1024 * 1024 } }),
  builtin('events', 'Event', true, { shortNames: ['ev'] }),
];

export const CRD_RESOURCE: ResourceInfo = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  kind: 'CustomResourceDefinition',
  listKind: 'CustomResourceDefinitionList',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  verbs: READ_VERBS,
  hasStatus: true,
  custom: false,
  readOnly: true,
  strategy: CUSTOM_STRATEGY,
};

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: { status?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

/** One ResourceInfo per served version of a CRD object. */
export function resourcesFromCrd(crd: KubeObject): ResourceInfo[] {
  const spec = crd.spec as {
    group: string;
    scope: string;
    names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
    versions: CrdVersion[];
  };
  return spec.versions
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      namespaced: spec.scope === 'Namespaced',
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      verbs: ALL_VERBS,
      hasStatus: v.subresources?.status !== undefined,
      custom: true,
      readOnly: false,
      strategy: CUSTOM_STRATEGY,
      printerColumns: v.additionalPrinterColumns,
      schema: v.schema?.openAPIV3Schema,
      crd,
    }));
}

/** Lookup by (group, version, plural). */
export class ResourceRegistry {
  private readonly byKey = new Map<string, ResourceInfo>();
  constructor(readonly all: ResourceInfo[]) {
    for (const r of all) this.byKey.set(`${r.group}/${r.version}/${r.plural}`, r);
  }
  find(group: string, version: string, plural: string): ResourceInfo | undefined {
    return this.byKey.get(`${group}/${version}/${plural}`);
  }
  /** By kind and apiVersion, as a seed document names its type. */
  byKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    return this.all.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
  }
  groups(): Array<{ group: string; versions: string[] }> {
    const out = new Map<string, string[]>();
    for (const r of this.all) {
      if (r.group === '') continue;
      const vs = out.get(r.group) ?? [];
      if (!vs.includes(r.version)) vs.push(r.version);
      out.set(r.group, vs);
    }
    return [...out].map(([group, versions]) => ({ group, versions }));
  }
  inGroupVersion(group: string, version: string): ResourceInfo[] {
    return this.all.filter((r) => r.group === group && r.version === version);
  }
}
