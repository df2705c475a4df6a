/**
 * Reads manifests (file, directory or stdin) and parses multi-document YAML/JSON keeping source
 * positions, so every cause can name file:line:column. Positions are resolved lazily from the
 * retained YAML AST: valid documents never pay for them. It does not validate (see
 * validate-manifests.ts) and never writes anything.
 */
import { append } from '../domain/arrays.js';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parse as parseYaml, isMap, isSeq, isScalar, type Document, type Node as YamlNode } from 'yaml';
import { SeiError, type FieldCause } from '../errors/index.js';
import { splitFieldPath } from './field-path.js';
import { parseAllDocumentsBounded } from '../domain/yaml-depth.js';

export { splitFieldPath };

export interface SourcePosition {
  line: number;
  column: number;
}

export interface SourceDocument {
  file: string;
  /** 0-based index of the YAML document in its file. */
  index: number;
  /** For an item of a `kind: List` document, its index in `items`. */
  listIndex?: number;
  object: Record<string, unknown>;
  /** 1-based position of a field path (`spec.peers[0].static`); the nearest existing ancestor when absent. */
  positionOf(fieldPath: string): SourcePosition;
  /** Unquoted scalars that YAML 1.1 parsers (kubectl, ArgoCD, Flux) read differently. */
  yaml11Differences?(): Yaml11Difference[];
}

/** A plain scalar whose YAML 1.2 value (ours) differs from its YAML 1.1 value (kubectl's). */
export interface Yaml11Difference {
  field: string;
  source: string;
  yaml12: unknown;
  yaml11: unknown;
  position: SourcePosition;
}

export interface ManifestInput {
  /** Display name: the path, or `<stdin>`. */
  file: string;
  text: string;
}

// Bounds hostile input: alias expansion (billion laughs) and absurd nesting.
const MAX_ALIAS_COUNT = 100;

function nodeAt(root: unknown, segments: Array<string | number>): YamlNode | undefined {
  let node = root as YamlNode | undefined;
  let found = node;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) break;
      // Point at the key: that is where an editor should jump for "this field is wrong", and
      // for a missing child the parent's key is the nearest thing to fix.
      found = (pair.key as YamlNode | undefined) ?? found;
      node = pair.value as YamlNode | undefined;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as YamlNode | undefined;
      if (!item) break;
      found = item;
      node = item;
    } else {
      break;
    }
  }
  return found;
}

function makePositionOf(doc: Document, lines: LineCounter, prefix: Array<string | number>): (fieldPath: string) => SourcePosition {
  return (fieldPath) => {
    const node = nodeAt(doc.contents, [...prefix, ...splitFieldPath(fieldPath)]);
    const offset = node?.range?.[0] ?? doc.range?.[0] ?? 0;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}

// Only scalars that can resolve differently are re-read as YAML 1.1: y/n/yes/no/on/off,
// leading-zero octals, 0o/0b prefixes, underscores in numbers, sexagesimal 1:30.
const YAML11_CANDIDATE = /^(?:[yYnN]|[yY]es|YES|[nN]o|NO|[oO]n|ON|[oO]ff|OFF|[-+]?0[0-9_]+|[-+]?0[obx][0-9a-fA-F_]+|[-+]?[0-9][0-9_]*_[0-9_.]*|[-+]?[0-9]+(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/;
const yaml11Cache = new Map<string, unknown>();

function yaml11Value(source: string): unknown {
  if (yaml11Cache.has(source)) return yaml11Cache.get(source);
  let value: unknown;
  try {
    value = parseYaml(source, { version: '1.1' });
  } catch {
    value = source;
  }
  if (yaml11Cache.size < 10_000) yaml11Cache.set(source, value);
  return value;
}

function collectYaml11(node: unknown, path: string, out: Array<{ field: string; node: YamlNode; yaml11: unknown }>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      collectYaml11(pair.value, path ? (/[.[\]]/.test(key) ? `${path}[${key}]` : `${path}.${key}`) : key, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => collectYaml11(item, `${path}[${i}]`, out));
  } else if (isScalar(node) && node.type === 'PLAIN' && typeof node.source === 'string' && YAML11_CANDIDATE.test(node.source)) {
    const yaml11 = yaml11Value(node.source);
    if (yaml11 !== node.value) out.push({ field: path, node, yaml11 });
  }
}

function makeYaml11Differences(doc: Document, lines: LineCounter, prefix: Array<string | number>): () => Yaml11Difference[] {
  return () => {
    let root: unknown = doc.contents;
    for (const segment of prefix) {
      root = isMap(root) ? root.get(segment, true) : isSeq(root) && typeof segment === 'number' ? root.items[segment] : undefined;
    }
    const found: Array<{ field: string; node: YamlNode; yaml11: unknown }> = [];
    collectYaml11(root, '', found);
    return found.map(({ field, node, yaml11 }) => {
      const { line, col } = lines.linePos(node.range?.[0] ?? 0);
      return { field, source: (node as { source?: string }).source ?? '', yaml12: (node as { value?: unknown }).value, yaml11, position: { line, column: col } };
    });
  };
}

function syntaxCause(file: string, message: string, linePos: Array<{ line: number; col: number }> | undefined, code: string): FieldCause {
  const pos = linePos?.[0] ?? { line: 1, col: 1 };
  return {
    field: '<document>',
    type: code === 'DUPLICATE_KEY' ? 'FieldValueDuplicate' : 'YAMLSyntaxError',
    message: message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    source: { file, line: pos.line, column: pos.col },
  };
}

/**
 * Parses every non-empty document of a YAML (or JSON) text. Syntax errors anywhere make the
 * whole input invalid (SeiError.invalid, exit 2) with one cause per error, each with its position.
 * A `kind: List` document (what `kubectl get -o yaml` prints) contributes its items.
 */
export function parseManifests(text: string, file: string): SourceDocument[] {
  refuseControlCharacters(text, file);
  const lines = new LineCounter();
  const list = parseAllDocumentsBounded(text, file, { lineCounter: lines, uniqueKeys: true });
  const errors: FieldCause[] = [];
  for (const doc of list) {
    for (const e of doc.errors) errors.push(syntaxCause(file, e.message, e.linePos ?? [lines.linePos(e.pos[0])], e.code));
  }
  if (errors.length > 0) {
    throw SeiError.invalid(`${file}: not valid YAML`, errors, ['Fix the YAML syntax at the positions shown, then run the command again.']);
  }
  const out: SourceDocument[] = [];
  list.forEach((doc, index) => {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const pos = lines.linePos(doc.range?.[0] ?? 0);
      throw SeiError.invalid(`${file}: document ${index + 1} cannot be read`, [
        { field: '<document>', type: 'YAMLSyntaxError', message: (error as Error).message.split('\n')[0]!, source: { file, line: pos.line, column: pos.col } },
      ]);
    }
    if (value === null || value === undefined) return; // empty document or only comments
    if (typeof value !== 'object' || Array.isArray(value)) {
      const pos = lines.linePos(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0);
      throw SeiError.invalid(`${file}: document ${index + 1} is not a Kubernetes object`, [
        { field: '<document>', type: 'FieldValueTypeInvalid', message: `expected a mapping with apiVersion, kind and metadata, found ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`, source: { file, line: pos.line, column: pos.col } },
      ]);
    }
    const object = value as Record<string, unknown>;
    if (object['kind'] === 'List' && Array.isArray(object['items'])) {
      (object['items'] as unknown[]).forEach((item, listIndex) => {
        if (item && typeof item === 'object' && !Array.isArray(item)) {
          out.push({
            file,
            index,
            listIndex,
            object: item as Record<string, unknown>,
            positionOf: makePositionOf(doc, lines, ['items', listIndex]),
            yaml11Differences: makeYaml11Differences(doc, lines, ['items', listIndex]),
          });
        }
      });
      return;
    }
    out.push({ file, index, object, positionOf: makePositionOf(doc, lines, []), yaml11Differences: makeYaml11Differences(doc, lines, []) });
  });
  return out;
}

/**
 * What YAML 1.2 (and go-yaml, so kubectl) does not allow in a stream: C0/C1 control characters
 * other than tab, LF, CR and NEL, and U+FFFE/U+FFFF. A raw NUL used to be accepted and written;
 * kubectl refuses the file ("control characters are not allowed").
 */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/;

function refuseControlCharacters(text: string, file: string): void {
  const match = CONTROL_CHARACTER.exec(text);
  if (!match) return;
  const before = text.slice(0, match.index);
  const line = before.split('\n').length;
  const column = match.index - before.lastIndexOf('\n');
  const code = `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  throw SeiError.invalid(`${file}: not valid YAML`, [{ field: '<document>', type: 'YAMLSyntaxError', message: `control characters are not allowed (${code})`, source: { file, line, column } }], [
    'Remove the character, or write it as an escape inside a double-quoted string (e.g. "\\x00"), as kubectl requires.',
  ]);
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

async function listDir(dir: string, recursive: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && recursive) append(files, await listDir(path, true));
    else if (entry.isFile() && MANIFEST_EXT.test(entry.name)) files.push(path);
    // kubectl walks with lstat and reads a symlink as a file: a link to a manifest is included.
    else if (entry.isSymbolicLink() && MANIFEST_EXT.test(entry.name) && (await stat(path).then((s) => s.isFile(), () => false))) files.push(path);
  }
  return files;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads what `-f` names: a file, a directory (*.yaml|*.yml|*.json, sorted by name, recursive
 * only when asked) or `-` for stdin (a stream or already-read text).
 */
export async function readManifestInputs(
  spec: string,
  stdin?: NodeJS.ReadableStream | string,
  options: { recursive?: boolean } = {},
): Promise<ManifestInput[]> {
  if (spec === '-') {
    const source = stdin ?? process.stdin;
    const text = typeof source === 'string' ? source : await readStream(source);
    return [{ file: '<stdin>', text }];
  }
  let info;
  try {
    info = await stat(spec);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw SeiError.invalid(`cannot read ${spec}: ${code === 'ENOENT' ? 'no such file or directory' : code ?? (error as Error).message}`, [], [
      'Pass -f with an existing file, a directory of *.yaml/*.yml/*.json files, or - for stdin.',
    ]);
  }
  if (info.isDirectory()) {
    const files = await listDir(spec, options.recursive === true);
    if (files.length === 0) {
      throw SeiError.invalid(`${spec} contains no *.yaml, *.yml or *.json files`, [], [
        options.recursive ? 'Point -f at the files to validate.' : 'Add --recursive to include subdirectories, or point -f at the files.',
      ]);
    }
    return Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
  }
  return [{ file: spec, text: await readFile(spec, 'utf8') }];
}
