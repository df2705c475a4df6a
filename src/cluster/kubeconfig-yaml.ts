/**
 * Reads the text of one kubeconfig file into plain values. A kubeconfig is read on every
 * cluster command, so the common case takes js-yaml's single pass (a quarter of the cost of
 * building a `yaml` document, the largest part of a `get` before its request); anything js-yaml
 * refuses goes to `yaml`, which decides and, for a real error, reports line and column.
 * Both read YAML 1.2's core schema, so a file means the same whichever reader took it: js-yaml's
 * own core schema also takes `0b101`, `-0x1F` and `+0o17` as integers, which YAML 1.2 (and
 * `yaml`) read as strings, so the scalar types below are YAML 1.2.2's table (section 10.3.2).
 * Must not: put the file's text into an error (a line may hold a token).
 */
import { FAILSAFE_SCHEMA, Type, load } from 'js-yaml';
import { LineCounter, parseDocument } from 'yaml';

/** Where a document is not YAML: 1-based line and column, and yaml's error code. */
export interface YamlProblem {
  line?: number;
  col?: number;
  code: string;
}

const scalar = (tag: string, pattern: RegExp, construct: (text: string) => unknown) =>
  new Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (text: string | null) => text !== null && pattern.test(text), construct });

const INFINITY = /^[-+]?\.(?:inf|Inf|INF)$/;

/** YAML 1.2.2, 10.3.2 "Tag Resolution" of the core schema, in its order. */
const YAML_12_CORE = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', /^(?:null|Null|NULL|~|)$/, () => null),
    scalar('bool', /^(?:true|True|TRUE|false|False|FALSE)$/, (text) => text[0] === 't' || text[0] === 'T'),
    scalar('int', /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, (text) =>
      text.startsWith('0o') ? parseInt(text.slice(2), 8) : text.startsWith('0x') ? parseInt(text.slice(2), 16) : parseInt(text, 10),
    ),
    scalar('float', /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (text) =>
      INFINITY.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : text.startsWith('.n') || text.startsWith('.N') ? NaN : parseFloat(text),
    ),
  ],
});

/** The document's value, or where it is not YAML. */
export function readYaml(text: string): { value: unknown } | { problem: YamlProblem } {
  // Explicit tags (`!!float 1`, `!custom`) are where the two libraries part ways; kubeconfigs
  // never need them, so a `!` anywhere sends the file to yaml.
  if (text.includes('!')) return readYamlExplained(text);
  try {
    return { value: load(text, { schema: YAML_12_CORE }) ?? null };
  } catch {
    return readYamlExplained(text);
  }
}

/** `yaml`'s reading, exported so a test can hold the quick reading to it. */
export function readYamlExplained(text: string): { value: unknown } | { problem: YamlProblem } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter });
  const error = document.errors[0];
  if (!error) return { value: document.toJS() };
  const at = lineCounter.linePos(error.pos[0]);
  return { problem: { ...(at ? { line: at.line, col: at.col } : {}), code: error.code } };
}
