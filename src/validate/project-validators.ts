/**
 * Compiled validators for the project's own CRDs, compiled once per process and flavor, and a
 * resolver over them for validateManifests. Caching only; the engine is crd-validator.ts.
 */
import { loadProjectCrd, type CrdFlavorName, type CrdPlural } from './crds.js';
import { compileCrdValidator, type ObjectValidator } from './crd-validator.js';
import type { ValidatorResolver } from './validate-manifests.js';

const compiled = new Map<string, ObjectValidator>();

export function projectValidator(plural: CrdPlural, flavor: CrdFlavorName = 'seed'): ObjectValidator {
  const key = `${plural}/${flavor}`;
  let validator = compiled.get(key);
  if (!validator) {
    validator = compileCrdValidator(loadProjectCrd(plural, flavor));
    compiled.set(key, validator);
  }
  return validator;
}

/** Resolver over a set of validators, keyed by `apiVersion kind`. */
export function resolverFor(validators: ObjectValidator[]): ValidatorResolver & { supported: string[] } {
  const byKey = new Map(validators.map((v) => [`${v.apiVersion} ${v.kind}`, v]));
  const resolve = ((apiVersion: string, kind: string) => byKey.get(`${apiVersion} ${kind}`)) as ValidatorResolver & { supported: string[] };
  resolve.supported = [...byKey.keys()];
  return resolve;
}

/** The resolver `task validate` uses offline: SeiNodeTask and SeiNode of one API flavor. */
export function projectResolver(flavor: CrdFlavorName = 'seed'): ValidatorResolver & { supported: string[] } {
  return resolverFor([projectValidator('seinodetasks', flavor), projectValidator('seinodes', flavor)]);
}
