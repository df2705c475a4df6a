/**
 * Printers for SeiNodeTasks on stdout, kubectl-style: plain aligned columns (no borders) for
 * table/wide, YAML, JSON (a List for several objects), name, and NDJSON (one object per line,
 * streamable). Returns strings; writing to stdout is the caller's job. Never prints anything
 * but the objects (stdout is data).
 */
import { toSafeYaml } from '../domain/yaml.js';
import type { KubeObject } from '../cluster/types.js';
import { humanDuration } from './human-duration.js';
import * as view from './task-view.js';

export const OUTPUT_FORMATS = ['table', 'wide', 'yaml', 'json', 'name', 'ndjson'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Formats whose failure must end stderr with a metav1.Status line. */
export function isMachineFormat(format: string | undefined): boolean {
  return format === 'json' || format === 'yaml' || format === 'ndjson' || format === 'name';
}

/** kubectl's tabwriter layout: columns padded to the widest cell plus three spaces. */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  const cellWidths = rows.map((row) => row.map((cell, i) => {
    const width = codePoints(cell);
    if (width > (widths[i] ?? 0)) widths[i] = width;
    return width;
  }));
  return rows
    .map((row, r) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - cellWidths[r]![i]! + 3))).join('').trimEnd())
    .join('\n') + '\n';
}

const HIGH_SURROGATE = /[\ud800-\udbff]/;

/**
 * A cell's width as kubectl's tabwriter counts it: code points (Go runes), a surrogate pair once.
 * Most cells have no surrogate and are their length; spreading every cell into an array was most
 * of printing a long list, so only the rare cell with one is iterated by code point.
 */
function codePoints(text: string): number {
  if (!HIGH_SURROGATE.test(text)) return text.length;
  let count = 0;
  for (const _codePoint of text) count++;
  return count;
}

export interface TableOptions {
  wide?: boolean;
  allNamespaces?: boolean;
  now?: number;
  /** --no-headers */
  noHeaders?: boolean;
  /** --show-labels: a LABELS column last. */
  showLabels?: boolean;
}

export function taskTable(objects: readonly KubeObject[], options: TableOptions = {}): string {
  const header = ['NAME', 'KIND', 'NODE', 'PHASE', 'REASON', 'AGE'];
  if (options.wide) header.push('TASK-ID', 'GEN', 'OBSERVED', 'MESSAGE');
  if (options.allNamespaces) header.unshift('NAMESPACE');
  const rows = objects.map((object) => {
    const age = view.ageMs(object, options.now);
    const row = [object.metadata.name ?? '', view.taskKind(object), view.targetNode(object), view.phase(object), view.reason(object) || '<none>', age === undefined ? '<unknown>' : humanDuration(age)];
    if (options.wide) {
      const observed = view.status(object)['observedGeneration'];
      row.push(view.taskId(object) || '<none>', String(object.metadata.generation ?? ''), observed === undefined ? '<none>' : String(observed), oneLine(view.message(object)) || '<none>');
    }
    if (options.allNamespaces) row.unshift(object.metadata.namespace ?? '');
    return row;
  });
  return tableText(header, rows, objects, options);
}

/** One table's text with kubectl get's --show-labels (a LABELS column last) and --no-headers. */
export function tableText(header: readonly string[], rows: readonly (readonly string[])[], objects: readonly KubeObject[], options: TableOptions): string {
  const labelled = options.showLabels ? rows.map((row, i) => [...row, objects[i] ? labelsText(objects[i]) : '<none>']) : rows;
  const head = options.showLabels ? [...header, 'LABELS'] : header;
  return alignColumns(options.noHeaders ? labelled : [head, ...labelled]);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

export function resourceName(object: KubeObject): string {
  const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
  return `${object.kind.toLowerCase()}${group}/${object.metadata.name ?? ''}`;
}

/** Everything but table/wide. A single object prints bare; several print as a v1 List, as kubectl does. */
export function formatObjects(
  objects: readonly KubeObject[],
  format: OutputFormat,
  options: TableOptions & { single?: boolean; table?: (objects: readonly KubeObject[], options: TableOptions) => string } = {},
): string {
  switch (format) {
    case 'table':
    case 'wide':
      return objects.length === 0 ? '' : (options.table ?? taskTable)(objects, { ...options, wide: format === 'wide' });
    case 'name':
      return objects.map((o) => `${resourceName(o)}\n`).join('');
    case 'ndjson':
      return objects.map((o) => `${JSON.stringify(o)}\n`).join('');
    case 'json':
      return `${JSON.stringify(options.single && objects.length === 1 ? objects[0] : asList(objects), null, 2)}\n`;
    case 'yaml':
      return toSafeYaml(options.single && objects.length === 1 ? objects[0] : asList(objects));
  }
}

function asList(objects: readonly KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: objects };
}

function labelsText(object: KubeObject): string {
  const labels = object.metadata.labels ?? {};
  const pairs = Object.keys(labels).sort().map((key) => `${key}=${labels[key]}`);
  return pairs.length > 0 ? pairs.join(',') : '<none>';
}
