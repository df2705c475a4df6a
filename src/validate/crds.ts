/**
 * Loads the project's own CRD definitions from schemas/crds/ (shipped in the package).
 * Owns file lookup and a parse cache; it does not compile validators (crd-validator.ts does)
 * and never reads the upstream reference CRDs (only tests do that).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CrdDocument } from './crd-types.js';

export type CrdPlural = 'seinodetasks' | 'seinodes' | 'seinodetaskworkflows';
export type CrdFlavorName = 'seed' | 'latest';

/** The file per resource and flavor; a flavor without an entry does not serve that resource. */
const FILES: Record<CrdPlural, Partial<Record<CrdFlavorName, string>>> = {
  seinodetasks: { seed: 'seinodetasks.seed.yaml', latest: 'seinodetasks.latest.yaml' },
  // The later SeiNode API differs only in what kubectl-sei barely touches (a `seed` mode in the
  // mode union, extra status fields), but the union message changed, so it gets its own file.
  seinodes: { seed: 'seinodes.yaml', latest: 'seinodes.latest.yaml' },
  // Workflows arrived after the seed controller: only the later API serves them.
  seinodetaskworkflows: { latest: 'seinodetaskworkflows.latest.yaml' },
};

/** Whether a flavor's controller serves the resource at all. */
export function servesCrd(plural: CrdPlural, flavor: CrdFlavorName): boolean {
  return FILES[plural][flavor] !== undefined;
}

const cache = new Map<string, CrdDocument>();

/** The file URL of a project CRD; resolves the same from src/ (vitest) and dist/ (built). */
export function projectCrdUrl(plural: CrdPlural, flavor: CrdFlavorName): URL {
  const file = FILES[plural][flavor];
  if (file === undefined) throw new Error(`the ${flavor} controller API has no ${plural}`);
  return new URL(`../../schemas/crds/${file}`, import.meta.url);
}

/**
 * The parsed CRD for a resource and API flavor. Cached: callers must treat it as read-only
 * (clone before handing it to code that mutates, e.g. a store that stamps metadata).
 */
export function loadProjectCrd(plural: CrdPlural, flavor: CrdFlavorName = 'seed'): CrdDocument {
  const key = `${plural}/${flavor}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const url = projectCrdUrl(plural, flavor);
  const crd = parse(readFileSync(url, 'utf8')) as CrdDocument;
  if (crd?.kind !== 'CustomResourceDefinition') {
    throw new Error(`${url.pathname} is not a CustomResourceDefinition`);
  }
  cache.set(key, crd);
  return crd;
}

/** Every project CRD served for a flavor (what the sim installs). */
export function loadProjectCrds(flavor: CrdFlavorName = 'seed'): CrdDocument[] {
  return (Object.keys(FILES) as CrdPlural[]).filter((plural) => servesCrd(plural, flavor)).map((plural) => loadProjectCrd(plural, flavor));
}
