/**
 * checkRestarts decides whether a RestartPod that came through Git really restarted seid after
 * the peers were rewritten; table-driven over the timelines that matter.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/types.js';
import { checkRestarts, specDrift } from '../../src/gitops/restart-check.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { restartKinds } from '../../src/services/kind-behaviour.js';

const kinds = restartKinds(loadCatalog());

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();

function discover(completedAtS: number): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name: 'p-discover-node-0', namespace: 'ns', annotations: { 'sei.io/plan-step-order': '0' } },
    spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: 'node-0' } }, discoverPeers: {} },
    status: { phase: 'Complete', conditions: [{ type: 'Ready', status: 'True', reason: 'TaskComplete', lastTransitionTime: T(completedAtS) }] },
  };
}

function restart(askedUid: string, executedAtS: number, phase = 'Complete'): KubeObject {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name: 'p-restart-node-0', namespace: 'ns', annotations: { 'sei.io/plan-step-order': '1' } },
    spec: { kind: 'RestartPod', target: { nodeRef: { name: 'node-0' } }, restartPod: { podUID: askedUid } },
    status: { phase, task: { restartedPodUID: askedUid, executionStartedAt: T(executedAtS) } },
  };
}

const pod = (uid: string, startedS: number): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'node-0-0', namespace: 'ns', uid }, status: { startTime: T(startedS) } });

describe('checkRestarts', () => {
  it.each([
    ['restarted after DiscoverPeers completed', [discover(10), restart('old', 20)], pod('new', 22), true, /restarted: uid old → new.*after DiscoverPeers p-discover-node-0/],
    ['restarted in the same second DiscoverPeers completed', [discover(10), restart('old', 10)], pod('new', 10), true, /restarted/],
    ['the pod still has the uid it was told to delete', [discover(10), restart('old', 20)], pod('old', 1), false, /never restarted/],
    ['the pod was replaced before the task ran (stale uid: a no-op)', [discover(10), restart('old', 20)], pod('other', 15), false, /no-op.*before the task ran/],
    ['the pod started before DiscoverPeers completed', [discover(30), restart('old', 20)], pod('new', 25), false, /before DiscoverPeers p-discover-node-0 completed/],
    ['no DiscoverPeers committed: only the uid and execution time count', [restart('old', 20)], pod('new', 21), true, /restarted: uid old → new, started/],
    ['the pod is gone', [restart('old', 20)], undefined, false, /does not exist now/],
  ])('%s', (_scenario, tasks, live, ok, message) => {
    const findings = checkRestarts(tasks, new Map([['ns/node-0', live]]), (t) => t.metadata.namespace ?? 'ns', kinds);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.ok).toBe(ok);
    expect(findings[0]!.message).toMatch(message);
    if (!ok) expect(findings[0]!.fix).toBe('kubectl sei task restart-pod node-0 -n ns');
  });

  it('a RestartPod that is not Complete is not judged (its verdict already says why)', () => {
    expect(checkRestarts([restart('old', 20, 'Failed')], new Map([['ns/node-0', pod('old', 1)]]), () => 'ns', kinds)).toEqual([]);
  });
});

describe('specDrift', () => {
  it.each([
    ['identical', { kind: 'GovVote', govVote: { option: 'yes' } }, { kind: 'GovVote', govVote: { option: 'yes' } }, []],
    ['apiserver defaults added live are not drift', { target: { nodeRef: { name: 'n' } } }, { target: { nodeRef: { name: 'n' }, requirePhase: 'Running', requirePhaseTimeout: '5m' } }, []],
    ['a changed payload', { govVote: { option: 'yes' } }, { govVote: { option: 'no' } }, ['spec.govVote.option']],
    ['a list of a different length', { peers: ['a', 'b'] }, { peers: ['a'] }, ['spec.peers']],
  ])('%s', (_scenario, committed, live, fields) => {
    expect(specDrift(committed, live)).toEqual(fields);
  });
});
