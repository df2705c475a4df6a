/**
 * Label selectors (equality- and set-based) and field selectors, parsed as the apiserver does.
 * Pure functions over objects; a malformed selector throws a StatusError 400 with the
 * apiserver's wording. Must not know about HTTP or the store.
 */
import { Errors } from '../http/status.js';
import type { KubeObject } from '../types.js';

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

export type Matcher = (object: KubeObject) => boolean;

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key)) throw Errors.badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw Errors.badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${selector}"`);
  }
  return value;
}

export function parseLabelSelector(selector: string | undefined): Matcher {
  if (!selector || selector.trim() === '') return () => true;
  const reqs: Requirement[] = splitTerms(selector).map((term) => {
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { key: checkKey(set[1]!, selector), op: set[2] as 'in' | 'notin', values: values.map((v) => checkValue(v, selector)) };
    }
    const eq = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (eq) {
      const key = checkKey(eq[1]!, selector);
      const value = checkValue(eq[3]!, selector);
      return { key, op: eq[2] === '!=' ? 'notin' : 'in', values: [value] };
    }
    const not = /^!\s*(\S+)$/.exec(term);
    if (not) return { key: checkKey(not[1]!, selector), op: '!exists' };
    if (/^\S+$/.test(term)) return { key: checkKey(term, selector), op: 'exists' };
    throw Errors.badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
  });
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      switch (r.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case 'in':
          return has && r.values.includes(labels[r.key]!);
        case 'notin':
          return !has || !r.values.includes(labels[r.key]!);
      }
    });
  };
}

/** Field labels each resource supports, beyond metadata.name and metadata.namespace. */
const EXTRA_FIELDS: Record<string, string[]> = {
  pods: ['status.phase', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.podIP', 'status.nominatedNodeName'],
  events: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  namespaces: ['status.phase'],
};

function fieldValue(object: KubeObject, path: string): string {
  let cur: unknown = object;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

export function parseFieldSelector(selector: string | undefined, resource: string, custom: boolean): Matcher {
  if (!selector || selector.trim() === '') return () => true;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(EXTRA_FIELDS[resource] ?? [])]);
  const reqs = splitTerms(selector).map((term) => {
    const m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw Errors.badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    if (!allowed.has(m[1]!)) {
      throw Errors.badRequest(
        custom
          ? `"${m[1]}" is not a known field selector: only "metadata.name", "metadata.namespace"`
          : `field label not supported: ${m[1]}`,
      );
    }
    return { path: m[1]!, negate: m[2] === '!=', value: m[3]! };
  });
  return (object) => reqs.every((r) => (fieldValue(object, r.path) === r.value) !== r.negate);
}
