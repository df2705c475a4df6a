/**
 * The fleet a plan fans out over: SeiNodes read from the cluster, or from a --fleet file offline
 * (a `kubectl get seinodes -o yaml` List, multi-document SeiNodes, or a short list of
 * {name, labels, phase, peers}). Owns the translation to FleetNode only.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocumentsBounded } from '../domain/yaml-depth.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/index.js';
import { asRecord as rec } from '../domain/seinodetask.js';
import type { FleetNode } from './types.js';



/** DiscoverPeers fails ParamsBuildFailed without spec.peers, or with only unresolved label sources. */
function hasPeers(node: Record<string, unknown>): boolean {
  const peers = rec(node['spec'])['peers'];
  if (!Array.isArray(peers) || peers.length === 0) return false;
  const labelSources = peers.filter((p) => rec(p)['label'] !== undefined);
  if (labelSources.length < peers.length) return true;
  const resolved = rec(node['status'])['resolvedPeers'];
  return Array.isArray(resolved) && resolved.length > 0;
}

const MODES = ['fullNode', 'archive', 'replayer', 'validator', 'seed'];

/** What `plan simulate` needs to predict a workflow step (upstream internal/controller/node/workflow.go). */
function workflowFacts(o: Record<string, unknown>): Pick<FleetNode, 'mode' | 'paused' | 'stateSyncers' | 'workflow'> {
  const spec = rec(o['spec']);
  const status = rec(o['status']);
  const mode = MODES.find((m) => spec[m] !== undefined && spec[m] !== null) ?? '';
  const syncers = status['resolvedStateSyncers'];
  const adopted = rec(status['adoptedWorkflow']);
  const conditions = Array.isArray(status['conditions']) ? (status['conditions'] as unknown[]).map(rec) : [];
  const held = conditions.some((c) => c['type'] === 'WorkflowInProgress' && c['status'] === 'True' && c['reason'] === 'WorkflowFailedHeld');
  return {
    mode,
    ...(spec['paused'] === true ? { paused: true } : {}),
    stateSyncers: Array.isArray(syncers) ? syncers.length : 0,
    ...(typeof adopted['name'] === 'string' ? { workflow: { name: adopted['name'], failedHeld: held } } : {}),
  };
}

export function fleetNodeFromObject(object: KubeObject | Record<string, unknown>): FleetNode {
  const o = object as Record<string, unknown>;
  if (o['metadata']) {
    const meta = rec(o['metadata']);
    return {
      name: String(meta['name'] ?? ''),
      labels: rec(meta['labels']) as Record<string, string>,
      ...(typeof rec(o['status'])['phase'] === 'string' ? { phase: rec(o['status'])['phase'] as string } : {}),
      hasPeers: hasPeers(o),
      ...workflowFacts(o),
    };
  }
  const peers = o['peers'];
  return {
    name: String(o['name'] ?? ''),
    labels: rec(o['labels']) as Record<string, string>,
    phase: typeof o['phase'] === 'string' ? (o['phase'] as string) : 'Running',
    hasPeers: typeof o['hasPeers'] === 'boolean' ? (o['hasPeers'] as boolean) : Array.isArray(peers) ? peers.length > 0 : true,
    ...(typeof o['mode'] === 'string' ? { mode: o['mode'] } : {}),
    ...(o['paused'] === true ? { paused: true } : {}),
    ...(typeof o['stateSyncers'] === 'number' ? { stateSyncers: o['stateSyncers'] } : {}),
  };
}

export function readFleetFile(file: string): FleetNode[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw SeiError.invalid(`--fleet ${file}: cannot read the file`, [], ['Give a YAML file of SeiNodes (kubectl get seinodes -o yaml > fleet.yaml).']);
  }
  const nodes: FleetNode[] = [];
  for (const doc of parseAllDocumentsBounded(text, file, {}, `--fleet ${file}`)) {
    if ('errors' in doc && doc.errors.length > 0) throw SeiError.invalid(`--fleet ${file}: ${doc.errors[0]!.message.split('\n')[0]}`);
    const value = doc.toJS() as unknown;
    const list = Array.isArray(value) ? value : Array.isArray(rec(value)['items']) ? (rec(value)['items'] as unknown[]) : Array.isArray(rec(value)['nodes']) ? (rec(value)['nodes'] as unknown[]) : value ? [value] : [];
    for (const entry of list) nodes.push(fleetNodeFromObject(rec(entry)));
  }
  const unnamed = nodes.findIndex((n) => !n.name);
  if (unnamed >= 0) throw SeiError.invalid(`--fleet ${file}: entry ${unnamed + 1} has no name`);
  return nodes;
}

export async function fleetFromCluster(client: ClusterClient, namespace: string, labelSelector?: string): Promise<FleetNode[]> {
  const list = await client.list('sei.io/v1alpha1', 'SeiNode', { namespace, ...(labelSelector ? { labelSelector } : {}) });
  return list.items.map(fleetNodeFromObject);
}
