/**
 * The shared corpus of the CRD agreement tests: valid and invalid SeiNodeTasks of both API
 * flavors and SeiNodes, plus where the upstream sei-k8s-controller CRDs live. Data only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { CrdDocument } from '../../src/validate/index.js';

export { upstreamCrd as upstream } from '../support/upstream-crds.js';

export type Obj = Record<string, unknown>;
export type Flavor = 'seed' | 'latest';

export const UPSTREAM_FILES: Record<'seinodetasks' | 'seinodes', Record<Flavor, string>> = {
  seinodetasks: { seed: 'sei.io_seinodetasks.yaml', latest: 'latest/sei.io_seinodetasks.yaml' },
  seinodes: { seed: 'sei.io_seinodes.yaml', latest: 'latest/sei.io_seinodes.yaml' },
};

const target = { nodeRef: { name: 'node-0' } };
const gsu = { chainId: 'arctic-1', title: 'v6', description: 'upgrade', upgradeName: 'v6.0.0', upgradeHeight: 1000, initialDeposit: '10000000usei', fees: '2000usei', gas: 200000 };
const vote = { chainId: 'arctic-1', proposalId: 3, option: 'yes', fees: '2000usei', gas: 200000 };
const gpc = { chainId: 'arctic-1', title: 't', description: 'd', initialDeposit: '1usei', fees: '8000usei', gas: 1, changes: [{ subspace: 'staking', key: 'MaxValidators', value: '100' }] };

const payloads: Record<Flavor, Record<string, Obj>> = {
  seed: {
    GovSoftwareUpgrade: { govSoftwareUpgrade: gsu },
    GovVote: { govVote: vote },
    AwaitCondition: { awaitCondition: { height: { targetHeight: 10 } } },
    UpdateNodeImage: { updateNodeImage: { image: 'ghcr.io/sei-protocol/seid:v6.0.0' } },
    AwaitNodesAtHeight: { awaitNodesAtHeight: { targetHeight: 5 } },
    DiscoverPeers: { discoverPeers: {} },
    RestartPod: { restartPod: { podUID: '7f0c6a44-1b1e-4c55-9d1c-3a1d1f0b9e11' } },
  },
  latest: {
    GovSoftwareUpgrade: { govSoftwareUpgrade: gsu },
    GovVote: { govVote: { ...vote, option: 'no_with_veto' } },
    GovParamChange: { govParamChange: gpc },
    AwaitCondition: { awaitCondition: { height: { targetHeight: 10 }, action: 'SIGTERM_SEID' } },
    UpdateNodeImage: { updateNodeImage: { image: 'ghcr.io/sei-protocol/seid:v6.0.0' } },
    AwaitNodesAtHeight: { awaitNodesAtHeight: { targetHeight: 5 } },
    RestartSeid: { restartSeid: {} },
    MarkReady: { markReady: {} },
  },
};

function task(spec: Obj, extra: Obj = {}): Obj {
  return { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name: 'task-a', namespace: 'sei' }, spec, ...extra };
}

export interface Case {
  name: string;
  object: Obj;
  oldObject?: Obj;
}

export function taskCorpus(flavor: Flavor): Case[] {
  const cases: Case[] = [];
  const kinds = Object.keys(payloads[flavor]);
  for (const kind of kinds) cases.push({ name: `valid ${kind}`, object: task({ kind, target, ...payloads[flavor][kind] }) });
  for (const kind of kinds) cases.push({ name: `${kind} without payload`, object: task({ kind, target }) });
  const [first, second] = kinds;
  cases.push(
    { name: 'two payloads', object: task({ kind: first!, target, ...payloads[flavor][first!], ...payloads[flavor][second!] }) },
    { name: 'payload of another kind', object: task({ kind: first!, target, ...payloads[flavor][second!] }) },
    { name: 'unknown kind', object: task({ kind: 'Reboot', target }) },
    { name: 'kind of the other API', object: task({ kind: flavor === 'seed' ? 'MarkReady' : 'RestartPod', target }) },
    { name: 'missing target', object: task({ kind: 'AwaitNodesAtHeight', ...payloads[flavor]['AwaitNodesAtHeight'] }) },
    { name: 'missing kind', object: task({ target, awaitNodesAtHeight: { targetHeight: 1 } }) },
    { name: 'bad node name', object: task({ kind: 'AwaitNodesAtHeight', target: { nodeRef: { name: '-node' } }, ...payloads[flavor]['AwaitNodesAtHeight'] }) },
    { name: 'node name too long', object: task({ kind: 'AwaitNodesAtHeight', target: { nodeRef: { name: 'a'.repeat(254) } }, ...payloads[flavor]['AwaitNodesAtHeight'] }) },
    { name: 'empty node name', object: task({ kind: 'AwaitNodesAtHeight', target: { nodeRef: { name: '' } }, ...payloads[flavor]['AwaitNodesAtHeight'] }) },
    { name: 'bad requirePhase', object: task({ kind: 'AwaitNodesAtHeight', target: { ...target, requirePhase: 'Ready' }, ...payloads[flavor]['AwaitNodesAtHeight'] }) },
    { name: 'explicit requirePhase and timeout', object: task({ kind: 'AwaitNodesAtHeight', target: { ...target, requirePhase: 'Initializing', requirePhaseTimeout: '30s' }, ...payloads[flavor]['AwaitNodesAtHeight'] }) },
    { name: 'negative timeoutSeconds', object: task({ kind: 'AwaitNodesAtHeight', target, timeoutSeconds: -1, ...payloads[flavor]['AwaitNodesAtHeight'] }) },
    { name: 'string timeoutSeconds', object: task({ kind: 'AwaitNodesAtHeight', target, timeoutSeconds: '60', ...payloads[flavor]['AwaitNodesAtHeight'] }) },
    { name: 'zero targetHeight', object: task({ kind: 'AwaitNodesAtHeight', target, awaitNodesAtHeight: { targetHeight: 0 } }) },
    { name: 'vote option not in enum', object: task({ kind: 'GovVote', target, govVote: { ...vote, option: 'YES' } }) },
    { name: 'vote without proposalId', object: task({ kind: 'GovVote', target, govVote: { ...vote, proposalId: undefined } }) },
    { name: 'vote with bad keyName', object: task({ kind: 'GovVote', target, govVote: { ...vote, keyName: 'my key' } }) },
    { name: 'upgrade missing fields', object: task({ kind: 'GovSoftwareUpgrade', target, govSoftwareUpgrade: { chainId: 'c' } }) },
    { name: 'upgrade with empty title', object: task({ kind: 'GovSoftwareUpgrade', target, govSoftwareUpgrade: { ...gsu, title: '' } }) },
    { name: 'image too long', object: task({ kind: 'UpdateNodeImage', target, updateNodeImage: { image: 'i'.repeat(600) } }) },
    { name: 'await condition without height', object: task({ kind: 'AwaitCondition', target, awaitCondition: { action: 'SIGTERM_SEID' } }) },
    { name: 'await condition bad action', object: task({ kind: 'AwaitCondition', target, awaitCondition: { height: { targetHeight: 1 }, action: 'KILL' } }) },
    { name: 'unknown spec field', object: task({ kind: 'AwaitNodesAtHeight', target, extra: 'x', ...payloads[flavor]['AwaitNodesAtHeight'] }) },
    { name: 'bad metadata.name', object: { ...task({ kind: 'AwaitNodesAtHeight', target, ...payloads[flavor]['AwaitNodesAtHeight'] }), metadata: { name: 'Task_A' } } },
    {
      name: 'valid status',
      object: task(
        { kind: 'AwaitNodesAtHeight', target, ...payloads[flavor]['AwaitNodesAtHeight'] },
        {
          status: {
            phase: 'Complete',
            observedGeneration: 1,
            conditions: [{ type: 'Ready', status: 'True', reason: 'TaskComplete', message: 'done', lastTransitionTime: '2026-11-23T19:00:00Z' }],
            task: { id: 'f1d2d2f9-24e4-5e1a-9f0b-0c1d2e3f4a5b', status: 'Complete', executionStartedAt: '2026-11-23T18:59:00Z' },
            outputs: { awaitNodesAtHeight: { currentHeight: 6 } },
          },
        },
      ),
    },
    {
      name: 'bad status',
      object: task({ kind: 'AwaitNodesAtHeight', target, ...payloads[flavor]['AwaitNodesAtHeight'] }, { status: { phase: 'Done', conditions: [{ type: 'Ready', status: 'Yes' }], task: { status: 'Complete' } } }),
    },
    { name: 'update keeping kind', object: task({ kind: first!, target, ...payloads[flavor][first!] }), oldObject: task({ kind: first!, target, ...payloads[flavor][first!] }) },
    { name: 'update changing kind', object: task({ kind: second!, target, ...payloads[flavor][second!] }), oldObject: task({ kind: first!, target, ...payloads[flavor][first!] }) },
  );
  if (flavor === 'seed') {
    cases.push(
      { name: 'RestartPod with empty podUID', object: task({ kind: 'RestartPod', target, restartPod: { podUID: '' } }) },
      { name: 'RestartPod without podUID', object: task({ kind: 'RestartPod', target, restartPod: {} }) },
      { name: 'DiscoverPeers with a field in its empty payload', object: task({ kind: 'DiscoverPeers', target, discoverPeers: { force: true } }) },
    );
  } else {
    cases.push(
      { name: 'GovParamChange with no changes', object: task({ kind: 'GovParamChange', target, govParamChange: { ...gpc, changes: [] } }) },
      { name: 'GovParamChange change without value', object: task({ kind: 'GovParamChange', target, govParamChange: { ...gpc, changes: [{ subspace: 's', key: 'k' }] } }) },
      { name: 'GovParamChange structured value', object: task({ kind: 'GovParamChange', target, govParamChange: { ...gpc, changes: [{ subspace: 's', key: 'k', value: { a: [1, true] } }] } }) },
      { name: 'RestartSeid with a field in its empty payload', object: task({ kind: 'RestartSeid', target, restartSeid: { now: true } }) },
    );
  }
  return cases;
}

function seiNode(spec: Obj, status?: Obj): Obj {
  return { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name: 'node-0', namespace: 'sei' }, spec, ...(status ? { status } : {}) };
}

export function nodeCorpus(flavor: Flavor): Case[] {
  const base = { chainId: 'arctic-1', image: 'ghcr.io/sei-protocol/seid:v6', fullNode: {} };
  const cases: Case[] = [
    { name: 'fullNode with static peers', object: seiNode({ ...base, peers: [{ static: { addresses: ['abc@10.0.0.1:26656'] } }] }) },
    { name: 'archive with label peers', object: seiNode({ chainId: 'arctic-1', image: 'i', archive: {}, peers: [{ label: { selector: { role: 'rpc' }, namespace: 'sei' } }] }) },
    { name: 'ec2 peers', object: seiNode({ ...base, peers: [{ ec2Tags: { region: 'us-east-2', tags: { Chain: 'arctic-1' } } }] }) },
    { name: 'two peer sources', object: seiNode({ ...base, peers: [{ static: { addresses: ['a@b:1'] }, ec2Tags: { region: 'r', tags: { a: 'b' } } }] }) },
    { name: 'empty peer source', object: seiNode({ ...base, peers: [{ static: { addresses: ['a@b:1'] } }, {}] }) },
    { name: 'static without addresses', object: seiNode({ ...base, peers: [{ static: {} }] }) },
    { name: 'label with empty selector', object: seiNode({ ...base, peers: [{ label: { selector: {} } }] }) },
    { name: 'no mode', object: seiNode({ chainId: 'arctic-1', image: 'i' }) },
    { name: 'two modes', object: seiNode({ ...base, archive: {} }) },
    { name: 'missing image and chainId', object: seiNode({ fullNode: {} }) },
    { name: 'bad chainId', object: seiNode({ ...base, chainId: 'Arctic_1' }) },
    { name: 'overrides must be strings', object: seiNode({ ...base, overrides: { 'evm.http_port': 8545 } }) },
    { name: 'paused must be boolean', object: seiNode({ ...base, paused: 'yes' }) },
    { name: 'unknown spec field', object: seiNode({ ...base, replicas: 2 }) },
    {
      name: 'status as a real cluster prints it',
      object: seiNode(base, {
        phase: 'Running',
        currentImage: 'ghcr.io/sei-protocol/seid:v6',
        resolvedPeers: ['abc@node-1-0.node-1.sei.svc.cluster.local:26656'],
        statefulSet: { name: 'node-0', uid: 'u-1' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'Running', message: '', lastTransitionTime: '2026-11-23T19:00:00Z' }],
        plan: { id: 'p', phase: 'Complete', targetPhase: 'Running', tasks: [{ type: 'config-apply', id: 't', status: 'Complete', params: { any: { thing: 1 } } }] },
      }),
    },
    { name: 'bad status phase', object: seiNode(base, { phase: 'Up' }) },
    { name: 'plan without tasks', object: seiNode(base, { plan: { phase: 'Active' } }) },
    { name: 'replayer without snapshot', object: seiNode({ chainId: 'c', image: 'i', replayer: {}, peers: [{ static: { addresses: ['a@b:1'] } }] }) },
    { name: 'replayer without peers', object: seiNode({ chainId: 'c', image: 'i', replayer: { snapshot: { s3: { targetHeight: 100 } } } }) },
    {
      name: 'validator sharing one Secret for both keys',
      object: seiNode({ chainId: 'c', image: 'i', validator: { signingKey: { secret: { secretName: 's' } }, nodeKey: { secret: { secretName: 's' } } } }),
    },
    { name: 'validator with only a signing key', object: seiNode({ chainId: 'c', image: 'i', validator: { signingKey: { secret: { secretName: 's' } } } }) },
    {
      name: 'update unsetting dataVolume.import',
      object: seiNode({ ...base, dataVolume: {} }),
      oldObject: seiNode({ ...base, dataVolume: { import: { pvcName: 'p' } } }),
    },
  ];
  if (flavor === 'latest') {
    cases.push(
      { name: 'seed mode', object: seiNode({ chainId: 'arctic-1', image: 'i', seed: { nodeKey: { secret: { secretName: 'k' } } } }) },
      { name: 'seed mode without nodeKey', object: seiNode({ chainId: 'arctic-1', image: 'i', seed: {} }) },
    );
  }
  return cases;
}


/** The workflow API exists only at the later controller version. */
export const UPSTREAM_WORKFLOW_FILE = 'latest/sei.io_seinodetaskworkflows.yaml';

function workflow(spec: Obj, name = 'wf-a'): Obj {
  return { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTaskWorkflow', metadata: { name, namespace: 'sei' }, spec };
}

/** Valid and invalid SeiNodeTaskWorkflows, creates and updates (upstream seinodetaskworkflow_types.go). */
export function workflowCorpus(): Case[] {
  const rpc = ['rpc-a.sei.io:26657', 'rpc-b.sei.io:26657'];
  const plain = { kind: 'StateSync', target, stateSync: {} };
  const giga = { kind: 'StateSync', target, stateSync: { rpcServers: rpc, migration: { kind: 'GigaStore', gigaStore: { backend: 'pebbledb' } } } };
  return [
    { name: 'plain resync, no witnesses (node status supplies them)', object: workflow(plain) },
    { name: 'giga-store migration with two witnesses', object: workflow(giga) },
    { name: 'giga-store with rocksdb', object: workflow({ ...giga, stateSync: { rpcServers: rpc, migration: { kind: 'GigaStore', gigaStore: { backend: 'rocksdb' } } } }) },
    { name: 'giga-store with defaulted backend', object: workflow({ ...giga, stateSync: { migration: { kind: 'GigaStore', gigaStore: {} } } }) },
    { name: 'requirePhase and timeout', object: workflow({ ...plain, target: { ...target, requirePhase: 'Initializing', requirePhaseTimeout: '30s' } }) },
    { name: 'no stateSync', object: workflow({ kind: 'StateSync', target }) },
    { name: 'unknown kind', object: workflow({ ...plain, kind: 'Wipe' }) },
    { name: 'no target', object: workflow({ kind: 'StateSync', stateSync: {} }) },
    { name: 'bad node name', object: workflow({ ...plain, target: { nodeRef: { name: 'Node_0' } } }) },
    { name: 'bad requirePhase', object: workflow({ ...plain, target: { ...target, requirePhase: 'Ready' } }) },
    { name: 'one witness', object: workflow({ ...plain, stateSync: { rpcServers: ['rpc-a.sei.io:26657'] } }) },
    { name: 'witness with a scheme', object: workflow({ ...plain, stateSync: { rpcServers: ['http://rpc-a:26657', 'rpc-b:26657'] } }) },
    { name: 'duplicate witnesses (a set)', object: workflow({ ...plain, stateSync: { rpcServers: ['rpc-a:26657', 'rpc-a:26657'] } }) },
    { name: 'migration without payload', object: workflow({ ...plain, stateSync: { migration: { kind: 'GigaStore' } } }) },
    { name: 'migration with unknown kind', object: workflow({ ...plain, stateSync: { migration: { kind: 'Other', gigaStore: {} } } }) },
    { name: 'unknown backend', object: workflow({ ...plain, stateSync: { migration: { kind: 'GigaStore', gigaStore: { backend: 'leveldb' } } } }) },
    { name: 'update keeping the spec', object: workflow(giga), oldObject: workflow(giga) },
    { name: 'update changing the target', object: workflow({ ...giga, target: { nodeRef: { name: 'node-1' } } }), oldObject: workflow(giga) },
    { name: 'update changing the recipe', object: workflow({ ...giga, stateSync: { rpcServers: rpc } }), oldObject: workflow(giga) },
  ];
}
