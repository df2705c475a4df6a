// upstream internal/task/seinodetask_params.go:193-232 (204c1c0) discoverPeersParams: a label source
// with no resolved peers is skipped; DiscoverPeers fails only when no usable source is left.
import { describe, expect, it } from 'vitest';
import { checkPeers } from '../../src/services/preflight.js';
import type { KubeObject } from '../../src/cluster/types.js';

const node = (peers: unknown[], resolvedPeers?: string[]): KubeObject => ({
  apiVersion: 'sei.io/v1alpha1',
  kind: 'SeiNode',
  metadata: { name: 'n0', namespace: 'sei' },
  spec: { peers },
  ...(resolvedPeers ? { status: { resolvedPeers } } : {}),
});

describe('DiscoverPeers preflight follows the controller', () => {
  it('a static source next to an unresolved label source passes (the label source is skipped)', () => {
    expect(() => checkPeers(node([{ static: { addresses: ['a@b:1'] } }, { label: { selector: { role: 'x' } } }]))).not.toThrow();
  });
  it('only unresolved label sources are refused', () => {
    expect(() => checkPeers(node([{ label: { selector: { role: 'x' } } }]))).toThrow(/resolvedPeers is empty/);
  });
  it('a resolved label source passes', () => {
    expect(() => checkPeers(node([{ label: { selector: { role: 'x' } } }], ['id@host:26656']))).not.toThrow();
  });
});
