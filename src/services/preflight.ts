/**
 * Preflight: the checks a SeiNodeTask must pass before kubectl-sei writes it, so that an
 * operator gets a clear refusal (exit 2, nothing written) instead of a task that fails later
 * (ParamsBuildFailed), a raw 422 (kind not served), or a duplicate run (apply-once names).
 * It only READS the cluster; the one late value (RestartPod's pod UID) is read by `finalize`,
 * which the apply step calls as the very last thing before its write.
 */
import { distance } from 'fastest-levenshtein';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import type { Catalog, KindSpec } from '../catalog/types.js';
import { SeiError } from '../errors/sei-error.js';
import * as view from '../output/task-view.js';

export const TASK_API_VERSION = 'sei.io/v1alpha1';
export const TASK_KIND = 'SeiNodeTask';
export const TASK_CRD = 'seinodetasks.sei.io';

export type PreflightAction = 'create' | 'attach' | 'replace';

export interface PreflightOptions {
  /** Delete a same-named terminal task and create it again. */
  replace?: boolean;
  /** The catalog, to name paved roads in messages and to find the kind's checks. */
  catalog?: Catalog;
  /** Warnings go to stderr through the caller's progress. */
  warn: (message: string) => void;
  /**
   * RestartPod's pod UID: 'fill' (paved roads) always reads the live one; 'keep' (apply -f)
   * keeps the file's value and warns when it is stale. Default 'fill' when the value is empty.
   */
  podUid?: 'fill' | 'keep';
  /**
   * false (`task apply --no-preflight`): skip the target checks (node, peers, replicas) and
   * let the controller decide; the kind and same-name checks always run.
   */
  targetChecks?: boolean;
  /** Where the task's name comes from, so a hint names what the user can change: --name (paved roads, default) or metadata.name (apply -f). */
  nameFrom?: 'flag' | 'manifest';
}

export interface PreflightResult {
  action: PreflightAction;
  /** The same-named task found on the cluster (attach/replace). */
  existing?: KubeObject;
  /**
   * Reads late values (RestartPod's pod UID) and returns the object to write. Call it as the
   * very last step before the write; for 'attach' it returns the existing object unchanged.
   */
  finalize(): Promise<KubeObject>;
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The spec.kind values the served CRD's storage/served version accepts; undefined when it has no enum. */
export function servedKinds(crd: KubeObject): string[] | undefined {
  const versions = Array.isArray(rec(crd['spec'])['versions']) ? (rec(crd['spec'])['versions'] as unknown[]) : [];
  const version = versions.map(rec).find((v) => v['name'] === 'v1alpha1' && v['served'] !== false) ?? versions.map(rec).find((v) => v['served'] !== false);
  const schema = rec(rec(version?.['schema'])['openAPIV3Schema']);
  const kindEnum = rec(rec(rec(rec(schema['properties'])['spec'])['properties'])['kind'])['enum'];
  return Array.isArray(kindEnum) ? kindEnum.filter((k): k is string => typeof k === 'string') : undefined;
}

function pavedRoad(catalog: Catalog | undefined, kind: string): string {
  const name = catalog?.find(kind)?.name ?? kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return `kubectl sei task ${name}`;
}

/** Known moves of the SeiNodeTask API (ecosystem.md §0): what replaced what, and why it differs. */
const SKEW: Record<string, { instead?: string; why: string }> = {
  RestartPod: {
    instead: 'RestartSeid',
    why: 'RestartPod was removed from the controller (sei-k8s-controller #389) and replaced by RestartSeid, which restarts the seid process inside the running pod (the pod UID stays the same) instead of deleting the pod',
  },
  DiscoverPeers: {
    why: 'DiscoverPeers was retired (sei-k8s-controller #398): the later controller re-resolves spec.peers itself; seid still reads persistent-peers only when it restarts',
    instead: 'RestartSeid',
  },
  RestartSeid: { instead: 'RestartPod', why: 'RestartSeid exists only in the later controller API; this cluster runs the seed-era controller, where RestartPod deletes the pod and waits for its replacement' },
  MarkReady: { why: 'MarkReady exists only in the later controller API; this cluster runs the seed-era controller' },
  GovParamChange: { why: 'GovParamChange exists only in the later controller API; this cluster runs the seed-era controller' },
};

/** Refuses a kind the cluster's SeiNodeTask CRD does not serve (exit 2) or a missing CRD (exit 4). */
export async function checkKindServed(client: ClusterClient, kind: string, catalog?: Catalog): Promise<void> {
  const crd = await client.servedCrd(TASK_CRD);
  if (!crd) {
    throw SeiError.cluster('NotFound', `the SeiNodeTask CRD (${TASK_CRD}) is not installed on ${client.server}`, [
      'install the Sei controller (sei-k8s-controller) on this cluster, or pick another one with --context',
      'check with: kubectl get crd seinodetasks.sei.io',
    ], 404);
  }
  const served = servedKinds(crd);
  if (!served || served.includes(kind)) return;
  const skew = SKEW[kind];
  const replacement = skew?.instead && served.includes(skew.instead) ? skew.instead : undefined;
  const hints = replacement ? [`use \`${pavedRoad(catalog, replacement)} NODE\` instead`] : [];
  hints.push(`this cluster serves: ${served.join(', ')} (see \`kubectl sei kinds --from-cluster\`)`);
  const why = skew ? `: ${skew.why}` : '';
  throw SeiError.preflight('KindNotServed', `the cluster's SeiNodeTask CRD does not serve kind ${kind}${why}`, hints);
}

export function closeNames(wanted: string, names: readonly string[], max = 3): string[] {
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  return names
    .map((name) => ({ name, d: distance(wanted, name) }))
    .filter(({ name, d }) => d <= limit || name.startsWith(wanted) || wanted.startsWith(name))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, max)
    .map(({ name }) => name);
}

export async function requireNode(client: ClusterClient, node: string, namespace: string): Promise<KubeObject> {
  const found = await client.get({ apiVersion: TASK_API_VERSION, kind: 'SeiNode', name: node, namespace });
  if (found) return found;
  const all = await client.list(TASK_API_VERSION, 'SeiNode', { namespace });
  const names = all.items.map((n) => n.metadata.name ?? '').filter(Boolean);
  const close = closeNames(node, names);
  const hints = close.length > 0 ? [`did you mean ${close.join(' or ')}?`] : [];
  hints.push(names.length > 0 ? `SeiNodes in ${namespace}: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}` : `there are no SeiNodes in namespace ${namespace}; pick another with -n`);
  throw SeiError.preflight('TargetNotFound', `SeiNode "${node}" not found in namespace "${namespace}"`, hints);
}

/** DiscoverPeers would fail ParamsBuildFailed on the cluster: refuse now, with the reason. */
export function checkPeers(node: KubeObject): void {
  const name = node.metadata.name ?? '';
  const peers = rec(node['spec'])['peers'];
  if (!Array.isArray(peers) || peers.length === 0) {
    throw SeiError.preflight('NoPeerSources', `SeiNode "${name}" has no spec.peers: DiscoverPeers would fail with ParamsBuildFailed`, [
      `add a peer source (static, label or ec2Tags) to spec.peers: kubectl edit seinode ${name}`,
    ]);
  }
  const labelSources = peers.map(rec).filter((p) => p['label'] !== undefined);
  const resolved = rec(node['status'])['resolvedPeers'];
  if (labelSources.length > 0 && (!Array.isArray(resolved) || resolved.length === 0)) {
    const selectors = labelSources.map((p) => JSON.stringify(rec(p['label'])['selector'] ?? {})).join(', ');
    throw SeiError.preflight('PeersUnresolved', `SeiNode "${name}" has a label peer source (${selectors}) but status.resolvedPeers is empty: DiscoverPeers would fail with ParamsBuildFailed`, [
      'check that SeiNodes match the selector (kubectl get seinodes -l KEY=VALUE) and that the controller resolved them',
    ]);
  }
}

export async function checkSingleReplica(client: ClusterClient, node: KubeObject, namespace: string): Promise<void> {
  const name = node.metadata.name ?? '';
  const replicas = rec(node['spec'])['replicas'];
  const pods = await client.list('v1', 'Pod', { namespace, labelSelector: `sei.io/node=${name}` });
  const count = typeof replicas === 'number' ? Math.max(replicas, pods.items.length) : pods.items.length;
  if (count > 1) {
    throw SeiError.preflight('MultiReplicaTarget', `SeiNode "${name}" has ${count} replicas: RestartPod restarts exactly one pod of a single-replica node and the controller refuses this target`, [
      'restart the pods one by one with kubectl delete pod, or scale the node to one replica',
    ]);
  }
}

/** The UID of pod NODE-0, read as late as possible: a stale UID makes RestartPod a silent no-op. */
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

function checksFor(kind: KindSpec | undefined, kindName: string): Set<string> {
  const checks = new Set(kind?.preflight ?? []);
  // The built-in kinds' checks hold even when a user's --templates-dir entry forgets to list them.
  if (kindName === 'DiscoverPeers') checks.add('target-has-peers');
  if (kindName === 'RestartPod') {
    checks.add('single-replica');
    checks.add('pod-uid');
  }
  return checks;
}

const PEER_CHECKS = ['target-has-peers', 'peers', 'peers-resolved', 'has-peers'];
const REPLICA_CHECKS = ['single-replica', 'target-single-replica'];
const POD_UID_CHECKS = ['pod-uid', 'read-pod-uid', 'restart-pod-uid'];

/**
 * Runs every check for one rendered, validated task. Order matters: the kind first (a skewed
 * cluster makes everything else moot), then the same-named task (attach/refuse), then the target.
 */
export async function preflightTask(client: ClusterClient, object: KubeObject, options: PreflightOptions): Promise<PreflightResult> {
  const kindName = view.taskKind(object);
  const name = object.metadata.name ?? '';
  const namespace = object.metadata.namespace ?? client.namespace;
  const kind = options.catalog?.find(kindName);
  await checkKindServed(client, kindName, options.catalog);

  const existing = await client.get({ apiVersion: TASK_API_VERSION, kind: TASK_KIND, name, namespace });
  let action: PreflightAction = 'create';
  if (existing) {
    const existingKind = view.taskKind(existing);
    if (existingKind !== kindName) {
      throw SeiError.preflight('AlreadyExists', `SeiNodeTask "${name}" already exists in "${namespace}" with kind ${existingKind} (spec.kind is immutable)`, [
        options.nameFrom === 'manifest' ? 'choose another metadata.name' : 'choose another name with --name',
      ]);
    }
    if (!view.isTerminal(existing)) {
      options.warn(`SeiNodeTask "${name}" is already ${view.phase(existing)}: attaching to it instead of creating a duplicate`);
      return { action: 'attach', existing, finalize: async () => existing };
    }
    if (!options.replace) {
      throw SeiError.preflight('AlreadyTerminal', `SeiNodeTask "${name}" already ran to ${view.phase(existing)}${view.reason(existing) ? ` (${view.reason(existing)})` : ''}; tasks are apply-once by name, so applying it again would change nothing`, [
        `see what happened: kubectl sei task describe ${name} -n ${namespace}`,
        `to run it again, use --replace (deletes and recreates it) or choose a new ${options.nameFrom === 'manifest' ? 'metadata.name' : '--name'}`,
      ]);
    }
    action = 'replace';
    if (kind?.broadcasts) {
      options.warn(`WARNING: --replace deletes ${kindName} "${name}" and creates it again: the new task BROADCASTS A NEW TRANSACTION (a duplicate on-chain ${kindName === 'GovVote' ? 'vote' : 'proposal'}); the first one stays on chain.`);
    } else {
      options.warn(`--replace: deleting the ${view.phase(existing)} SeiNodeTask "${name}" and creating it again`);
    }
  }

  const nodeName = view.targetNode(object);
  if (options.targetChecks === false) {
    options.warn(`--no-preflight: not checking SeiNode "${nodeName}"; the controller decides`);
    return { action, ...(existing ? { existing } : {}), finalize: async () => object };
  }
  const node = await requireNode(client, nodeName, namespace);
  const nodePhase = typeof rec(node['status'])['phase'] === 'string' ? (rec(node['status'])['phase'] as string) : 'Pending';
  const wanted = view.requirePhase(object);
  if (nodePhase !== wanted) {
    options.warn(`SeiNode "${nodeName}" is ${nodePhase}, not ${wanted}: the task waits up to spec.target.requirePhaseTimeout for it (then fails)`);
  }
  const checks = checksFor(kind, kindName);
  if (PEER_CHECKS.some((c) => checks.has(c))) checkPeers(node);
  if (REPLICA_CHECKS.some((c) => checks.has(c))) await checkSingleReplica(client, node, namespace);
  const needsPodUid = POD_UID_CHECKS.some((c) => checks.has(c)) && kindName === 'RestartPod';

  return {
    action,
    ...(existing ? { existing } : {}),
    async finalize() {
      if (!needsPodUid) return object;
      const spec = rec(object['spec']);
      const given = rec(spec['restartPod'])['podUID'];
      const uid = await readPodUid(client, nodeName, namespace);
      if (options.podUid === 'keep' && typeof given === 'string' && given !== '') {
        if (given !== uid) options.warn(`spec.restartPod.podUID ${given} is not the live uid of pod ${nodeName}-0 (${uid}): the controller will delete nothing and complete as a no-op; use \`kubectl sei task restart-pod ${nodeName}\` to read it for you`);
        return object;
      }
      return { ...object, spec: { ...spec, restartPod: { ...rec(spec['restartPod']), podUID: uid } } };
    },
  };
}

