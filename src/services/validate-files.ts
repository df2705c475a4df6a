/**
 * The use-case behind `kubectl sei task validate`: read -f FILE|DIR|-, parse every document with
 * source positions, and validate each one as the apiserver would (src/validate: OpenAPI v3 +
 * CEL) against the CRD of the right API flavor, or against the CRD the cluster serves. Returns
 * a report with every cause (file:line:column, field path, message); it prints nothing and
 * writes nothing.
 */
import { append } from '../domain/arrays.js';
import type { FieldCause } from '../errors/sei-error.js';
import { SeiError } from '../errors/sei-error.js';
import type { ConnectionOptions } from '../cluster/types.js';
import type { ApiFlavor, Catalog } from '../catalog/types.js';
import type { ObjectValidator, SourceDocument, ValidatorResolver } from '../validate/index.js';

export type CrdChoice = 'seed' | 'latest' | 'auto';

export interface ValidateFilesOptions {
  /** -f values: files, directories or `-` (stdin). */
  inputs: string[];
  recursive?: boolean;
  /** Which project CRD: the kind's API (auto), or one flavor for every document. */
  crd?: CrdChoice;
  /** Validate against the CRDs the cluster serves instead of the project's. */
  schemaFromCluster?: ConnectionOptions;
  /** Text for `-` (tests); default: process.stdin. */
  stdin?: NodeJS.ReadableStream | string;
  templatesDir?: string;
}

export interface DocumentVerdict {
  file: string;
  /** 1-based document number in the file (items of a List share their document's number). */
  document: number;
  listIndex?: number;
  apiVersion?: string;
  kind?: string;
  name?: string;
  /** Where the schema came from: seed, latest or cluster. */
  schema?: string;
  valid: boolean;
  causes: FieldCause[];
}

export interface ValidateFilesReport {
  valid: boolean;
  files: string[];
  documents: DocumentVerdict[];
  causes: FieldCause[];
  warnings: string[];
}

const TASK = 'sei.io/v1alpha1 SeiNodeTask';

type Resolver = ValidatorResolver & { supported?: string[] };

/** Offline: the flavors to try for a document, best first. */
function flavorsFor(catalog: Catalog, doc: SourceDocument, choice: CrdChoice): ApiFlavor[] {
  if (choice !== 'auto') return [choice];
  if (`${String(doc.object['apiVersion'])} ${String(doc.object['kind'])}` !== TASK) return ['seed', 'latest'];
  const kind = (doc.object['spec'] as { kind?: unknown } | undefined)?.kind;
  const spec = typeof kind === 'string' ? catalog.find(kind) : undefined;
  // A kind only the later API has is checked against it; one both have against seed first.
  return spec && spec.apis.length > 0 ? [...spec.apis].sort((a) => (a === 'seed' ? -1 : 1)) : ['seed', 'latest'];
}

async function clusterResolver(options: ConnectionOptions): Promise<Resolver> {
  const [{ connect }, validate] = await Promise.all([import('../cluster/index.js'), import('../validate/index.js')]);
  const client = await connect(options);
  const validators: ObjectValidator[] = [];
  for (const name of ['seinodetasks.sei.io', 'seinodes.sei.io']) {
    const crd = await client.servedCrd(name);
    if (crd) validators.push(validate.compileCrdValidator(crd as unknown as Parameters<typeof validate.compileCrdValidator>[0], servedVersion(crd)));
  }
  if (validators.length === 0 || !validators.some((validator) => validator.kind === 'SeiNodeTask')) {
    throw SeiError.cluster('NotFound', `the cluster ${client.contextName} does not serve the seinodetasks.sei.io CRD`, ['Install the sei-k8s-controller CRDs, or validate offline without --schema-from-cluster.'], 404);
  }
  return validate.resolverFor(validators);
}

function servedVersion(crd: Record<string, unknown>): string {
  const versions = (crd['spec'] as { versions?: Array<{ name: string; served?: boolean; storage?: boolean }> } | undefined)?.versions ?? [];
  return (versions.find((version) => version.served !== false && version.storage) ?? versions.find((version) => version.served !== false) ?? { name: 'v1alpha1' }).name;
}

function verdictOf(doc: SourceDocument, schema: string | undefined, causes: FieldCause[]): DocumentVerdict {
  const metadata = doc.object['metadata'] as { name?: unknown } | undefined;
  return {
    file: doc.file,
    document: doc.index + 1,
    ...(doc.listIndex !== undefined ? { listIndex: doc.listIndex } : {}),
    ...(typeof doc.object['apiVersion'] === 'string' ? { apiVersion: doc.object['apiVersion'] } : {}),
    ...(typeof doc.object['kind'] === 'string' ? { kind: doc.object['kind'] } : {}),
    ...(typeof metadata?.name === 'string' ? { name: metadata.name } : {}),
    ...(schema ? { schema } : {}),
    valid: causes.length === 0,
    causes,
  };
}

export async function validateFiles(options: ValidateFilesOptions): Promise<ValidateFilesReport> {
  const validate = await import('../validate/index.js');
  const { loadCatalog } = await import('../catalog/index.js');
  const catalog = loadCatalog(options.templatesDir ? { templatesDir: options.templatesDir } : {});
  if (options.inputs.filter((input) => input === '-').length > 1) throw SeiError.invalid('-f - (stdin) can be given only once');

  // Parse everything first: a syntax error in one file is reported with the others' causes.
  const docs: SourceDocument[] = [];
  const files: string[] = [];
  const syntax: FieldCause[] = [];
  for (const input of options.inputs) {
    for (const manifest of await validate.readManifestInputs(input, options.stdin, { recursive: options.recursive === true })) {
      files.push(manifest.file);
      try {
        append(docs, validate.parseManifests(manifest.text, manifest.file));
      } catch (error) {
        if (!(error instanceof SeiError) || error.causes.length === 0) throw error;
        append(syntax, error.causes);
      }
    }
  }
  if (docs.length === 0 && syntax.length === 0) {
    throw SeiError.invalid(`no documents in ${options.inputs.join(', ')}`, [], ['Pass files holding SeiNodeTask manifests (YAML or JSON, --- between documents).']);
  }

  const fromCluster = options.schemaFromCluster ? await clusterResolver(options.schemaFromCluster) : undefined;
  const documents: DocumentVerdict[] = [];
  const warnings: string[] = [];
  for (const doc of docs) {
    if (fromCluster) {
      const report = validate.validateManifests([doc], fromCluster, { supported: fromCluster.supported ?? [] });
      documents.push(verdictOf(doc, 'cluster', report.causes));
      append(warnings, report.warnings);
      continue;
    }
    // Offline: the first flavor that accepts the document wins; else the first flavor's causes.
    let chosen: { flavor: ApiFlavor; causes: FieldCause[]; warnings: string[] } | undefined;
    for (const flavor of flavorsFor(catalog, doc, options.crd ?? 'auto')) {
      const resolver = validate.projectResolver(flavor);
      const report = validate.validateManifests([doc], resolver, { supported: resolver.supported });
      if (report.valid) {
        chosen = { flavor, causes: [], warnings: report.warnings };
        break;
      }
      chosen ??= { flavor, causes: report.causes, warnings: report.warnings };
    }
    documents.push(verdictOf(doc, chosen!.flavor, chosen!.causes));
    warnings.push(...chosen!.warnings);
  }
  const causes = [...syntax, ...documents.flatMap((verdict) => verdict.causes)];
  return { valid: causes.length === 0, files: [...new Set(files)], documents, causes, warnings };
}

/** The exit-2 error for an invalid report; `withCauses` false when the causes were printed already. */
export function invalidReportError(report: ValidateFilesReport, withCauses: boolean): SeiError {
  const invalid = report.documents.filter((verdict) => !verdict.valid).length;
  const unread = report.causes.slice(0, report.causes.length - report.documents.reduce((sum, verdict) => sum + verdict.causes.length, 0));
  // A file refused before its documents were read for another reason than syntax (nested
  // deeper than the limit, not an object) is not called a syntax error.
  const syntax = unread.filter((cause) => cause.type === 'YAMLSyntaxError' || cause.type === 'FieldValueDuplicate').length;
  const refused = unread.length - syntax;
  const parts = [
    ...(invalid > 0 ? [`${invalid} of ${report.documents.length} document${report.documents.length === 1 ? '' : 's'} invalid`] : []),
    ...(syntax > 0 ? [`${syntax} YAML syntax error${syntax === 1 ? '' : 's'}`] : []),
    ...(refused > 0 ? [`${refused} input${refused === 1 ? '' : 's'} refused before validation`] : []),
  ];
  return SeiError.invalid(`${parts.join(', ')} (${report.causes.length} error${report.causes.length === 1 ? '' : 's'})`, withCauses ? report.causes : [], [
    'Fix the fields at the positions shown; `kubectl sei kinds` lists each kind\'s parameters, `kubectl sei task render` writes valid tasks.',
  ]);
}
