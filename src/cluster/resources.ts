/**
 * apiVersion + kind → URL path. The kinds kubectl-sei touches are known up front (no discovery
 * round trip for them: it would cost a request on every command); any other kind is looked up
 * once per client through discovery (/api/v1, /apis/<group>/<version>).
 * Must not: send anything but discovery GETs.
 */
import { SeiError } from '../errors/sei-error.js';
import { crdNotInstalled } from './errors.js';
import type { Transport } from './transport.js';

export interface ResourceInfo {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const WELL_KNOWN: ResourceInfo[] = [
  { group: 'sei.io', version: 'v1alpha1', plural: 'seinodetasks', kind: 'SeiNodeTask', namespaced: true },
  { group: 'sei.io', version: 'v1alpha1', plural: 'seinodes', kind: 'SeiNode', namespaced: true },
  { group: 'sei.io', version: 'v1alpha1', plural: 'seinodedeployments', kind: 'SeiNodeDeployment', namespaced: true },
  { group: 'sei.io', version: 'v1alpha1', plural: 'seinodetaskworkflows', kind: 'SeiNodeTaskWorkflow', namespaced: true },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true },
];

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function groupVersionPath(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
}

/** `seinodetasks.sei.io`, as the apiserver names resources in messages. */
export function qualifiedName(info: Pick<ResourceInfo, 'group' | 'plural'>): string {
  return info.group === '' ? info.plural : `${info.plural}.${info.group}`;
}

export function resourcePath(info: ResourceInfo, namespace: string | undefined, name?: string): string {
  const parts = [groupVersionPath(info)];
  if (info.namespaced && namespace) parts.push('namespaces', encodeURIComponent(namespace));
  parts.push(info.plural);
  if (name !== undefined) parts.push(encodeURIComponent(name));
  return parts.join('/');
}

export class ResourceResolver {
  private readonly discovered = new Map<string, Promise<ResourceInfo[]>>();

  constructor(private readonly transport: Transport) {}

  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const { group, version } = splitApiVersion(apiVersion);
    const known = WELL_KNOWN.find((info) => info.group === group && info.version === version && info.kind === kind);
    if (known) return known;
    const resources = await this.discover(group, version, kind);
    const found = resources.find((info) => info.kind === kind);
    if (!found) {
      throw crdNotInstalled({ server: this.transport.server, verb: 'get', what: `${kind} in ${apiVersion}`, group, kind });
    }
    return found;
  }

  private discover(group: string, version: string, kind: string): Promise<ResourceInfo[]> {
    const key = `${group}/${version}`;
    let pending = this.discovered.get(key);
    if (!pending) {
      pending = this.fetch(group, version, kind);
      this.discovered.set(key, pending);
      pending.catch(() => this.discovered.delete(key));
    }
    return pending;
  }

  private async fetch(group: string, version: string, kind: string): Promise<ResourceInfo[]> {
    const path = groupVersionPath({ group, version });
    const response = await this.transport.request({
      method: 'GET',
      path,
      accept: [404],
      context: { verb: 'get', what: `${kind} (${group === '' ? version : `${group}/${version}`})`, group, kind },
    });
    if (response.status === 404) return [];
    const list = response.body as { resources?: Array<{ name?: string; kind?: string; namespaced?: boolean }> } | undefined;
    if (!list || !Array.isArray(list.resources)) {
      throw SeiError.cluster('InternalError', `discovery at ${this.transport.server}${path} returned no resource list`);
    }
    return list.resources
      .filter((entry) => typeof entry.name === 'string' && !entry.name.includes('/') && typeof entry.kind === 'string')
      .map((entry) => ({ group, version, plural: entry.name as string, kind: entry.kind as string, namespaced: entry.namespaced === true }));
  }
}
