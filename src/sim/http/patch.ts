/**
 * The non-apply patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902, through
 * fast-json-patch), and strategic merge patch, which the apiserver refuses for custom resources
 * and which the sim treats as a merge patch for the core kinds it serves (no list-merge keys
 * are needed for them here). Pure; must not know about HTTP or the store.
 */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { Errors, StatusError } from './status.js';

export const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw Errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const error = fastJsonPatch.validate(ops as Operation[], structuredClone(target));
  if (error) {
    throw unprocessable(`the server rejected our request due to an error in our request: ${error.message.split('\n')[0]}`);
  }
  try {
    return fastJsonPatch.applyPatch(structuredClone(target), ops as Operation[], true, false).newDocument;
  } catch (e) {
    throw unprocessable(e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e));
  }
}

function unprocessable(message: string): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Invalid', code: 422 });
}

/**
 * A strategic merge patch read as a merge patch: its directives ($patch, $retainKeys,
 * $setElementOrder/…, $deleteFromPrimitiveList/…) are dropped instead of being stored as fields.
 * Enough for the core kinds the sim serves, none of which kubectl-sei patches by list key.
 */
export function strategicAsMerge(patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map(strategicAsMerge);
  if (!isObj(patch)) return patch;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) if (!k.startsWith('$')) out[k] = strategicAsMerge(v);
  return out;
}
