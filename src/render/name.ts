/**
 * Default task names. Tasks are apply-once by name, so the name decides what a re-run does:
 * 'params' kinds get a short hash of (kind, node, params) — the same operation finds the same
 * task (attach or refuse), a different one gets a new name; 'time' kinds (restarts, peer
 * discovery: meant to be repeated) get a UTC timestamp and a random tag so each run is a new
 * task, even two runs started within the same second (by two operators, or a script loop).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { KindSpec } from '../catalog/types.js';

const MAX_NAME = 253;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}

export function paramsHash(kind: string, node: string, params: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(canonical({ kind, node, params }))).digest('hex').slice(0, 8);
}

/** 20261123t190501: sortable, DNS-1123 safe, second resolution. */
export function timeSuffix(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}t${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** 6 hex digits: two runs in the same second share a name with odds of one in 16 million. */
export function runTag(): string {
  return randomBytes(3).toString('hex');
}

/** `tag` makes a 'time' name reproducible (tests, goldens); by default it is random. */
export function defaultTaskName(spec: KindSpec, node: string, params: Record<string, unknown>, now: Date, tag: string = runTag()): string {
  const suffix = spec.nameSuffix === 'time' ? `${timeSuffix(now)}-${tag}` : paramsHash(spec.kind, node, params);
  const tail = `-${spec.name}-${suffix}`;
  return `${node.slice(0, MAX_NAME - tail.length).replace(/[-.]+$/, '')}${tail}`;
}
