/**
 * Server-side apply and managedFields, as the apiserver's structured-merge-diff does them for the
 * shapes kubectl-sei uses: maps merge field by field, lists are atomic, every leaf has owners.
 * A field another manager owns with a different value is a conflict unless forced. Pure
 * functions over plain objects; must not know about HTTP, the store or admission.
 */
import { Errors, type StatusCause } from './status.js';

type Json = unknown;
type Obj = Record<string, Json>;
export type FieldPath = string[];

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Obj;
  subresource?: string;
  [key: string]: unknown;
}

/** Which part of an object a write may own: the main resource or its status subresource. */
export type Scope = 'main' | 'status';

const isObj = (v: Json): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const METADATA_OWNED = new Set(['labels', 'annotations', 'ownerReferences', 'finalizers']);
const TOP_IGNORED = new Set(['apiVersion', 'kind']);

/** Canonical JSON for value comparison, independent of key order. */
export function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

const key = (p: FieldPath) => p.join('\u0000');

function walk(value: Json, prefix: FieldPath, out: Map<string, FieldPath>): void {
  if (isObj(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) walk(v, [...prefix, k], out);
  } else {
    out.set(key(prefix), prefix);
  }
}

/** The leaf fields of an object that a write in `scope` owns. */
export function leafPaths(object: Obj, scope: Scope): Map<string, FieldPath> {
  const out = new Map<string, FieldPath>();
  for (const [top, v] of Object.entries(object)) {
    if (TOP_IGNORED.has(top)) continue;
    if (scope === 'status' ? top !== 'status' : top === 'status') continue;
    if (top === 'metadata') {
      if (!isObj(v)) continue;
      for (const [mk, mv] of Object.entries(v)) if (METADATA_OWNED.has(mk)) walk(mv, ['metadata', mk], out);
      continue;
    }
    walk(v, [top], out);
  }
  return out;
}

export function valueAt(object: Json, path: FieldPath): Json {
  let cur = object;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function deleteAt(object: Obj, path: FieldPath): void {
  const parents: Obj[] = [];
  let cur: Json = object;
  for (const p of path.slice(0, -1)) {
    if (!isObj(cur)) return;
    parents.push(cur);
    cur = cur[p];
  }
  if (!isObj(cur)) return;
  delete cur[path[path.length - 1]!];
  // Prune maps the removal left empty, as SMD does for maps nobody owns any more.
  for (let i = path.length - 2; i >= 0; i--) {
    const holder = parents[i];
    const child = holder?.[path[i]!];
    if (isObj(child) && Object.keys(child).length === 0 && i > 0) delete holder![path[i]!];
    else break;
  }
}

export function toFieldsV1(paths: Iterable<FieldPath>): Obj {
  const root: Obj = {};
  for (const p of paths) {
    let cur = root;
    for (const seg of p) {
      const k = `f:${seg}`;
      if (!isObj(cur[k])) cur[k] = {};
      cur = cur[k] as Obj;
    }
  }
  return root;
}

export function fromFieldsV1(fields: Obj | undefined): Map<string, FieldPath> {
  const out = new Map<string, FieldPath>();
  const visit = (node: Obj, prefix: FieldPath) => {
    const children = Object.keys(node).filter((k) => k.startsWith('f:'));
    if (children.length === 0 && prefix.length > 0) out.set(key(prefix), prefix);
    for (const k of children) visit((node[k] as Obj) ?? {}, [...prefix, k.slice(2)]);
  };
  if (fields) visit(fields, []);
  return out;
}

/** True when one path is the other or contains it. */
function overlaps(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function deepMerge(base: Json, patch: Json): Json {
  if (!isObj(base) || !isObj(patch)) return structuredClone(patch);
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = k in base ? deepMerge(base[k], v) : structuredClone(v);
  return out;
}

function entryScope(e: ManagedFieldsEntry): Scope {
  return e.subresource === 'status' ? 'status' : 'main';
}

function describe(e: ManagedFieldsEntry): string {
  return `"${e.manager}"${e.subresource ? ` with subresource "${e.subresource}"` : ''} using ${e.apiVersion}`;
}

// structured-merge-diff prints field names unescaped: `.metadata.labels.sei.io/node`.
function formatPath(p: FieldPath): string {
  return p.map((s) => `.${s}`).join('');
}

export interface ApplyInput {
  live: Obj | undefined;
  config: Obj;
  manager: string;
  force: boolean;
  apiVersion: string;
  scope: Scope;
  now: string;
}

/**
 * Merges an apply configuration into the live object. Returns the merged object with its new
 * managedFields, or throws the apiserver's 409 Conflict Status listing every conflicting field.
 */
export function serverSideApply(input: ApplyInput): Obj {
  const { live, config, manager, force, apiVersion, scope, now } = input;
  const liveObj: Obj = live ? structuredClone(live) : {};
  const meta = (isObj(liveObj.metadata) ? liveObj.metadata : {}) as Obj;
  const entries = ((meta.managedFields as ManagedFieldsEntry[] | undefined) ?? []).map((e) => ({ ...e, paths: fromFieldsV1(e.fieldsV1) }));
  const applied = leafPaths(config, scope);
  const subresource = scope === 'status' ? 'status' : undefined;
  const isMine = (e: ManagedFieldsEntry) => e.manager === manager && e.operation === 'Apply' && (e.subresource ?? undefined) === subresource;

  const conflicts: Array<{ entry: ManagedFieldsEntry; path: FieldPath }> = [];
  for (const e of entries) {
    if (isMine(e) || entryScope(e) !== scope) continue;
    for (const owned of e.paths.values()) {
      for (const p of applied.values()) {
        if (!overlaps(owned, p)) continue;
        const path = owned.length >= p.length ? owned : p;
        if (canonical(valueAt(liveObj, path)) !== canonical(valueAt(config, path))) {
          conflicts.push({ entry: e, path: owned });
          break;
        }
      }
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  if (force) {
    for (const e of entries) {
      if (isMine(e)) continue;
      for (const [k, owned] of e.paths) if ([...applied.values()].some((p) => overlaps(owned, p))) e.paths.delete(k);
    }
  }

  // Fields this manager applied before and no longer applies go away unless someone else owns them.
  let merged: Obj = liveObj;
  const previous = entries.find(isMine);
  if (previous) {
    for (const [k, p] of previous.paths) {
      if (applied.has(k)) continue;
      const ownedElsewhere = entries.some((e) => e !== previous && [...e.paths.values()].some((o) => overlaps(o, p)));
      if (!ownedElsewhere) deleteAt(merged, p);
    }
  }
  merged = deepMerge(merged, stripForMerge(config, scope)) as Obj;

  const fieldsV1 = toFieldsV1(applied.values());
  // An apply that changes nothing is not a write: keep the entry (and its time) as it was, so
  // the object, its resourceVersion and watchers see no change (as the apiserver).
  const withoutManaged = (o: Obj) => canonical({ ...o, metadata: { ...((o.metadata as Obj | undefined) ?? {}), managedFields: undefined } });
  const unchanged =
    previous !== undefined &&
    previous.apiVersion === apiVersion &&
    canonical(previous.fieldsV1) === canonical(fieldsV1) &&
    !force &&
    live !== undefined &&
    withoutManaged(merged) === withoutManaged(live);
  const mine: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    time: unchanged ? previous.time : now,
    fieldsType: 'FieldsV1',
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  };
  // Entries keep their places; a new one goes last.
  const managedFields = entries
    .map((e) => (isMine(e) ? mine : finish(e)))
    .concat(previous ? [] : [mine])
    .filter((e) => Object.keys(e.fieldsV1).length > 0);
  const mergedMeta = (isObj(merged.metadata) ? merged.metadata : {}) as Obj;
  merged.metadata = { ...mergedMeta, managedFields };
  return merged;
}

/** The parts of an apply configuration that merge into the object in this scope. */
function stripForMerge(config: Obj, scope: Scope): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(config)) {
    if (scope === 'status' ? k === 'status' || k === 'metadata' : k !== 'status') out[k] = v;
  }
  if (isObj(out.metadata)) {
    const m: Obj = {};
    for (const [k, v] of Object.entries(out.metadata)) if (METADATA_OWNED.has(k) || k === 'name' || k === 'namespace') m[k] = v;
    out.metadata = m;
  }
  if (scope === 'status' && isObj(out.metadata)) out.metadata = {};
  return out;
}

function finish(e: ManagedFieldsEntry & { paths: Map<string, FieldPath> }): ManagedFieldsEntry {
  const { paths, ...rest } = e;
  return { ...rest, fieldsV1: toFieldsV1(paths.values()) };
}

function conflictError(unsorted: Array<{ entry: ManagedFieldsEntry; path: FieldPath }>) {
  // structured-merge-diff reports conflicts sorted by manager, then by field path.
  const conflicts = [...unsorted].sort((a, b) => describe(a.entry).localeCompare(describe(b.entry)) || formatPath(a.path).localeCompare(formatPath(b.path)));
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describe(c.entry)}`,
    field: formatPath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describe(conflicts[0]!.entry)}: ${formatPath(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const d = describe(c.entry);
      byManager.set(d, [...(byManager.get(d) ?? []), formatPath(c.path)]);
    }
    const parts = [...byManager].map(([d, fields]) =>
      fields.length === 1 ? `conflict with ${d}: ${fields[0]}` : `conflicts with ${d}:\n${fields.map((f) => `- ${f}`).join('\n')}`,
    );
    message = `Apply failed with ${conflicts.length} conflicts: ${parts.join('\n')}`;
  }
  return Errors.applyConflict(message, causes);
}

/**
 * Records a non-apply write (create, update, patch): the writer takes every field it changed or
 * added, and fields that no longer exist leave every manager's set. Never conflicts.
 */
export function recordUpdate(old: Obj | undefined, next: Obj, manager: string, apiVersion: string, scope: Scope, now: string): ManagedFieldsEntry[] {
  const meta = (isObj(next.metadata) ? next.metadata : {}) as Obj;
  const entries = ((meta.managedFields as ManagedFieldsEntry[] | undefined) ?? []).map((e) => ({ ...e, paths: fromFieldsV1(e.fieldsV1) }));
  const nextPaths = leafPaths(next, scope);
  const oldPaths = old ? leafPaths(old, scope) : new Map<string, FieldPath>();
  const changed = [...nextPaths].filter(([k, p]) => !oldPaths.has(k) || canonical(valueAt(old, p)) !== canonical(valueAt(next, p)));
  const subresource = scope === 'status' ? 'status' : undefined;
  for (const e of entries) {
    if (entryScope(e) !== scope) continue;
    for (const [k, p] of e.paths) {
      const stillThere = [...nextPaths.values()].some((n) => overlaps(n, p));
      const takenOver = changed.some(([, c]) => overlaps(c, p)) && !(e.manager === manager && e.operation === 'Update');
      if (!stillThere || takenOver) e.paths.delete(k);
    }
  }
  let mine = entries.find((e) => e.manager === manager && e.operation === 'Update' && (e.subresource ?? undefined) === subresource);
  if (!mine && changed.length > 0) {
    mine = { manager, operation: 'Update', apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: {}, ...(subresource ? { subresource } : {}), paths: new Map() };
    entries.push(mine);
  }
  if (mine && changed.length > 0) {
    for (const [k, p] of changed) mine.paths.set(k, p);
    mine.time = now;
    mine.apiVersion = apiVersion;
  }
  return entries.map(finish).filter((e) => Object.keys(e.fieldsV1).length > 0);
}
