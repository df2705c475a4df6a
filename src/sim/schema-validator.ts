/**
 * Adapts the project validator (src/validate) to the sim's admission: one compiled validator per
 * served CRD, called with the object and, on update, the old object for CEL oldSelf rules.
 */
import type { SchemaValidator } from './admission.js';
import type { KubeObject } from './types.js';

export function createSchemaValidator(crds: KubeObject[]): SchemaValidator | undefined {
  void crds;
  // Wired to compileCrdValidator once src/validate exports it; until then no schema admission.
  return undefined;
}
