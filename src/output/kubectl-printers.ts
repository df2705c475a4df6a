/**
 * kubectl's template printers for `-o jsonpath=…|jsonpath-file=…|custom-columns=…|
 * custom-columns-file=…`, plus --sort-by, --show-labels and --no-headers, with kubectl's
 * meaning (k8s.io/client-go/util/jsonpath, k8s.io/cli-runtime/pkg/printers):
 * - jsonpath: a template of text and `{…}` expressions; `{range …}…{end}` iterates; several
 *   results of one expression print separated by a space; on a list the root is the v1 List,
 *   so `{.items[*].metadata.name}` names every task; `{"\n"}` is a literal.
 * - custom-columns: HEADER:.path pairs, comma-separated; a missing value prints `<none>`.
 * Paths are evaluated with jsonpath-plus (already a run-time dependency for --output-env).
 */
import { readFileSync } from 'node:fs';
import { JSONPath } from 'jsonpath-plus';
import { SeiError } from '../errors/sei-error.js';
import type { KubeObject } from '../cluster/types.js';
import { alignColumns } from './printers.js';

export type TemplateFormat = { kind: 'jsonpath'; template: string } | { kind: 'custom-columns'; columns: Array<{ header: string; path: string }> };

const TEMPLATE_PREFIXES = ['jsonpath=', 'jsonpath-file=', 'custom-columns=', 'custom-columns-file='] as const;

/** True for -o values this module prints. */
export function isTemplateOutput(output: string | undefined): boolean {
  return output !== undefined && TEMPLATE_PREFIXES.some((prefix) => output.startsWith(prefix));
}

function readTemplateFile(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw SeiError.invalid(`-o ${flag}=${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function parseColumns(spec: string, flag: string): Array<{ header: string; path: string }> {
  const columns = spec.split(',').map((pair) => pair.trim()).filter(Boolean).map((pair) => {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw SeiError.invalid(`-o ${flag}: "${pair}" is not HEADER:JSONPATH`, [], ['e.g. -o custom-columns=NAME:.metadata.name,PHASE:.status.phase']);
    return { header: pair.slice(0, colon), path: pair.slice(colon + 1) };
  });
  if (columns.length === 0) throw SeiError.invalid(`-o ${flag}: no columns`, [], ['e.g. -o custom-columns=NAME:.metadata.name,PHASE:.status.phase']);
  return columns;
}

/** `-o` value → what to print; throws (exit 2) for a malformed one. */
export function parseTemplateOutput(output: string): TemplateFormat {
  const eq = output.indexOf('=');
  const flag = output.slice(0, eq);
  const value = output.slice(eq + 1);
  switch (flag) {
    case 'jsonpath':
      return { kind: 'jsonpath', template: value };
    case 'jsonpath-file':
      return { kind: 'jsonpath', template: readTemplateFile(flag, value).replace(/\n$/, '') };
    case 'custom-columns':
      return { kind: 'custom-columns', columns: parseColumns(value, flag) };
    default: {
      // The file's first line holds the headers, the second the paths, whitespace-separated.
      const [headers = '', paths = ''] = readTemplateFile(flag, value).split('\n');
      const h = headers.trim().split(/\s+/);
      const p = paths.trim().split(/\s+/);
      if (h.length !== p.length || h[0] === '') throw SeiError.invalid(`-o custom-columns-file=${value}: line 1 needs one header per path on line 2 (${h.length} headers, ${p.length} paths)`);
      return { kind: 'custom-columns', columns: h.map((header, i) => ({ header, path: p[i]! })) };
    }
  }
}

type Segment = { type: 'text'; text: string } | { type: 'expr'; path: string } | { type: 'range'; path: string; body: Segment[] };

/** kubectl accepts `.a.b`, `{.a.b}` and `a.b`; jsonpath-plus wants `$.a.b`. */
function toJsonPathPlus(expression: string): string {
  const trimmed = expression.trim();
  if (trimmed === '' || trimmed === '.' || trimmed === '$') return '$';
  if (trimmed.startsWith('$')) return trimmed;
  if (trimmed.startsWith('..')) return `$${trimmed}`;
  if (trimmed.startsWith('.') || trimmed.startsWith('[')) return `$${trimmed}`;
  return `$.${trimmed}`;
}

function parseTemplate(template: string): Segment[] {
  const root: Segment[] = [];
  const stack: Segment[][] = [root];
  const ranges: Array<Extract<Segment, { type: 'range' }>> = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{', at);
    if (open < 0) {
      stack.at(-1)!.push({ type: 'text', text: template.slice(at) });
      break;
    }
    if (open > at) stack.at(-1)!.push({ type: 'text', text: template.slice(at, open) });
    // A quoted literal may hold braces: {"}"}.
    let close = -1;
    let quote: string | undefined;
    for (let i = open + 1; i < template.length; i += 1) {
      const char = template[i];
      if (quote) {
        if (char === '\\') i += 1;
        else if (char === quote) quote = undefined;
      } else if (char === '"' || char === "'") quote = char;
      else if (char === '}') {
        close = i;
        break;
      }
    }
    if (close < 0) throw SeiError.invalid(`-o jsonpath: unclosed action at column ${open + 1}: ${template.slice(open)}`, [], ['each { needs its }, e.g. {.metadata.name}']);
    const body = template.slice(open + 1, close).trim();
    if (/^".*"$/s.test(body)) {
      stack.at(-1)!.push({ type: 'text', text: JSON.parse(body) as string });
    } else if (body.startsWith('range ')) {
      const range = { type: 'range' as const, path: toJsonPathPlus(body.slice(6)), body: [] as Segment[] };
      stack.at(-1)!.push(range);
      ranges.push(range);
      stack.push(range.body);
    } else if (body === 'end') {
      if (!ranges.pop()) throw SeiError.invalid(`-o jsonpath: {end} at column ${open + 1} without a {range}`);
      stack.pop();
    } else {
      stack.at(-1)!.push({ type: 'expr', path: toJsonPathPlus(body) });
    }
    at = close + 1;
  }
  if (ranges.length > 0) throw SeiError.invalid('-o jsonpath: {range …} without its {end}');
  return root;
}

function evaluate(path: string, json: unknown): unknown[] {
  try {
    return JSONPath({ path, json: json as object, wrap: true }) as unknown[];
  } catch (error) {
    throw SeiError.invalid(`-o jsonpath: cannot evaluate ${path.replace(/^\$/, '')}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function execute(segments: readonly Segment[], json: unknown): string {
  return segments
    .map((segment) => {
      if (segment.type === 'text') return segment.text;
      const found = evaluate(segment.path, json);
      if (segment.type === 'expr') return found.map(text).join(' ');
      // range over an array value iterates its elements, as kubectl's does for `{range .items[*]}`.
      const items = found.length === 1 && Array.isArray(found[0]) ? (found[0] as unknown[]) : found;
      return items.map((item) => execute(segment.body, item)).join('');
    })
    .join('');
}

/** One jsonpath template over one object (single get) or a v1 List (several). */
export function printJsonPath(template: string, root: unknown): string {
  return execute(parseTemplate(template), root);
}

/** The first value at `path` in `object`, for custom-columns and --sort-by. */
export function valueAt(path: string, object: unknown): unknown {
  const normalized = path.trim().replace(/^\{(.*)\}$/s, '$1');
  return evaluate(toJsonPathPlus(normalized), object)[0];
}

export function printCustomColumns(columns: ReadonlyArray<{ header: string; path: string }>, objects: readonly KubeObject[], headers: boolean): string {
  const rows = objects.map((object) => columns.map(({ path }) => {
    const values = evaluate(toJsonPathPlus(path.replace(/^\{(.*)\}$/s, '$1')), object);
    return values.length === 0 || values.every((v) => v === undefined || v === null) ? '<none>' : values.map(text).join(',');
  }));
  return alignColumns(headers ? [columns.map((c) => c.header), ...rows] : rows);
}

/**
 * --sort-by: kubectl sorts by the value at a JSONPath, numbers as numbers, missing first, and
 * strings bytewise: kubectl 1.32 lists seinodetasks t-1, t-10, t-2 (test/e2e/fast-path.test.ts
 * compares with it), where the locale's collation would also fold case.
 */
export function sortObjects(objects: readonly KubeObject[], path: string): KubeObject[] {
  const keyed = objects.map((object) => ({ object, key: valueAt(path, object) }));
  return keyed
    .sort((a, b) => {
      if (a.key === undefined || a.key === null) return b.key === undefined || b.key === null ? 0 : -1;
      if (b.key === undefined || b.key === null) return 1;
      if (typeof a.key === 'number' && typeof b.key === 'number') return a.key - b.key;
      const [left, right] = [text(a.key), text(b.key)];
      return left < right ? -1 : left > right ? 1 : 0;
    })
    .map(({ object }) => object);
}

/** -o yaml|json without metadata.managedFields, as kubectl ≥ 1.21 prints unless --show-managed-fields. */
export function withoutManagedFields(object: KubeObject): KubeObject {
  if (!object.metadata.managedFields) return object;
  const { managedFields: _managedFields, ...metadata } = object.metadata;
  return { ...object, metadata };
}
