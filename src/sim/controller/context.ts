/**
 * What a reconciler of the simulated controller is given: the store, the clock, the CRD flavor
 * and a way to be called again later. Reconcilers are plain functions of this context and a key;
 * they never own timers or subscriptions (index.ts does).
 */
import type { CrdFlavor, SimStore } from '../types.js';

export interface ReconcileContext {
  store: SimStore;
  crd: CrdFlavor;
  /** The SeiNodeTask kinds the served CRD admits. */
  taskKinds: readonly string[];
  now(): number;
  /** Reconcile `key` again at (or soon after) `atMs`; the earliest request wins. */
  requeueAt(key: string, atMs: number): void;
  /** Precise in-memory timestamps (ms) that status fields only hold to the second. */
  memo: Map<string, number>;
}

export const nodeKey = (namespace: string, name: string): string => `seinodes/${namespace}/${name}`;
export const taskKey = (namespace: string, name: string): string => `seinodetasks/${namespace}/${name}`;

export function splitKey(key: string): { resource: string; namespace: string; name: string } {
  const [resource = '', namespace = '', ...rest] = key.split('/');
  return { resource, namespace, name: rest.join('/') };
}

export type Json = Record<string, unknown>;

export function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
