/**
 * Validates parsed manifests against whichever schema serves their apiVersion/kind and attaches
 * file:line:column to every cause. Pure: no I/O, no printing, no cluster. Positions are only
 * computed for documents that have causes (the common all-valid path stays cheap).
 */
import { append } from '../domain/arrays.js';
import type { FieldCause } from '../errors/index.js';
import type { SourceDocument } from './documents.js';
import type { FieldValidation, ObjectValidator, ValidationResult } from './crd-validator.js';

export type ValidatorResolver = (apiVersion: string, kind: string) => ObjectValidator | undefined;

export interface ManifestOptions {
  fieldValidation?: FieldValidation;
  /** `apiVersion kind` pairs the resolver knows, named in the error for an unknown kind. */
  supported?: string[];
  /** Warn about unquoted scalars YAML 1.1 parsers (kubectl, ArgoCD, Flux) read differently. Default true. */
  yaml11Warnings?: boolean;
}

export interface DocumentReport {
  document: SourceDocument;
  /** Absent when no schema serves the document's kind. */
  result?: ValidationResult;
  causes: FieldCause[];
  warnings: string[];
}

export interface ManifestsReport {
  valid: boolean;
  documents: DocumentReport[];
  /** Every cause of every document, in file order, each with its source position. */
  causes: FieldCause[];
  warnings: string[];
}

/** "file.yaml (document 2)" or "file.yaml (document 2, items[3])": how a message names a document. */
export function describeDocument(doc: SourceDocument): string {
  const name = (doc.object['metadata'] as { name?: unknown } | undefined)?.name;
  const where = doc.listIndex === undefined ? `document ${doc.index + 1}` : `document ${doc.index + 1}, items[${doc.listIndex}]`;
  return `${doc.file} (${where}${typeof name === 'string' ? `, ${String(doc.object['kind'] ?? '')} ${name}` : ''})`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  return JSON.stringify(value);
}

function withSource(doc: SourceDocument, cause: FieldCause): FieldCause {
  const { line, column } = doc.positionOf(cause.field);
  return { ...cause, source: { file: doc.file, line, column } };
}

export function validateManifests(docs: SourceDocument[], resolveValidator: ValidatorResolver, options: ManifestOptions = {}): ManifestsReport {
  const documents: DocumentReport[] = [];
  const causes: FieldCause[] = [];
  const warnings: string[] = [];
  for (const document of docs) {
    const apiVersion = document.object['apiVersion'];
    const kind = document.object['kind'];
    let report: DocumentReport;
    if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
      const field = typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : 'kind';
      report = { document, causes: [withSource(document, { field, type: 'FieldValueRequired', message: `Required value: every manifest needs apiVersion and kind` })], warnings: [] };
    } else {
      const validator = resolveValidator(apiVersion, kind);
      if (!validator) {
        const known = options.supported && options.supported.length > 0 ? `; supported: ${options.supported.join(', ')}` : '';
        report = {
          document,
          causes: [withSource(document, { field: 'kind', type: 'FieldValueNotSupported', message: `Unsupported value: no schema for apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)}${known}` })],
          warnings: [],
        };
      } else {
        const result = validator.validate(document.object, { fieldValidation: options.fieldValidation ?? 'Strict' });
        report = {
          document,
          result,
          causes: result.causes.map((c) => withSource(document, c)),
          warnings: result.warnings.map((w) => `${describeDocument(document)}: ${w}`),
        };
      }
    }
    if (options.yaml11Warnings !== false && typeof document.yaml11Differences === 'function') {
      for (const d of document.yaml11Differences()) {
        report.warnings.push(
          `${document.file}:${d.position.line}:${d.position.column}: ${d.field}: unquoted ${d.source} is ${describeValue(d.yaml12)} here but ${describeValue(d.yaml11)} for YAML 1.1 parsers (kubectl, ArgoCD, Flux); quote it if you mean the string`,
        );
      }
    }
    documents.push(report);
    append(causes, report.causes);
    append(warnings, report.warnings);
  }
  return { valid: causes.length === 0, documents, causes, warnings };
}

/** One line per cause, `file:line:column: field: message`, the format `task validate` prints. */
export function formatCause(cause: FieldCause): string {
  const at = cause.source ? `${cause.source.file}:${cause.source.line}:${cause.source.column}: ` : '';
  return `${at}${cause.field}: ${cause.message}`;
}
