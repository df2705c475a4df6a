/**
 * Admission for writes: the metadata rules the apiserver enforces for every object (names,
 * namespaces) and, for custom resources, the CRD's structural schema + CEL rules through the
 * project validator. Returns the object as it will be stored (defaults applied, unknown
 * fields pruned) or the causes of a 422. Must not store anything or speak HTTP.
 */
import type { ResourceInfo } from '../resources.js';
import type { StatusCause } from '../http/status.js';
import type { KubeObject } from '../types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface SchemaVerdict {
  /** The object after defaulting and pruning of unknown fields. */
  object: KubeObject;
  causes: StatusCause[];
  /** Paths of fields the schema does not declare, as the apiserver prints them (`spec.foo`). */
  unknownFields: string[];
  /** The apiserver's 400 message for unknown fields under fieldValidation=Strict. */
  strictMessage?: (fields: string[]) => string;
}

/** Validates one custom resource write against its CRD version (OpenAPI v3 + CEL, oldSelf on update). */
export type SchemaValidator = (info: ResourceInfo, object: KubeObject, old: KubeObject | undefined) => SchemaVerdict;

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The apiserver's name rules: DNS-1123 label for namespaces, subdomain for everything else here. */
export function validateName(info: ResourceInfo, name: string): StatusCause[] {
  if (info.strategy.naming === 'label') {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return [{
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      }];
    }
    return [];
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [{
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    }];
  }
  return [];
}

export interface AdmissionOutcome {
  object: KubeObject;
  causes: StatusCause[];
  warnings: string[];
  /** Set when fieldValidation=Strict refuses unknown fields (a 400, not a 422). */
  strictError?: string;
}

export function admit(
  info: ResourceInfo,
  object: KubeObject,
  old: KubeObject | undefined,
  fieldValidation: FieldValidation,
  validator: SchemaValidator | undefined,
): AdmissionOutcome {
  const causes = object.metadata.name ? validateName(info, object.metadata.name) : [];
  const limit = info.strategy.maxDataBytes;
  if (limit !== undefined) {
    // Keys and values count, in bytes, as the apiserver adds them up.
    let total = 0;
    for (const field of ['data', 'binaryData']) {
      const values = object[field];
      if (values && typeof values === 'object') for (const [k, v] of Object.entries(values)) total += Buffer.byteLength(k) + (typeof v !== 'string' ? 0 : field === 'binaryData' ? Buffer.from(v, 'base64').length : Buffer.byteLength(v));
    }
    if (total > limit) causes.push({ reason: 'FieldValueTooLong', message: `Too long: must have at most ${limit} bytes`, field: '' });
  }
  if (!info.custom || !validator) return { object, causes, warnings: [] };
  // The schema validator checks metadata (name, namespace) for custom resources itself.
  const verdict = validator(info, object, old);
  const unknown = verdict.unknownFields;
  const outcome: AdmissionOutcome = { object: verdict.object, causes: verdict.causes, warnings: [] };
  if (unknown.length > 0) {
    if (fieldValidation === 'Strict') {
      outcome.strictError = verdict.strictMessage?.(unknown) ?? `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`;
    } else if (fieldValidation === 'Warn') {
      outcome.warnings = unknown.map((f) => `unknown field "${f}"`);
    }
  }
  return outcome;
}
