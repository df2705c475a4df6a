/**
 * Validates SeiNodeTasks before any write, with the same engine the simulated apiserver uses
 * (src/validate: OpenAPI v3 + CEL), against the project's CRD of the kind's API flavor. Collects
 * EVERY cause of EVERY document into one SeiError (exit 2) so that nothing is written unless
 * everything is valid. It reads no cluster and writes nothing.
 */
import type { KubeObject } from '../cluster/types.js';
import type { ApiFlavor, Catalog } from '../catalog/types.js';
import { SeiError, type FieldCause } from '../errors/sei-error.js';

export interface ObjectToValidate {
  object: KubeObject;
  /** Where the document came from, for file:line:column in causes. */
  file?: string;
  positionOf?: (fieldPath: string) => { line: number; column: number } | undefined;
}

interface Validator {
  validate(object: unknown, options?: Record<string, unknown>): { causes: FieldCause[] };
}

const validators = new Map<string, Validator>();

async function validatorFor(flavor: ApiFlavor, plural: 'seinodetasks' | 'seinodetaskworkflows' = 'seinodetasks'): Promise<Validator> {
  const key = `${plural}/${flavor}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const { projectValidator } = await import('../validate/index.js');
  const validator: Validator = projectValidator(plural, flavor);
  validators.set(key, validator);
  return validator;
}

/**
 * SeiNodeTaskWorkflows, as validateTaskObjects: every cause of every document, exit 2, before
 * any write. Only the later controller API has workflows, so there is one CRD to check against.
 */
export async function validateWorkflowObjects(docs: readonly ObjectToValidate[]): Promise<void> {
  const all: FieldCause[] = [];
  const failedNames: string[] = [];
  for (const doc of docs) {
    if (doc.object.kind !== 'SeiNodeTaskWorkflow' || !String(doc.object.apiVersion).startsWith('sei.io/')) {
      all.push({ field: 'kind', type: 'FieldValueNotSupported', message: `${doc.object.apiVersion}/${doc.object.kind} is not a SeiNodeTaskWorkflow (sei.io/v1alpha1): kubectl sei workflow apply only writes SeiNodeTaskWorkflows`, ...source(doc, 'kind') });
      failedNames.push(doc.object.metadata?.name ?? '?');
      continue;
    }
    const { causes } = (await validatorFor('latest', 'seinodetaskworkflows')).validate(doc.object, { fieldValidation: 'Strict' });
    if (causes.length > 0) {
      failedNames.push(doc.object.metadata?.name ?? '?');
      for (const cause of causes) all.push({ ...cause, ...(cause.source ? {} : source(doc, cause.field)) });
    }
  }
  if (all.length > 0) {
    throw SeiError.invalid(`${failedNames.length} of ${docs.length} SeiNodeTaskWorkflow document${docs.length === 1 ? '' : 's'} invalid (${failedNames.join(', ')}); nothing was written`, all, [
      'fix the fields above; `kubectl sei workflow validate -f FILE` checks a file without a cluster',
    ]);
  }
}

function flavorsFor(catalog: Catalog | undefined, kind: unknown): ApiFlavor[] {
  const spec = typeof kind === 'string' ? catalog?.find(kind) : undefined;
  return spec && spec.apis.length > 0 ? spec.apis : ['seed', 'latest'];
}

export async function validateTaskObjects(docs: readonly ObjectToValidate[], catalog?: Catalog): Promise<void> {
  const all: FieldCause[] = [];
  const failedNames: string[] = [];
  for (const doc of docs) {
    if (doc.object.kind !== 'SeiNodeTask' || !String(doc.object.apiVersion).startsWith('sei.io/')) {
      all.push({ field: 'kind', type: 'FieldValueNotSupported', message: `${doc.object.apiVersion}/${doc.object.kind} is not a SeiNodeTask (sei.io/v1alpha1): kubectl sei task apply only writes SeiNodeTasks`, ...source(doc, 'kind') });
      failedNames.push(doc.object.metadata?.name ?? '?');
      continue;
    }
    let best: FieldCause[] | undefined;
    for (const flavor of flavorsFor(catalog, (doc.object['spec'] as Record<string, unknown> | undefined)?.['kind'])) {
      const { causes } = (await validatorFor(flavor)).validate(doc.object, { fieldValidation: 'Strict' });
      if (causes.length === 0) {
        best = [];
        break;
      }
      best ??= causes;
    }
    if (best && best.length > 0) {
      failedNames.push(doc.object.metadata?.name ?? '?');
      for (const cause of best) all.push({ ...cause, ...(cause.source ? {} : source(doc, cause.field)) });
    }
  }
  if (all.length > 0) {
    throw SeiError.invalid(`${failedNames.length} of ${docs.length} SeiNodeTask document${docs.length === 1 ? '' : 's'} invalid (${failedNames.join(', ')}); nothing was written`, all, [
      'fix the fields above; `kubectl sei task validate -f FILE` checks a file without a cluster',
    ]);
  }
}

function source(doc: ObjectToValidate, field: string): Pick<FieldCause, 'source'> | Record<string, never> {
  if (!doc.file || !doc.positionOf) return {};
  const at = doc.positionOf(field);
  return at ? { source: { file: doc.file, line: at.line, column: at.column } } : {};
}
