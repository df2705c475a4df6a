/**
 * The CustomResourceDefinitions the sim serves: the project's own (src/validate's loader over
 * schemas/crds) for the chosen flavor, seed-era or latest SeiNodeTask API. Cloned, because the
 * loader caches and the store stamps metadata. Must not validate.
 */
import { loadProjectCrds } from '../validate/crds.js';
import type { CrdFlavor, KubeObject } from './types.js';

export function loadServedCrds(flavor: CrdFlavor): KubeObject[] {
  return loadProjectCrds(flavor).map((crd) => structuredClone(crd) as unknown as KubeObject);
}
