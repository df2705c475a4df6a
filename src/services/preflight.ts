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
import { lateResolvers } from './kind-behaviour.js';
import { PEER_CHECKS, REPLICA_CHECKS } from '../catalog/checks.js';
import { asRecord as rec, readSeiNodeTask, withPayloadValues } from '../domain/seinodetask.js';

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
  // Known moves of the SeiNodeTask API (ecosystem.md §0) are catalog data: replacedBy, unservedBecause.
  const skew = catalog?.find(kind);
  const replacement = skew?.replacedBy && served.includes(skew.replacedBy) ? skew.replacedBy : undefined;
  const hints = replacement ? [`use \`${pavedRoad(catalog, replacement)} NODE\` instead`] : [];
  hints.push(`this cluster serves: ${served.join(', ')} (see \`kubectl sei kinds --from-cluster\`)`);
  const why = skew?.unservedBecause ? `: ${skew.unservedBecause}` : '';
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

/**
 * kubectl's NotFound for a named object (`<resource> "NAME" not found in namespace "NS"`, exit 2),
 * with the closest names in the namespace and the command that lists them.
 */
export async function notFoundNear(client: ClusterClient, ref: { apiVersion: string; kind: string; resource: string; listCommand: string }, name: string, namespace: string): Promise<SeiError> {
  const all = await client.list(ref.apiVersion, ref.kind, { namespace });
  const close = closeNames(name, all.items.map((item) => item.metadata.name ?? ''));
  return new SeiError(`${ref.resource} "${name}" not found in namespace "${namespace}"`, {
    reason: 'NotFound',
    exitCode: 2,
    httpCode: 404,
    hints: [...(close.length > 0 ? [`did you mean ${close.join(' or ')}?`] : []), `list them with: ${ref.listCommand} -n ${namespace}`],
  });
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
  // upstream seinodetask_params.go discoverPeersParams (204c1c0): an unresolved label source is
  // skipped; only when no usable source is left does DiscoverPeers fail.
  const otherSources = peers.length - labelSources.length;
  if (labelSources.length > 0 && otherSources === 0 && (!Array.isArray(resolved) || resolved.length === 0)) {
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

/** The checks a kind's meta lists (a --templates-dir override keeps the built-in's, see the catalog). */
function checksFor(kind: KindSpec | undefined): Set<string> {
  return new Set(kind?.preflight ?? []);
}

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
      options.warn(`WARNING: --replace deletes ${kindName} "${name}" and creates it again: the new task BROADCASTS A NEW TRANSACTION (a duplicate on-chain ${kind.broadcastNoun ?? 'transaction'}); the first one stays on chain.`);
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
  const checks = checksFor(kind);
  if (PEER_CHECKS.some((c) => checks.has(c))) checkPeers(node);
  if (REPLICA_CHECKS.some((c) => checks.has(c))) await checkSingleReplica(client, node, namespace);
  const late = lateResolvers(kind);

  return {
    action,
    ...(existing ? { existing } : {}),
    async finalize() {
      if (late.length === 0 || !kind) return object;
      const task = readSeiNodeTask(object, kind.payloadField);
      const values: Record<string, unknown> = {};
      for (const { param, resolver } of late) {
        const given = task?.payload[param];
        const live = await resolver.read(client, nodeName, namespace);
        if (options.podUid === 'keep' && typeof given === 'string' && given !== '') {
          if (given !== live) options.warn(`spec.${kind.payloadField}.${param} ${given} is not ${resolver.describe(nodeName)} now (${live}): the controller will act on nothing and complete as a no-op; use \`kubectl sei task ${kind.name} ${nodeName}\` to read it for you`);
          continue;
        }
        values[param] = live;
      }
      return Object.keys(values).length === 0 ? object : withPayloadValues(object, kind.payloadField, values);
    },
  };
}

