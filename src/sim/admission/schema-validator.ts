/**
 * Adapts the project validator (src/validate: structural schema, defaults, pruning, CEL with
 * oldSelf) to the sim's admission: one compiled validator per served CRD, so the sim enforces
 * exactly what `kubectl sei task validate` checks offline.
 */
import { compileCrdValidator, strictDecodingMessage, type CrdDocument, type ObjectValidator } from '../../validate/index.js';
import type { SchemaValidator } from './admission.js';
import type { KubeObject } from '../types.js';

export function createSchemaValidator(crds: KubeObject[]): SchemaValidator {
  const compiled = new Map<string, ObjectValidator>();
  for (const crd of crds) {
    const doc = crd as unknown as CrdDocument;
    for (const v of doc.spec.versions) compiled.set(`${doc.spec.names.plural}/${v.name}`, compileCrdValidator(doc, v.name));
  }
  return (info, object, old) => {
    const validator = compiled.get(`${info.plural}/${info.version}`);
    if (!validator) return { object, causes: [], unknownFields: [] };
    // Unknown fields are reported, not refused, here: admission applies fieldValidation itself.
    const result = validator.validate(object, { oldObject: old, fieldValidation: 'Ignore' });
    return {
      object: result.object as KubeObject,
      causes: result.causes.map((c) => ({ reason: c.type, message: c.message, field: c.field })),
      unknownFields: result.unknownFields,
      strictMessage: (fields: string[]) => strictDecodingMessage(info.kind, info.version, fields),
    };
  };
}
