/**
 * Validates a rendered SeiNodeTask for `task render` with the one validation engine
 * (src/validate: OpenAPI v3 + CEL, as the apiserver) against the project CRD of its kind's API:
 * seed for seed kinds, latest for latest-only kinds. Start-up matters here, and parsing the CRD
 * YAML was the largest cost of `task render`, so the build stores each project CRD as JSON in
 * dist/crd-cache.json keyed by a hash of the YAML text: an edited CRD is simply parsed again.
 * Reads files only; never a cluster.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeiError, type FieldCause } from '../errors/sei-error.js';
import { PACKAGE_ROOT } from '../catalog/index.js';
import type { ApiFlavor, KindSpec } from '../catalog/types.js';
import type { KubeObject } from '../cluster/types.js';
import type { CrdDocument, CrdPlural } from '../validate/index.js';

export const CRD_CACHE = join(PACKAGE_ROOT, 'dist', 'crd-cache.json');

type CrdCacheFile = Record<string, CrdDocument>;
let cache: CrdCacheFile | undefined;

function hashOf(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

async function projectCrd(plural: CrdPlural, flavor: ApiFlavor): Promise<CrdDocument> {
  const validate = await import('../validate/index.js');
  const text = readFileSync(fileURLToPath(validate.projectCrdUrl(plural, flavor)), 'utf8');
  cache ??= existsSync(CRD_CACHE) ? (JSON.parse(readFileSync(CRD_CACHE, 'utf8')) as CrdCacheFile) : {};
  return cache[hashOf(text)] ?? validate.loadProjectCrd(plural, flavor);
}

/** Build step (scripts/bundle.mjs): every project CRD as parsed JSON, keyed by its YAML's hash. */
export async function buildCrdCache(): Promise<CrdCacheFile> {
  const validate = await import('../validate/index.js');
  const out: CrdCacheFile = {};
  for (const plural of ['seinodetasks', 'seinodes', 'seinodetaskworkflows'] as const) {
    for (const flavor of ['seed', 'latest'] as const) {
      if (plural === 'seinodetaskworkflows' && flavor === 'seed') continue; // a later-API resource only
      const text = readFileSync(fileURLToPath(validate.projectCrdUrl(plural, flavor)), 'utf8');
      out[hashOf(text)] = validate.loadProjectCrd(plural, flavor);
    }
  }
  return out;
}

/** Throws exit 2 with every cause when the object is not what the apiserver would accept. */
export async function validateRendered(object: KubeObject, spec: KindSpec): Promise<void> {
  const validate = await import('../validate/index.js');
  // A kind both APIs have is checked against seed (the API the sim and most clusters serve).
  const flavors: ApiFlavor[] = spec.apis.length > 0 ? [...spec.apis].sort((a) => (a === 'seed' ? -1 : 1)) : ['seed', 'latest'];
  let first: FieldCause[] | undefined;
  for (const flavor of flavors) {
    const { causes } = validate.compileCrdValidator(await projectCrd(spec.resource === 'SeiNodeTaskWorkflow' ? 'seinodetaskworkflows' : 'seinodetasks', flavor)).validate(object, { fieldValidation: 'Strict' });
    if (causes.length === 0) return;
    first ??= causes;
  }
  throw SeiError.invalid(`the rendered ${spec.kind} is not valid for the ${flavors[0]} ${spec.resource ?? 'SeiNodeTask'} API`, first ?? [], [
    'Check the values given with --set/--values against `kubectl sei kinds`.',
  ]);
}
