/**
 * The upstream sei-k8s-controller CRDs the tests compare the project's own against (seed commit
 * 204c1c0 at the top, `latest/` for 2d670ad). One way to reach them: $SEI_UPSTREAM_CRDS, else
 * ../shared/crds next to the repository. Without either, the tests that need them fail and say
 * how to provide them (they never skip silently: an agreement nobody checked is no agreement).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { CrdDocument } from '../../src/validate/crd-types.js';

export const UPSTREAM_CRDS_ENV = 'SEI_UPSTREAM_CRDS';
const DEFAULT_DIR = fileURLToPath(new URL('../../../shared/crds/', import.meta.url));

/** The directory holding sei.io_*.yaml (seed) and latest/sei.io_*.yaml; throws a clear error when absent. */
export function upstreamCrdsDir(): string {
  const dir = resolve(process.env[UPSTREAM_CRDS_ENV] ?? DEFAULT_DIR);
  if (!existsSync(join(dir, 'sei.io_seinodetasks.yaml')) || !existsSync(join(dir, 'latest', 'sei.io_seinodetasks.yaml'))) {
    throw new Error(
      `the upstream sei-k8s-controller CRDs are not at ${dir} (sei.io_seinodetasks.yaml and latest/sei.io_seinodetasks.yaml): ` +
        `set ${UPSTREAM_CRDS_ENV} to a directory with config/crd/bases of sei-protocol/sei-k8s-controller at 204c1c0, and that of 2d670ad under latest/ (see README "Tests")`,
    );
  }
  return dir;
}

/** One upstream CRD file by its path under the directory, e.g. `latest/sei.io_seinodes.yaml`. */
export function upstreamCrdFile(file: string): string {
  return join(upstreamCrdsDir(), file);
}

export function upstreamCrd(file: string): CrdDocument {
  return parse(readFileSync(upstreamCrdFile(file), 'utf8')) as CrdDocument;
}

/** The file of a plural for a flavor: seed at the top, latest under latest/. */
export function upstreamCrdPath(flavor: 'seed' | 'latest', plural: string): string {
  return `${flavor === 'latest' ? 'latest/' : ''}sei.io_${plural}.yaml`;
}
