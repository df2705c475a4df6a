/**
 * Keeps the `resources:` list of a kustomization.yaml in step with the files kubectl-sei
 * writes. Edits go through the yaml Document API so every other field, entry and comment the
 * repository's owners wrote survives. Pure: text in, text out; it must not touch the disk.
 */
import { isMap, isScalar, isSeq, parseDocument, YAMLSeq, Scalar, LineCounter } from 'yaml';
import { SeiError } from '../errors/index.js';
import { yamlString } from '../domain/yaml.js';

const HEADER = ' kubectl-sei adds its files to resources (kept sorted); other fields and entries are yours.';

/**
 * `existing` is the committed text (undefined = no file). Entries already present are left
 * where they are; a new entry goes before the first entry that sorts after it, so a sorted
 * list stays sorted and a hand-ordered one keeps its order. Returns `existing` unchanged,
 * byte for byte, when every entry is already listed: that is what makes a re-run a no-op.
 */
export function ensureResources(existing: string | undefined, entries: string[], file = 'kustomization.yaml'): string {
  const wanted = [...new Set(entries)].sort(compare);
  if (existing === undefined || existing.trim() === '') {
    const doc = parseDocument('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n');
    doc.commentBefore = HEADER;
    const seq = new YAMLSeq();
    for (const entry of wanted) seq.add(entryNode(entry));
    doc.set('resources', seq);
    return doc.toString({ lineWidth: 0 });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(existing, { lineCounter });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const pos = lineCounter.linePos(error.pos[0]);
    throw SeiError.invalid(
      `${file}:${pos.line}:${pos.col}: cannot parse the existing kustomization: ${error.message.split('\n')[0]}`,
      [{ field: file, type: 'FieldValueInvalid', message: error.message.split('\n')[0] ?? 'YAML error', source: { file, line: pos.line, column: pos.col } }],
      [`Fix ${file} by hand (kubectl-sei only edits a kustomization it can parse), then re-run.`],
    );
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw SeiError.invalid(`${file}: the kustomization is not a YAML mapping`, [{ field: file, type: 'FieldValueInvalid', message: 'expected a mapping with apiVersion, kind and resources' }], [`Fix ${file} by hand, then re-run.`]);
  }
  let seq = doc.get('resources', true);
  if (seq === undefined || seq === null || (isScalar(seq) && seq.value === null)) {
    seq = new YAMLSeq();
    doc.set('resources', seq);
  }
  if (!isSeq(seq)) {
    throw SeiError.invalid(`${file}: resources is not a list`, [{ field: 'resources', type: 'FieldValueInvalid', message: 'must be a list of files or directories' }], [`Fix ${file} by hand, then re-run.`]);
  }
  const list = seq as YAMLSeq;
  const present = new Set(list.items.map((item) => (isScalar(item) ? String(item.value) : undefined)).filter((v): v is string => v !== undefined));
  const missing = wanted.filter((entry) => !present.has(entry));
  if (missing.length === 0) return existing;
  for (const entry of missing) {
    const at = list.items.findIndex((item) => isScalar(item) && compare(String(item.value), entry) > 0);
    const node = entryNode(entry);
    if (at < 0) list.items.push(node);
    else list.items.splice(at, 0, node);
  }
  return doc.toString({ lineWidth: 0 });
}

/** The resources a kustomization lists (for reading a committed tree back). */
export function listResources(text: string): string[] {
  const doc = parseDocument(text);
  const seq = doc.get('resources', true);
  if (!isSeq(seq)) return [];
  return seq.items.filter(isScalar).map((item) => String(item.value));
}

/** An entry as the one YAML writer would spell it: quoted when a YAML 1.1 reader could misread it. */
function entryNode(entry: string): Scalar {
  const node = new Scalar(entry);
  if (yamlString(entry) !== entry) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
