import type { KubeObject } from './types.js';

/**
 * The order a real API server lists objects in: etcd's key order, bytewise over
 * `<namespace>/<name>` (keys are /registry/<group>/<resource>/<namespace>/<name>). Also cheaper
 * than localeCompare, whose first call sets up an ICU collator (several ms of a `get`).
 */
export function byStorageKey(a: KubeObject, b: KubeObject): number {
  const left = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const right = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return left < right ? -1 : left > right ? 1 : 0;
}
