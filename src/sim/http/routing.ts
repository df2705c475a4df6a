/**
 * URL → what is being asked: a discovery document, a sim endpoint, or a resource request with
 * its group, version, namespace, resource, name and subresource. Pure; an unknown path is a
 * 404 Status, as the apiserver's. Must not read objects.
 */
import { Errors } from './status.js';
import type { ResourceInfo, ResourceRegistry } from '../resources.js';

export interface ResourceRequest {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export type Route =
  | { kind: 'discovery'; path: string }
  | { kind: 'sim'; path: string }
  | { kind: 'openapi'; path: string }
  | { kind: 'resource'; request: ResourceRequest }
  /** /api/v1/namespaces/NS/pods/NAME[:PORT]/proxy/PATH */
  | { kind: 'pod-proxy'; namespace: string; pod: string; port: string | undefined; path: string };

export function route(pathname: string, registry: ResourceRegistry): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path.startsWith('/sim/')) return { kind: 'sim', path };
  if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return { kind: 'openapi', path };
  if (path === '/version' || path === '/api' || path === '/apis' || path === '/healthz' || path === '/livez' || path === '/readyz') {
    return { kind: 'discovery', path };
  }
  const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length < 2) throw Errors.pathNotFound();
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length < 3) return { kind: 'discovery', path };
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else {
    throw Errors.pathNotFound();
  }
  if (rest.length === 0) return { kind: 'discovery', path };
  if (group === '' && version === 'v1' && rest[0] === 'namespaces' && rest[2] === 'pods' && rest[4] === 'proxy' && rest[1] && rest[3]) {
    const [pod, port] = rest[3].split(':');
    return { kind: 'pod-proxy', namespace: rest[1], pod: pod ?? '', port, path: rest.slice(5).join('/') };
  }

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && registry.find(group, version, rest[2]!)?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const info = registry.find(group, version, rest[0]!);
  if (!info || rest.length > 3) throw Errors.pathNotFound();
  if (namespace !== undefined && !info.namespaced) throw Errors.pathNotFound();
  const subresource = rest[2];
  if (subresource !== undefined && !(subresource === 'status' && info.hasStatus)) throw Errors.pathNotFound();
  return { kind: 'resource', request: { info, namespace, name: rest[1], subresource } };
}
