/** The catalog's kind names, for the command line (completion, paved-road names in `task render`). */
import { loadCatalog } from '../catalog/index.js';

export function kindNames(): string[] {
  return loadCatalog().kinds().map((kind) => kind.name);
}

/** True when the catalog (with --templates-dir) knows `name` as a kind. */
export function isCatalogKind(name: string, templatesDir?: string): boolean {
  return loadCatalog(templatesDir ? { templatesDir } : {}).find(name) !== undefined;
}
