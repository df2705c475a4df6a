/**
 * Builds FieldCauses worded exactly as k8s.io/apimachinery field.Error renders them, so the CLI
 * and the simulated apiserver print what a real apiserver would. Formatting only: no schema
 * knowledge lives here.
 */
import type { FieldCause } from '../errors/index.js';

/** How the apiserver prints a bad value: strings quoted, scalars bare, composites as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '"null"';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return '"object"';
  }
}

export function invalid(field: string, value: unknown, detail: string): FieldCause {
  return { field, type: 'FieldValueInvalid', message: `Invalid value: ${formatValue(value)}: ${detail}` };
}

export function typeInvalid(field: string, value: unknown, detail: string): FieldCause {
  return { field, type: 'FieldValueTypeInvalid', message: `Invalid value: ${formatValue(value)}: ${detail}` };
}

export function required(field: string, detail = ''): FieldCause {
  return { field, type: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value' };
}

export function forbidden(field: string, detail: string): FieldCause {
  return { field, type: 'FieldValueForbidden', message: detail ? `Forbidden: ${detail}` : 'Forbidden' };
}

export function notSupported(field: string, value: unknown, supported: unknown[]): FieldCause {
  const values = supported.map((v) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(JSON.stringify(v))));
  const detail = values.length > 0 ? `: supported values: ${values.join(', ')}` : '';
  return { field, type: 'FieldValueNotSupported', message: `Unsupported value: ${formatValue(value)}${detail}` };
}

export function tooLong(field: string, maxLength: number): FieldCause {
  return { field, type: 'FieldValueTooLong', message: `Too long: may not be longer than ${maxLength}` };
}

export function tooMany(field: string, actual: number, max: number): FieldCause {
  return { field, type: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items` };
}

export function duplicate(field: string, value: unknown): FieldCause {
  return { field, type: 'FieldValueDuplicate', message: `Duplicate value: ${formatValue(value)}` };
}

/** Error types that make the apiserver skip CEL rules (hasBlockingErr in the CR strategy). */
export const BLOCKING_TYPES: ReadonlySet<string> = new Set([
  'FieldValueNotSupported',
  'FieldValueRequired',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
]);

/** What the apiserver appends instead of running CEL when a blocking error exists. */
export function celSkipped(): FieldCause {
  return invalid('<nil>', null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation');
}

/** The cause kubectl-sei reports for a field the schema does not declare (strict decoding). */
export function unknownField(field: string): FieldCause {
  return { field, type: 'FieldValueUnknown', message: `unknown field ${JSON.stringify(field)}` };
}
