/**
 * YAML text that every reader agrees on: YAML 1.2 (the `yaml` package, Go's yaml.v3) and
 * YAML 1.1 (kubectl's sigs.k8s.io/yaml, ArgoCD, Flux). A string is written plain only when no
 * YAML version can read it as anything but that string; otherwise it is double-quoted with
 * JSON escapes (a subset of both versions' double-quoted escapes), plus escapes for the
 * characters YAML 1.1 treats as line breaks or non-printable. Numbers, booleans and null are
 * written in the one spelling both versions share. A multi-line string whose every character is
 * printable in both versions is a literal block (`|`), so Lua and scripts stay readable.
 * Owns text emission only; never parses. The one YAML writer of kubectl-sei: printers, plan
 * render and export, gitops commits and health patches all write through toSafeYaml.
 */
import { isPlainObject } from './seinodetask.js';

/** Words YAML 1.1 reads as booleans or null (compared case-insensitively). */
const RESERVED_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);
/** Starts with a letter and holds no indicator, space, digit-led number or timestamp. */
const PLAIN_SAFE = /^[A-Za-z][A-Za-z0-9_./-]*$/;
/**
 * JSON.stringify leaves these raw, but YAML 1.1 folds NEL/LS/PS as line breaks, and C1
 * controls, DEL and the BOM are not printable in either version.
 */
// eslint-disable-next-line no-control-regex -- the control characters are the point
const JSON_UNSAFE_IN_YAML = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

function quote(text: string): string {
  return JSON.stringify(text).replace(JSON_UNSAFE_IN_YAML, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A string scalar: plain when unambiguous in every YAML version, else double-quoted. */
export function yamlString(text: string): string {
  return PLAIN_SAFE.test(text) && !RESERVED_WORDS.has(text.toLowerCase()) ? text : quote(text);
}

function yamlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as YAML: only finite numbers`);
  if (Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) throw new TypeError(`cannot write ${value} as YAML: integer beyond 2^53 loses precision`);
    return String(value);
  }
  const text = String(value);
  // YAML 1.1 floats need a dot and a signed exponent: 1e-7 would stay a string there.
  if (!text.includes('e')) return text;
  const [mantissa, exponent] = text.split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}e${exponent.startsWith('-') || exponent.startsWith('+') ? exponent : `+${exponent}`}`;
}

/** One value as a single flow-style YAML node: a scalar, or a JSON-like flow collection. */
export function yamlFlow(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return yamlString(value);
    case 'number':
      return yamlNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (Array.isArray(value)) return `[${value.map((item) => yamlFlow(item)).join(', ')}]`;
      // Keys are always quoted in flow mappings: `{on: 1}` is a boolean key in YAML 1.1.
      return `{${Object.entries(value as Record<string, unknown>).map(([key, item]) => `${quote(key)}: ${yamlFlow(item)}`).join(', ')}}`;
    default:
      throw new TypeError(`cannot write a ${typeof value} as YAML`);
  }
}

/**
 * Multi-line text that a literal block keeps byte for byte in YAML 1.1 and 1.2: printable
 * characters, tabs and line feeds only, and a first line that does not start with a space
 * (that would need an indentation indicator).
 */
// eslint-disable-next-line no-control-regex -- the control characters are the point
const NOT_LITERAL_SAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

function literalBlock(text: string, indent: string): string[] | undefined {
  if (!text.includes('\n') || NOT_LITERAL_SAFE.test(text) || /^[ \t\n]/.test(text) || /[ \t]\n/.test(text)) return undefined;
  const body = text.replace(/\n+$/, '');
  const trailing = text.length - body.length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const lines = (chomp === '+' ? text.slice(0, -1) : body).split('\n');
  return [`|${chomp}`, ...lines.map((line) => (line === '' ? '' : `${indent}${line}`))];
}


function blockLines(value: unknown, indent: string): string[] {
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return [`${indent}{}`];
    return entries.flatMap(([key, item]) => {
      const head = `${indent}${yamlString(key)}:`;
      if ((isPlainObject(item) && Object.keys(item).length > 0) || (Array.isArray(item) && item.length > 0)) {
        return [head, ...blockLines(item, Array.isArray(item) ? indent : `${indent}  `)];
      }
      const literal = typeof item === 'string' ? literalBlock(item, `${indent}  `) : undefined;
      if (literal) return [`${head} ${literal[0]}`, ...literal.slice(1)];
      return [`${head} ${yamlFlow(item)}`];
    });
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}[]`];
    return value.flatMap((item) => {
      if ((isPlainObject(item) && Object.keys(item).length > 0) || (Array.isArray(item) && item.length > 0)) {
        const [first, ...rest] = blockLines(item, `${indent}  `);
        return [`${indent}- ${(first ?? '').trimStart()}`, ...rest];
      }
      return [`${indent}- ${yamlFlow(item)}`];
    });
  }
  return [`${indent}${yamlFlow(value)}`];
}

/**
 * A whole document in block style with the same quoting rules (for printing and committing);
 * `comments` go first, one `# ` line each.
 */
export function toSafeYaml(value: unknown, comments: readonly string[] = []): string {
  return `${comments.map((line) => `# ${line}`.trimEnd()).join('\n')}${comments.length ? '\n' : ''}${blockLines(value, '').join('\n')}\n`;
}

/** Several documents, separated as kubectl reads them. */
export function toSafeYamlStream(values: readonly unknown[]): string {
  return values.map((value) => toSafeYaml(value)).join('---\n');
}
