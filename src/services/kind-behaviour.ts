/**
 * What differs per task kind at run time, driven by catalog data (templates/tasks/*.meta.yaml):
 * the resolvers that read late values right before a write (a meta `late` entry names one), and
 * the traits other modules ask about (restartsPod, takesEffectOnRestart). Adding a kind with a
 * late value means naming a resolver here once; no module branches on a kind's name.
 */
import type { Catalog, KindSpec, LateResolverName } from '../catalog/types.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { readSeiNodeTask, type SeiNodeTask } from '../domain/seinodetask.js';
import { SeiError } from '../errors/sei-error.js';

export interface LateResolver {
  /** What it reads, for messages: "the uid of pod node-0-0". */
  describe(node: string): string;
  /** The `gitops commit` flag that gives the value when no cluster is reachable (NODE=VALUE). */
  offlineFlag: string;
  /** A shell command that reads the value by hand. */
  command(node: string, namespace: string): string;
  /** The refusal reason when it can be neither given nor read. */
  missingReason: string;
  read(client: ClusterClient, node: string, namespace: string): Promise<string>;
}

/** The UID of pod NODE-0, read as late as possible: a stale UID makes a pod restart a silent no-op. */
export async function readPodUid(client: ClusterClient, node: string, namespace: string): Promise<string> {
  const podName = `${node}-0`;
  const pod = await client.get({ apiVersion: 'v1', kind: 'Pod', name: podName, namespace });
  const uid = pod?.metadata.uid;
  if (!pod || !uid) {
    throw SeiError.preflight('PodNotFound', `pod ${podName} of SeiNode "${node}" not found in namespace "${namespace}": there is no pod to restart`, [
      `wait for the node to start (kubectl get pods -n ${namespace} -l sei.io/node=${node}) and retry`,
    ]);
  }
  if (pod.metadata.deletionTimestamp) {
    throw SeiError.preflight('PodTerminating', `pod ${podName} (uid ${uid}) is already being deleted`, ['wait for its replacement to be Ready, then retry if a restart is still needed']);
  }
  return uid;
}

export const LATE_RESOLVER_TABLE: Readonly<Record<LateResolverName, LateResolver>> = {
  'live-pod-uid': {
    describe: (node) => `the uid of pod ${node}-0`,
    offlineFlag: '--pod-uid',
    command: (node, namespace) => `kubectl get pod ${node}-0 -n ${namespace} -o jsonpath='{.metadata.uid}'`,
    missingReason: 'PodUidRequired',
    read: readPodUid,
  },
};

export interface ResolvedLateValue {
  param: string;
  resolver: LateResolver;
}

/** The kind's late values that kubectl-sei reads itself (those without a resolver come from --set). */
export function lateResolvers(spec: KindSpec | undefined): ResolvedLateValue[] {
  return (spec?.lateValues ?? []).flatMap((value) => (value.resolver ? [{ param: value.param, resolver: LATE_RESOLVER_TABLE[value.resolver] }] : []));
}

/** Reads every resolvable late value of a kind for one node, right before a write. */
export async function readLateValues(client: ClusterClient, spec: KindSpec | undefined, node: string, namespace: string): Promise<Record<string, unknown> | undefined> {
  const resolvers = lateResolvers(spec);
  if (resolvers.length === 0) return undefined;
  const values: Record<string, unknown> = {};
  for (const { param, resolver } of resolvers) values[param] = await resolver.read(client, node, namespace);
  return values;
}

/** A catalog's SeiNodeTask reader: the typed task with the kind's own payload field and spec. */
export function taskReader(catalog: Catalog): (object: KubeObject) => { task: SeiNodeTask; spec: KindSpec | undefined } | undefined {
  return (object) => {
    const first = readSeiNodeTask(object);
    if (!first) return undefined;
    const spec = catalog.find(first.kind);
    const task = spec && spec.payloadField !== first.payloadField ? readSeiNodeTask(object, spec.payloadField)! : first;
    return { task, spec };
  };
}

/** What gitops/restart-check asks about kinds, answered from the catalog. */
export function restartKinds(catalog: Catalog): { restartsPod(kind: string): boolean; takesEffectOnRestart(kind: string): boolean; commandName(kind: string): string } {
  return {
    restartsPod: (kind) => catalog.find(kind)?.restartsPod ?? false,
    takesEffectOnRestart: (kind) => catalog.find(kind)?.takesEffectOnRestart ?? false,
    commandName: (kind) => catalog.find(kind)?.name ?? kind,
  };
}
