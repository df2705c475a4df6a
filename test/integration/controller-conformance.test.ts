/**
 * Everything the simulated controller writes must be what the real one could write: every
 * SeiNodeTask and SeiNode it leaves behind (each kind, Complete and Failed) validates against
 * the project's CRDs and the upstream ones in ../shared/crds, with no undeclared field. The
 * controller bypasses admission, so only this test keeps its status shapes honest.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileCrdValidator } from '../../src/validate/crd-validator.js';
import type { CrdDocument } from '../../src/validate/crd-types.js';
import { loadProjectCrd } from '../../src/validate/crds.js';
import { simulatedHeight } from '../../src/sim/controller/index.js';
import { phaseOf, runningNode, startHarness, type Harness } from '../support/sim-controller-harness.js';
import { upstreamCrd, upstreamCrdPath } from '../support/upstream-crds.js';

const upstream = (flavor: 'seed' | 'latest', plural: string): CrdDocument => upstreamCrd(upstreamCrdPath(flavor, plural));

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});

const upgrade = { chainId: 'sim-1', upgradeName: 'v2', upgradeHeight: 1000, title: 't', description: 'd', initialDeposit: '1usei', fees: '1usei', gas: 1 };
const vote = { chainId: 'sim-1', proposalId: 1, option: 'yes', fees: '1usei', gas: 1 };

type TaskCase = [name: string, kind: string, payload: (h: Harness) => Record<string, unknown>, node?: string];

const common = (target: number): TaskCase[] => [
  ['upgrade', 'GovSoftwareUpgrade', () => upgrade],
  ['vote', 'GovVote', () => vote],
  // Its own node: the image roll replaces the pod (upstream replace-pod), which a RestartSeid or
  // RestartPod on the same pod at the same time would lose (the sidecar's record goes with the pod).
  ['image', 'UpdateNodeImage', () => ({ image: 'ghcr.io/sei-protocol/seid:v2' }), 'roller'],
  ['height', 'AwaitNodesAtHeight', () => ({ targetHeight: target })],
  ['condition', 'AwaitCondition', () => ({ height: { targetHeight: target } })],
  ['fails', 'GovVote', () => vote, 'failing'],
  ['missing', 'GovVote', () => vote, 'nope'],
];

const perFlavor: Record<'seed' | 'latest', TaskCase[]> = {
  seed: [
    ['restart', 'RestartPod', (h) => ({ podUID: h.get('pods', 'node-0-0')!.metadata.uid })],
    ['restart-noop', 'RestartPod', () => ({ podUID: 'stale' })],
    ['discover', 'DiscoverPeers', () => ({})],
    ['discover-none', 'DiscoverPeers', () => ({}), 'failing'],
  ],
  latest: [
    ['seid', 'RestartSeid', () => ({})],
    ['ready', 'MarkReady', () => ({})],
    ['params', 'GovParamChange', () => ({ chainId: 'sim-1', title: 't', description: 'd', initialDeposit: '1usei', fees: '1usei', gas: 1, changes: [{ subspace: 'staking', key: 'MaxValidators', value: 100 }] })],
  ],
};

describe.each(['seed', 'latest'] as const)('controller output conforms to the %s CRDs', (flavor) => {
  it('every task and node status validates against the project and upstream schemas', async () => {
    const h = startHarness({ crd: flavor });
    harnesses.push(h);
    const node = await runningNode(h, 'node-0', { spec: { peers: [{ static: { addresses: ['abc@10.0.0.1:26656'] } }] } });
    await runningNode(h, 'roller');
    await runningNode(h, 'failing', {
      annotations: { 'sim.sei.io/fail-kinds': 'GovVote' },
      spec: { peers: [{ label: { selector: { role: 'nobody' } } }] },
    });
    const target = simulatedHeight(node, Date.now()) + 5;
    const cases = [...common(target), ...perFlavor[flavor]];
    for (const [name, kind, payload, target] of cases) h.task(name, kind, payload(h), { node: target });
    for (const [name] of cases) await h.until(`${name} terminal`, () => phaseOf(h, name));

    const validators = {
      seinodetasks: [compileCrdValidator(loadProjectCrd('seinodetasks', flavor)), compileCrdValidator(upstream(flavor, 'seinodetasks'))],
      seinodes: [compileCrdValidator(loadProjectCrd('seinodes', flavor)), compileCrdValidator(upstream(flavor, 'seinodes'))],
    };
    const problems: string[] = [];
    for (const [plural, list] of Object.entries(validators)) {
      for (const object of h.store.list(plural)) {
        for (const validator of list) {
          const { causes, unknownFields } = validator.validate(object);
          for (const cause of causes) problems.push(`${plural}/${object.metadata.name} (${validator.crd.metadata.name}): ${cause.field}: ${cause.message}`);
          for (const field of unknownFields) problems.push(`${plural}/${object.metadata.name}: undeclared field ${field}`);
        }
      }
    }
    expect(problems.join("\n")).toBe("");
    // The scenario really covered both verdicts.
    const phases = cases.map(([name]) => h.status(name).phase);
    expect(phases).toContain('Complete');
    expect(phases).toContain('Failed');
  });
});
