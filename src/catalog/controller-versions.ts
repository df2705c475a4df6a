/**
 * The sei-k8s-controller versions the plugin knows, as data: which one a cluster runs is read
 * from its served SeiNodeTask CRD (the kinds its spec.kind enum admits), and each kind's outputs
 * say which versions publish them (templates/tasks/*.meta.yaml `publishedBy`). Pure.
 */
import type { KubeObject } from '../cluster/types.js';
import { servedKinds } from './describe.js';
import type { ApiFlavor, KindSpec, OutputSpec } from './types.js';

export interface ControllerVersion {
  id: ApiFlavor;
  commit: string;
  /** How messages name it. */
  label: string;
  /** Kinds whose presence in the served CRD's enum identifies this version. */
  markerKinds: string[];
}

export const CONTROLLER_VERSIONS: Readonly<Record<ApiFlavor, ControllerVersion>> = {
  seed: { id: 'seed', commit: '204c1c0', label: 'the seed controller (sei-k8s-controller 204c1c0)', markerKinds: ['RestartPod', 'DiscoverPeers'] },
  latest: { id: 'latest', commit: '2d670ad', label: 'the latest controller (sei-k8s-controller 2d670ad)', markerKinds: ['RestartSeid', 'MarkReady', 'GovParamChange'] },
};

/** The controller version a cluster runs, read from its served SeiNodeTask CRD. */
export function controllerVersionOfCrd(crd: KubeObject): ApiFlavor {
  const kinds = servedKinds(crd);
  return CONTROLLER_VERSIONS.latest.markerKinds.some((kind) => kinds.has(kind)) ? 'latest' : 'seed';
}

export function publishedOutputs(spec: KindSpec, version: ApiFlavor): OutputSpec[] {
  return spec.outputs.filter((output) => output.publishedBy.includes(version));
}

/**
 * Why `output` of `spec` cannot be read on `version`, with the alternative, or undefined when it
 * is published there. One wording for --output-env, --env-file and plan references.
 */
export function unpublishedOutputReason(spec: KindSpec, output: string, version: ApiFlavor): string | undefined {
  const declared = spec.outputs.find((o) => o.name === output);
  if (!declared || declared.publishedBy.includes(version)) return undefined;
  const where = declared.publishedBy.length > 0 ? `only ${declared.publishedBy.map((v) => CONTROLLER_VERSIONS[v].label).join(' and ')} publishes it` : 'no controller version publishes it';
  return `${spec.kind} output ${output} is not published by ${CONTROLLER_VERSIONS[version].label} (${where}); pass the value yourself (--set / --inputs) or read it from the chain (e.g. seid query gov proposals)`;
}
