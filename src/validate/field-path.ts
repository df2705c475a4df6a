/**
 * Field paths as the apiserver prints them (`spec.peers[0].static`, `spec.overrides[a.b]`):
 * splitting them and reading the value they name. Pure helpers shared by the validator
 * (ratcheting) and the manifest reader (source positions).
 */

/** `spec.peers[0].static` / `spec.overrides[a.b]` -> ['spec','peers',0,'static'] / ['spec','overrides','a.b']. */
export function splitFieldPath(fieldPath: string): Array<string | number> {
  const out: Array<string | number> = [];
  if (!fieldPath || fieldPath === '<nil>') return out;
  let i = 0;
  let current = '';
  while (i < fieldPath.length) {
    const c = fieldPath[i]!;
    if (c === '.') {
      if (current) out.push(current);
      current = '';
      i++;
    } else if (c === '[') {
      if (current) out.push(current);
      current = '';
      const end = fieldPath.indexOf(']', i);
      const inner = end < 0 ? fieldPath.slice(i + 1) : fieldPath.slice(i + 1, end);
      out.push(/^\d+$/.test(inner) ? Number(inner) : inner);
      i = end < 0 ? fieldPath.length : end + 1;
    } else {
      current += c;
      i++;
    }
  }
  if (current) out.push(current);
  return out;
}

/** The value at a split path, or undefined when any step is missing. */
export function valueAt(root: unknown, segments: Array<string | number>): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Structural equality of JSON data (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
