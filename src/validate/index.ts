/**
 * Public API of the validation engine: CRD loading, the apiserver-faithful object validator,
 * manifest parsing with positions, and manifest validation. Import from here, not the files.
 */
export type { CrdDocument, CrdVersion, JsonSchemaProps, ValidationRule } from './crd-types.js';
export { loadProjectCrd, loadProjectCrds, projectCrdUrl, servesCrd, type CrdPlural, type CrdFlavorName } from './crds.js';
export {
  compileCrdValidator,
  strictDecodingMessage,
  invalidStatusMessage,
  type FieldValidation,
  type ObjectValidator,
  type ValidateOptions,
  type ValidationResult,
} from './crd-validator.js';
export { BLOCKING_TYPES } from './field-errors.js';
export { parseManifests, readManifestInputs, splitFieldPath, type ManifestInput, type SourceDocument, type SourcePosition, type Yaml11Difference } from './documents.js';
export {
  validateManifests,
  describeDocument,
  formatCause,
  type DocumentReport,
  type ManifestOptions,
  type ManifestsReport,
  type ValidatorResolver,
} from './validate-manifests.js';
export { projectValidator, projectResolver, resolverFor } from './project-validators.js';
