/**
 * The use-case behind `kubectl sei task render`: kind + node + --set/--values -> the rendered
 * SeiNodeTask, validated against the project's CRD of the kind's API flavor (seed or latest),
 * exactly the object `task apply` would send. Offline: no cluster, so late parameters
 * (RestartPod's podUID) must be given; the paved road `task restart-pod NODE` reads them.
 */
import type { KubeObject } from '../cluster/types.js';
import type { KindSpec } from '../catalog/types.js';
import { SeiError } from '../errors/sei-error.js';

export interface RenderOfflineOptions {
  kind: string;
  node: string;
  set?: string[];
  valuesFile?: string;
  name?: string;
  /** -n; without it the task has no metadata.namespace, so `task apply` (like kubectl) puts it
   *  in the context's namespace instead of a guessed "default". */
  namespace?: string;
  templatesDir?: string;
  /** Extra labels, key=value. */
  labels?: string[];
  now?: Date;
  /** Skip the CRD validation (a user kind whose CRD the project does not know). */
  skipValidation?: boolean;
}

export interface RenderOfflineResult {
  object: KubeObject;
  spec: KindSpec;
}

function parseLabels(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw SeiError.invalid(`--label ${pair}: not key=value`, [{ field: '--label', message: `"${pair}" is not key=value` }]);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

export async function renderOffline(options: RenderOfflineOptions): Promise<RenderOfflineResult> {
  const { loadCatalog } = await import('../catalog/index.js');
  const { parseSetArgs, readValuesFile, mergeRawParams, emptyRawParams } = await import('./params.js');
  const { renderTaskDocument } = await import('./index.js');
  const catalog = loadCatalog(options.templatesDir ? { templatesDir: options.templatesDir } : {});
  const spec = catalog.require(options.kind);
  // Parse both before rendering so a --set typo and a --values typo are reported together.
  const fromFile = options.valuesFile ? await readValuesFile(options.valuesFile) : emptyRawParams();
  const raw = mergeRawParams(fromFile, parseSetArgs(options.set ?? []));
  const { object } = renderTaskDocument(catalog, {
    kind: spec.name,
    node: options.node,
    namespace: options.namespace ?? '',
    params: raw,
    ...(options.name ? { name: options.name } : {}),
    ...(options.labels && options.labels.length > 0 ? { labels: parseLabels(options.labels) } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  if (!options.skipValidation) {
    const { validateRendered } = await import('./validate-rendered.js');
    await validateRendered(object, spec);
  }
  return { object, spec };
}
