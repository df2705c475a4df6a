/**
 * What a sim starts with: the namespaces, an optional fleet of SeiNodes (full nodes node-0 … and
 * validators validator-0 …, each with a
 * static peer source and an image), and the objects of a seed file such as the output of
 * `kubectl get seinodes -o yaml` on a real cluster. Seeding writes through the store as a
 * system write (no admission) but drops the server-owned fields a real cluster printed.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject, SimStore } from './types.js';
import type { ResourceRegistry } from './resources.js';
import type { SchemaValidator } from './admission/admission.js';

export const FLEET_IMAGE = 'ghcr.io/sei-protocol/seid:v6.0.0';
export const FLEET_CHAIN = 'sei-sim';

/** A stable, fake Tendermint node id for a name (40 hex chars). */
function nodeId(name: string): string {
  let h = 2166136261;
  let out = '';
  for (let i = 0; out.length < 40; i++) {
    h ^= name.charCodeAt(i % name.length) + i;
    h = Math.imul(h, 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}

/**
 * The `--fleet` full nodes node-0 … and the `--validators` validator nodes validator-0 …, all on
 * one chain, each with a static peer source naming every other node of the fleet.
 */
export function fleetNodes(count: number, namespace: string, validators = 0): KubeObject[] {
  const members: Array<{ name: string; mode: 'fullNode' | 'validator' }> = [
    ...Array.from({ length: count }, (_, i) => ({ name: `node-${i}`, mode: 'fullNode' as const })),
    ...Array.from({ length: validators }, (_, i) => ({ name: `validator-${i}`, mode: 'validator' as const })),
  ];
  const names = members.map((m) => m.name);
  return members.map(({ name, mode }) => {
    const others = names.filter((n) => n !== name);
    const peers = (others.length > 0 ? others : [name]).map((n) => `${nodeId(n)}@${n}-0.${n}.${namespace}.svc.cluster.local:26656`);
    return {
      apiVersion: 'sei.io/v1alpha1',
      kind: 'SeiNode',
      metadata: { name, namespace, labels: { 'sei.io/chain-id': FLEET_CHAIN, 'sei.io/fleet': 'sim' } },
      spec: { chainId: FLEET_CHAIN, image: FLEET_IMAGE, [mode]: {}, peers: [{ static: { addresses: peers } }] },
    };
  });
}

export function ensureNamespace(store: SimStore, name: string): void {
  if (store.get('namespaces', undefined, name)) return;
  store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } } as KubeObject);
}

const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];

/** Parses a multi-document seed file; `List` documents (kubectl get -o yaml) are flattened. */
export function parseSeed(text: string, file: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const pos = e.linePos?.[0];
      throw new Error(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0] ?? ''}`);
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const o = value as KubeObject & { items?: KubeObject[] };
    if (typeof o !== 'object' || typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') {
      throw new Error(`${file}: every document needs apiVersion and kind`);
    }
    if (o.kind.endsWith('List') && Array.isArray(o.items)) {
      for (const item of o.items) out.push({ ...item, apiVersion: item.apiVersion ?? o.apiVersion });
    } else out.push(o);
  }
  return out;
}

/**
 * Refuses a seed the sim cannot serve before anything is written, and returns it as it will be
 * stored: server fields dropped, namespace defaulted, custom resources validated against the
 * served CRD (defaults applied, unknown fields pruned, as the apiserver would store them).
 */
export function prepareSeed(registry: ResourceRegistry, objects: KubeObject[], defaultNamespace: string, file: string, validator?: SchemaValidator): KubeObject[] {
  return objects.map((raw, i) => {
    const info = registry.byKind(raw.apiVersion, raw.kind);
    if (!info || info.readOnly) throw new Error(`${file}: ${raw.apiVersion} ${raw.kind} is not served by the simulated cluster (document ${i + 1})`);
    if (!raw.metadata?.name) throw new Error(`${file}: a ${raw.kind} without metadata.name (document ${i + 1})`);
    const o = structuredClone(raw);
    o.metadata = { ...o.metadata };
    for (const f of SERVER_FIELDS) delete o.metadata[f];
    if (info.namespaced) o.metadata.namespace ??= defaultNamespace;
    else delete o.metadata.namespace;
    if (!info.custom || !validator) return o;
    const status = o.status;
    const verdict = validator(info, o, undefined);
    if (verdict.causes.length > 0) {
      const causes = verdict.causes.map((c) => `${c.field}: ${c.message}`).join('; ');
      throw new Error(`${file}: ${raw.kind} "${raw.metadata.name}" (document ${i + 1}) is invalid: ${causes}`);
    }
    // The status a real cluster printed is kept as it was: the schema validates writes to spec.
    return status === undefined ? verdict.object : { ...verdict.object, status };
  });
}

/**
 * Creates seed objects (skipping ones that already exist, so a restarted sim with a state dir
 * keeps its own versions). Returns how many were created.
 */
export function applySeed(store: SimStore, registry: ResourceRegistry, objects: KubeObject[], defaultNamespace: string, file = 'seed'): number {
  let created = 0;
  for (const raw of objects) {
    const info = registry.byKind(raw.apiVersion, raw.kind);
    if (!info || info.readOnly) throw new Error(`${file}: ${raw.apiVersion} ${raw.kind} is not served by the simulated cluster`);
    const o = structuredClone(raw);
    o.metadata = { ...(o.metadata ?? {}) };
    for (const f of SERVER_FIELDS) delete o.metadata[f];
    if (!o.metadata.name) throw new Error(`${file}: a ${raw.kind} without metadata.name`);
    if (info.namespaced) {
      o.metadata.namespace ??= defaultNamespace;
      ensureNamespace(store, o.metadata.namespace);
    } else delete o.metadata.namespace;
    if (store.get(info.plural, o.metadata.namespace, o.metadata.name)) continue;
    // The seed's status is what the real cluster showed (kept); the sim's controller takes over from it.
    store.create(info.plural, o);
    created++;
  }
  return created;
}

export function loadSeedFile(file: string): KubeObject[] {
  return parseSeed(readFileSync(file, 'utf8'), file);
}
