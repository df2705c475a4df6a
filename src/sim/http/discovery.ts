/**
 * Discovery documents (/version, /api, /apis, /api/v1, /apis/<group>/<version>) built from the
 * resource registry. Unaggregated (v1) discovery only: kubectl asks for the aggregated form
 * first and falls back when the answer's Content-Type is plain application/json.
 * Pure; must not know about objects.
 */
import { apiVersionOf, type ResourceRegistry, type ResourceInfo } from '../resources.js';

const SERVER_ADDRESS = [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }];

export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-sei-sim',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions(): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: SERVER_ADDRESS };
}

function groupDoc(group: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

export function groupList(registry: ResourceRegistry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry.groups().map(({ group, versions }) => groupDoc(group, versions)),
  };
}

export function group(registry: ResourceRegistry, name: string): Record<string, unknown> | undefined {
  const found = registry.groups().find((g) => g.group === name);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(found.group, found.versions) } : undefined;
}

function entries(r: ResourceInfo): Array<Record<string, unknown>> {
  const main = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length > 0 ? { categories: r.categories } : {}),
    storageVersionHash: Buffer.from(`${apiVersionOf(r)}/${r.kind}`).toString('base64').slice(0, 11),
  };
  const status = r.hasStatus
    ? [{ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: r.readOnly ? ['get'] : ['get', 'patch', 'update'] }]
    : [];
  return [main, ...status];
}

export function resourceList(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const rs = registry.inGroupVersion(group, version);
  if (rs.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: rs.flatMap(entries),
  };
}
