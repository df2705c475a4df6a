/**
 * The paved roads' first half, offline: kebab kind + node + --set/--values → the rendered,
 * validated SeiNodeTask. Late parameters (RestartPod's podUID) get a marked placeholder here
 * and are filled by preflight's finalize right before the write. It must not touch the cluster.
 */
import type { KubeObject } from '../cluster/types.js';
import type { Catalog, KindSpec } from '../catalog/types.js';
import { validateTaskObjects } from './validate-objects.js';

/** Never a real UID (not a UUID), so a rendered-but-not-finalized RestartPod cannot restart anything. */
export const LATE_PLACEHOLDER = 'read-by-preflight-before-apply';

export interface RenderInput {
  /** kebab name or PascalCase kind. */
  kind: string;
  node: string;
  name?: string;
  namespace: string;
  set?: string[];
  valuesFile?: string;
  templatesDir?: string;
  /** An already-loaded catalog (tests, refresh-peers' second step). */
  catalog?: Catalog;
}

export interface Rendered {
  catalog: Catalog;
  spec: KindSpec;
  object: KubeObject;
  /** Late parameters the user set explicitly (kept as given, checked for staleness). */
  lateGiven: string[];
}

export async function renderValidated(input: RenderInput): Promise<Rendered> {
  const { loadCatalog } = await import('../catalog/index.js');
  const { parseSetArgs, readValuesFile, mergeRawParams, emptyRawParams, coerceParams } = await import('../render/params.js');
  const { renderTask } = await import('../render/index.js');
  const catalog = input.catalog ?? loadCatalog(input.templatesDir ? { templatesDir: input.templatesDir } : {});
  const spec = catalog.require(input.kind);
  const fromFile = input.valuesFile ? await readValuesFile(input.valuesFile) : emptyRawParams();
  const raw = mergeRawParams(fromFile, parseSetArgs(input.set ?? []));
  const lateGiven: string[] = [];
  for (const param of spec.params) {
    if (!param.late) continue;
    if (raw.values[param.name] !== undefined) lateGiven.push(param.name);
    else {
      raw.values[param.name] = LATE_PLACEHOLDER;
      raw.fromCommandLine.add(param.name);
    }
  }
  const params = coerceParams(spec, raw);
  const object = renderTask(catalog, {
    kind: spec.name,
    node: input.node,
    namespace: input.namespace,
    params,
    ...(input.name ? { name: input.name } : {}),
  });
  await validateTaskObjects([{ object }], catalog);
  return { catalog, spec, object, lateGiven };
}
