/**
 * Server-side printing: objects as a meta.k8s.io/v1 Table, which is what `kubectl get` asks for.
 * Columns come from a CRD's additionalPrinterColumns, or from the apiserver's built-in printers
 * for the few core kinds the sim serves. Pure; must not know about HTTP or the store.
 */
import type { ResourceInfo, PrinterColumn } from '../resources.js';
import type { KubeObject } from '../types.js';

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A small JSONPath subset: `.a.b`, `.a[0]`, `.a[?(@.type=="Ready")].status`. */
export function jsonPathValue(object: unknown, path: string): unknown {
  const tokens = path.replace(/^\{|\}$/g, '').match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let current: unknown[] = [object];
  for (const t of tokens) {
    const next: unknown[] = [];
    for (const c of current) {
      if (t.startsWith('.')) {
        if (c && typeof c === 'object' && !Array.isArray(c)) next.push((c as Record<string, unknown>)[t.slice(1)]);
      } else if (Array.isArray(c)) {
        const inner = t.slice(1, -1);
        const filter = /^\?\(@\.([\w.]+)\s*==\s*["']?([^"')]*)["']?\)$/.exec(inner);
        if (filter) {
          for (const item of c) if (String(jsonPathValue(item, `.${filter[1]}`)) === filter[2]) next.push(item);
        } else if (inner === '*') next.push(...c);
        else if (/^-?\d+$/.test(inner)) next.push(c.at(Number(inner)));
      }
    }
    current = next.filter((v) => v !== undefined);
  }
  return current.length === 0 ? undefined : current.length === 1 ? current[0] : current;
}

/** k8s.io/apimachinery duration.HumanDuration: how the apiserver prints ages in tables. */
export function humanDuration(ms: number): string {
  if (ms < -1000) return '<invalid>';
  if (ms < 0) return '0s';
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

export function age(timestamp: unknown, now = Date.now()): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

function cell(value: unknown, type: string): unknown {
  if (type === 'date') return value === undefined || value === null ? '<unknown>' : age(value);
  if (value === undefined || value === null) return type === 'integer' || type === 'number' ? null : '';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

const nameColumn: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};
const ageColumn: ColumnDefinition = {
  name: 'Age',
  type: 'date',
  format: '',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
};

type Printer = { columns: ColumnDefinition[]; cells: (o: KubeObject) => unknown[] };

function col(name: string, type = 'string', priority = 0, description = ''): ColumnDefinition {
  return { name, type, format: '', description, priority };
}

function podCells(o: KubeObject): unknown[] {
  const status = (o.status ?? {}) as { phase?: string; containerStatuses?: Array<{ ready?: boolean; restartCount?: number }>; podIP?: string };
  const spec = (o.spec ?? {}) as { containers?: unknown[]; nodeName?: string };
  const total = spec.containers?.length ?? status.containerStatuses?.length ?? 0;
  const ready = (status.containerStatuses ?? []).filter((c) => c.ready).length;
  const restarts = (status.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const phase = o.metadata.deletionTimestamp ? 'Terminating' : status.phase ?? 'Pending';
  return [o.metadata.name, `${ready}/${total}`, phase, restarts, age(o.metadata.creationTimestamp), status.podIP ?? '<none>', spec.nodeName ?? '<none>'];
}

const BUILTIN: Record<string, Printer> = {
  pods: {
    columns: [nameColumn, col('Ready'), col('Status'), col('Restarts', 'string'), ageColumn, col('IP', 'string', 1), col('Node', 'string', 1)],
    cells: podCells,
  },
  namespaces: {
    columns: [nameColumn, col('Status'), ageColumn],
    cells: (o) => [o.metadata.name, (o.status as { phase?: string } | undefined)?.phase ?? 'Active', age(o.metadata.creationTimestamp)],
  },
  configmaps: {
    columns: [nameColumn, col('Data', 'integer'), ageColumn],
    cells: (o) => [o.metadata.name, Object.keys((o.data as object | undefined) ?? {}).length + Object.keys((o.binaryData as object | undefined) ?? {}).length, age(o.metadata.creationTimestamp)],
  },
  events: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
    cells: (o) => {
      const io = (o.involvedObject ?? {}) as { kind?: string; name?: string };
      return [age(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp), o.type ?? '', o.reason ?? '', `${(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, o.message ?? ''];
    },
  },
  customresourcedefinitions: {
    columns: [nameColumn, { ...col('Created At', 'date'), description: 'CreationTimestamp' }],
    cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
  },
};

function crPrinter(columns: PrinterColumn[] | undefined): Printer {
  if (!columns || columns.length === 0) return { columns: [nameColumn, ageColumn], cells: (o) => [o.metadata.name, age(o.metadata.creationTimestamp)] };
  return {
    columns: [
      nameColumn,
      ...columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
    ],
    cells: (o) => [o.metadata.name, ...columns.map((c) => cell(jsonPathValue(o, c.jsonPath), c.type))],
  };
}

function printerFor(info: ResourceInfo): Printer {
  return info.custom ? crPrinter(info.printerColumns) : BUILTIN[info.plural] ?? crPrinter(undefined);
}

function rowObject(o: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(
  info: ResourceInfo,
  objects: KubeObject[],
  options: { include: IncludeObject; resourceVersion?: string; continueToken?: string; noHeaders?: boolean },
): Record<string, unknown> {
  const printer = printerFor(info);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.continueToken ? { continue: options.continueToken } : {}),
    },
    columnDefinitions: options.noHeaders ? null : printer.columns,
    rows: objects.map((o) => ({ cells: printer.cells(o), object: rowObject(o, options.include) })),
  };
}
