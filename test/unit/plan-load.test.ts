import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCatalog } from '../../src/catalog/index.js';
import type { SeiError } from '../../src/errors/index.js';
import { checkPlan, locatePlan, parsePlanText } from '../../src/plan/load.js';
import { kindLookup } from '../../src/plan/tasks.js';
import { refusal } from '../support/refusal.js';

const kinds = kindLookup(loadCatalog());

const HEAD = `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: p}
spec:
`;

function problems(text: string): Promise<SeiError> {
  return refusal((async () => checkPlan(parsePlanText(HEAD + text, 'plan.yaml'), kinds))(), 'expected the plan to be refused');
}

describe('plan manifest checks', () => {
  it.each([
    {
      scenario: 'unknown kind, with a suggestion',
      text: `  steps:\n    - id: a\n      kind: DiscoverPeer\n      node: n\n`,
      field: 'spec.steps[0].kind',
      line: 7,
      match: /unknown kind "DiscoverPeer" \(did you mean "DiscoverPeers"\?\)/,
    },
    {
      scenario: 'dependsOn a later step',
      text: `  steps:\n    - id: a\n      kind: DiscoverPeers\n      node: n\n      dependsOn: [b]\n    - id: b\n      kind: DiscoverPeers\n      node: n\n`,
      field: 'spec.steps[0].dependsOn[0]',
      line: 9,
      match: /not before "a"/,
    },
    {
      scenario: 'dependsOn an unknown step',
      text: `  steps:\n    - id: a\n      kind: DiscoverPeers\n      node: n\n    - id: b\n      kind: DiscoverPeers\n      node: n\n      dependsOn: [c]\n`,
      field: 'spec.steps[1].dependsOn[0]',
      line: 12,
      match: /unknown step "c"/,
    },
    {
      scenario: 'forEach.step naming a later step',
      text: `  steps:\n    - id: a\n      kind: DiscoverPeers\n      forEach: {step: b}\n    - id: b\n      kind: DiscoverPeers\n      node: n\n`,
      field: 'spec.steps[0].forEach.step',
      line: 8,
      match: /forEach.step must name an earlier step/,
    },
    {
      scenario: 'duplicate step ids',
      text: `  steps:\n    - id: a\n      kind: DiscoverPeers\n      node: n\n    - id: a\n      kind: DiscoverPeers\n      node: n\n`,
      field: 'spec.steps[1].id',
      line: 9,
      match: /duplicate step id/,
    },
    {
      scenario: 'reference to an unknown input',
      text: `  inputs: {chain: {type: string, default: x}}\n  steps:\n    - id: a\n      kind: DiscoverPeers\n      forEach: {selector: {matchLabels: {sei.io/chain: "{{ inputs.chian }}"}}}\n`,
      field: 'spec.steps[0].forEach.selector.matchLabels.sei.io/chain',
      line: 9,
      match: /unknown input "chian" \(did you mean "chain"\?\)/,
    },
    {
      scenario: 'reference to an output the kind does not have',
      text: `  steps:\n    - id: p\n      kind: GovSoftwareUpgrade\n      node: n\n    - id: v\n      kind: GovVote\n      node: n\n      params: {proposalId: "{{ steps.p.outputs.proposalID }}"}\n`,
      field: 'spec.steps[1].params.proposalId',
      line: 12,
      match: /GovSoftwareUpgrade has no output "proposalID"; it has txHash, height, proposalId/,
    },
    {
      scenario: 'reference to a later step\'s outputs',
      text: `  steps:\n    - id: v\n      kind: GovVote\n      node: n\n      params: {proposalId: "{{ steps.p.outputs.proposalId }}"}\n    - id: p\n      kind: GovSoftwareUpgrade\n      node: n\n`,
      field: 'spec.steps[0].params.proposalId',
      line: 9,
      match: /does not run before "v"/,
    },
    {
      scenario: 'schema: maxAttempts below 1',
      text: `  failurePolicy: {maxAttempts: 0}\n  steps:\n    - id: a\n      kind: DiscoverPeers\n      node: n\n`,
      field: 'spec.failurePolicy.maxAttempts',
      line: 5,
      match: /must be >= 1/,
    },
    {
      scenario: 'schema: misspelt field',
      text: `  steps:\n    - id: a\n      kind: DiscoverPeers\n      node: n\n      maxParalel: 3\n`,
      field: 'spec.steps[0].maxParalel',
      line: 9,
      match: /unknown field/,
    },
    {
      scenario: 'schema: step with both kind and approval',
      text: `  steps:\n    - id: a\n      kind: DiscoverPeers\n      node: n\n      approval: {message: ok}\n`,
      field: 'spec.steps[0]',
      line: 6,
      match: /exactly one of kind .* or approval/,
    },
    {
      scenario: 'schema: forEach with two sources',
      text: `  steps:\n    - id: a\n      kind: DiscoverPeers\n      forEach: {nodes: [a], step: x}\n`,
      field: 'spec.steps[0].forEach',
      line: 8,
      match: /exactly one of selector, nodes or step/,
    },
    {
      scenario: 'task step without a target',
      text: `  steps:\n    - id: a\n      kind: DiscoverPeers\n`,
      field: 'spec.steps[0].kind',
      line: 7,
      match: /needs a target/,
    },
  ])('$scenario → exit 2 naming $field at plan.yaml:$line', async ({ text, field, line, match }) => {
    const error = await problems(text);
    expect(error.exitCode).toBe(2);
    const cause = error.causes.find((c) => c.field === field);
    expect(cause, JSON.stringify(error.causes)).toBeDefined();
    expect(cause!.message).toMatch(match);
    expect(cause!.source).toMatchObject({ file: 'plan.yaml', line });
  });

  it('accepts the built-in refresh-peers plan', async () => {
    const file = locatePlan('refresh-peers');
    expect(file).toMatch(/templates\/plans\/refresh-peers\.yaml$/);
  });

  it('a YAML syntax error carries its position', async () => {
    const error = (() => {
      try {
        parsePlanText(HEAD + '  steps: [\n', 'bad.yaml');
      } catch (e) {
        return e as SeiError;
      }
      return undefined;
    })();
    expect(error?.exitCode).toBe(2);
    expect(error?.causes[0]?.source?.file).toBe('bad.yaml');
  });

  it('an unknown plan name lists the built-in plans', () => {
    expect(() => locatePlan('refresh-peer')).toThrow(/not found/);
    try {
      locatePlan('refresh-peer');
    } catch (error) {
      expect((error as SeiError).hints.join(' ')).toContain('refresh-peers');
    }
  });
});

// upstream internal/controller/nodetask/controller.go:359-379 (204c1c0): no gov outputs; govoutputs.go (2d670ad): txHash, height, proposalId.
describe('step outputs per controller version', () => {
  const text = readFileSync(new URL('../fixtures/plans/gov-upgrade.yaml', import.meta.url), 'utf8');

  it('the latest controller publishes proposalId: the gov-upgrade → votes plan loads', async () => {
    const manifest = await checkPlan(parsePlanText(text, 'gov-upgrade.yaml'), kindLookup(loadCatalog(), 'latest'));
    expect(manifest.spec.steps.map((s) => s.id)).toEqual(['propose', 'vote']);
  });

  it('the seed controller does not: refused (exit 2) naming the version, the field and the alternative', async () => {
    const error = await refusal(checkPlan(parsePlanText(text, 'gov-upgrade.yaml'), kindLookup(loadCatalog(), 'seed')));
    expect(error.exitCode).toBe(2);
    const text2 = `${error.message}\n${JSON.stringify(error.causes)}`;
    expect(text2).toContain('GovSoftwareUpgrade output proposalId is not published by the seed controller (sei-k8s-controller 204c1c0)');
    expect(text2).toContain('only the latest controller (sei-k8s-controller 2d670ad) publishes it');
    expect(text2).toContain('--set / --inputs');
  });

  it('no version publishes the await outputs', async () => {
    const plan = `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: p}
spec:
  steps:
    - {id: wait, kind: AwaitNodesAtHeight, node: n0, params: {targetHeight: 10}}
    - {id: next, kind: GovVote, node: n0, params: {chainId: c, proposalId: "{{ steps.wait.outputs.currentHeight }}", option: "yes", fees: 1usei, gas: 1}}
`;
    const error = await refusal(checkPlan(parsePlanText(plan, 'p.yaml'), kindLookup(loadCatalog(), 'latest')));
    expect(`${error.message}${JSON.stringify(error.causes)}`).toContain('AwaitNodesAtHeight output currentHeight is not published by the latest controller (sei-k8s-controller 2d670ad) (no controller version publishes it)');
  });
});
