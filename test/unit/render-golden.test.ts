// A golden render per kind: the exact YAML kubectl-sei prints for fixed inputs. Regenerate
// after an intended template change with UPDATE_GOLDEN=1 and review the diff.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadCatalog } from '../../src/catalog/index.js';
import { renderTaskDocument, toSafeYaml } from '../../src/render/index.js';

const NOW = new Date('2026-11-23T19:05:01Z');
const GOV_TX = { chainId: 'arctic-1', fees: '4000usei', gas: 200000 };

export const GOLDEN_INPUTS: Array<[string, Record<string, unknown>]> = [
  ['gov-software-upgrade', { ...GOV_TX, title: 'Upgrade to v6.0.0', description: 'Scheduled upgrade', upgradeName: 'v6.0.0', upgradeHeight: 1200000, initialDeposit: '10000000usei', upgradeInfo: '{"binaries":{}}' }],
  ['gov-vote', { ...GOV_TX, proposalId: 42, option: 'yes', memo: 'ops vote' }],
  ['gov-param-change', { ...GOV_TX, title: 'Raise max validators', description: 'More validators', initialDeposit: '10000000usei', subspace: 'staking', key: 'MaxValidators', value: '100' }],
  ['await-condition', { targetHeight: 1200000, action: 'SIGTERM_SEID' }],
  ['update-node-image', { image: 'ghcr.io/sei-protocol/seid:v6.0.0' }],
  ['await-nodes-at-height', { targetHeight: 1200000, timeoutSeconds: 0 }],
  ['discover-peers', {}],
  ['restart-pod', { podUID: '0f3c2a9e-6d1b-4c0e-9a57-2b8e51f0c001' }],
  ['mark-ready', { requirePhase: 'Initializing' }],
  ['restart-seid', { requirePhaseTimeout: '10m' }],
];

describe('golden renders', () => {
  const catalog = loadCatalog();

  it('covers every kind of the catalog', () => {
    expect(GOLDEN_INPUTS.map(([name]) => name).sort()).toEqual(catalog.kinds().map((kind) => kind.name).sort());
  });

  it.each(GOLDEN_INPUTS)('%s renders its golden file', (name, params) => {
    const { object, text } = renderTaskDocument(catalog, { kind: name, node: 'node-0', namespace: 'sei', params, now: NOW });
    const yaml = toSafeYaml(object);
    const file = `test/fixtures/golden/${name}.yaml`;
    if (process.env['UPDATE_GOLDEN'] || !existsSync(file)) writeFileSync(file, yaml);
    expect(yaml).toBe(readFileSync(file, 'utf8'));
    // The template's own text and the printed YAML are the same object in both YAML versions.
    for (const version of ['1.1', '1.2'] as const) {
      expect(parse(yaml, { version })).toEqual(object);
      expect(parse(text, { version })).toEqual(object);
    }
  });
});
