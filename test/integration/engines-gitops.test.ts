/**
 * Issue 11: every tree `gitops commit` writes is what the engines read. Each kustomization
 * written is built by the kustomize inside the real kubectl (`kubectl kustomize DIR`); every
 * object it yields is admitted by its definition (SeiNodeTask: the project's CRD; Flux
 * Kustomization: kustomize-controller's CRD from ../shared/engines/); every file reads the same
 * in YAML 1.1 and 1.2. The plain flavor refuses a plan whose order it would lose, and what a
 * flavor cannot express (continueOnError, retries) is warned about, never dropped silently.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { commitSourcesToGit } from '../../src/services/gitops-commit.js';
import { loadProjectCrd, compileCrdValidator } from '../../src/validate/index.js';
import { formatObjects } from '../../src/output/printers.js';
import { tempRepo, type TempRepo } from '../support/git.js';
import { crdErrors, yamlReadersAgree } from '../support/engines.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- committed YAML

const NS = 'arctic-1';
const PATH = 'clusters/dev/arctic-1/tasks';
const offline = { kubeconfig: '/nonexistent/kubeconfig' };
let dir: string;
let fleetFile: string;
const seiNode = (name: string) => ({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name, namespace: NS, labels: { 'sei.io/chain': 'arctic-1' } }, spec: { chainId: 'arctic-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {}, peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@peer:26656'] } }] } });
const taskValidator = compileCrdValidator(loadProjectCrd('seinodetasks', 'seed'));

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'engines-gitops-'));
  fleetFile = path.join(dir, 'fleet.yaml');
  writeFileSync(fleetFile, stringify({ apiVersion: 'v1', kind: 'List', items: [seiNode('node-a'), seiNode('node-b'), seiNode('node-c')] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function planSource(file = 'refresh-peers') {
  return { files: [file], fleetFile, namespace: NS, planId: 'rp-0001', connection: offline, podUids: ['node-a=aaaa-1', 'node-b=bbbb-2', 'node-c=cccc-3'] };
}

/** Every kustomization.yaml in the tree, built by the real kubectl, every object checked against its definition. */
function buildEveryKustomization(repo: TempRepo): Rec[] {
  const kustomizations = repo.tree().filter((f) => f.endsWith('kustomization.yaml'));
  expect(kustomizations.length).toBeGreaterThan(0);
  const built: Rec[] = [];
  for (const file of kustomizations) {
    const output = execFileSync('/usr/bin/kubectl', ['kustomize', path.join(repo.work, path.dirname(file))], { encoding: 'utf8' });
    for (const doc of parseAllDocuments(output)) {
      const object = doc.toJS() as Rec;
      if (object.kind === 'SeiNodeTask') expect(taskValidator.validate(object).causes, object.metadata.name).toEqual([]);
      else if (object.kind === 'Kustomization') expect(crdErrors('flux.kustomizations.crd.yaml', object, 'v1'), object.metadata.name).toEqual([]);
      built.push(object);
    }
  }
  for (const file of repo.tree().filter((f) => f.startsWith(PATH))) expect(yamlReadersAgree(repo.show(`HEAD:${file}`)).same, file).toBe(true);
  return built;
}

describe('committed trees build with kubectl kustomize and pass the engines definitions', () => {
  it.each(['argocd', 'flux'] as const)('%s: refresh-peers', async (flavor) => {
    const repo = tempRepo();
    try {
      const { result } = await commitSourcesToGit({ source: planSource(), repo: repo.work, path: PATH, flavor });
      expect(result.commit).toBeDefined();
      const built = buildEveryKustomization(repo);
      expect(built.filter((o) => o.kind === 'SeiNodeTask').length).toBeGreaterThanOrEqual(6);
      if (flavor === 'flux') expect(built.filter((o) => o.kind === 'Kustomization').length).toBeGreaterThan(1);
    } finally {
      repo.cleanup();
    }
  });
});

describe('item 7: the plain flavor keeps no order, so a plan that needs one is refused unless accepted', () => {
  it('refresh-peers (two steps, maxParallel 1) in plain: exit 2 naming the steps and the flavors that keep the order; nothing written', async () => {
    const repo = tempRepo();
    try {
      const before = repo.head();
      const error = await commitSourcesToGit({ source: planSource(), repo: repo.work, path: PATH, flavor: 'plain' }).then(() => undefined, (e: unknown) => e as Rec);
      expect(error).toMatchObject({ exitCode: 2, message: expect.stringMatching(/plain flavor applies every file at once: 2 steps \(discover, restart\) would all start at once; maxParallel would not hold for restart \(maxParallel 1, 3 tasks\)/) });
      expect(error!.hints.join(' ')).toMatch(/--flavor argocd.*--flavor flux.*--accept-unordered/s);
      expect(repo.head()).toBe(before);
      const { result } = await commitSourcesToGit({ source: planSource(), repo: repo.work, path: PATH, flavor: 'plain', acceptUnordered: true });
      expect(result.warnings[0]).toMatch(/^--accept-unordered: 2 steps .* a failure stops nothing$/);
      buildEveryKustomization(repo);
    } finally {
      repo.cleanup();
    }
  });

  it('continueOnError and retries a flavor cannot express are warned about, never dropped silently', async () => {
    const plan = path.join(dir, 'tolerant.yaml');
    writeFileSync(plan, `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: tolerant}
spec:
  steps:
    - {id: discover, kind: DiscoverPeers, forEach: {nodes: [node-a, node-b]}, continueOnError: true, failurePolicy: {maxAttempts: 3}}
    - {id: again, kind: DiscoverPeers, node: node-c}
`);
    for (const flavor of ['argocd', 'flux'] as const) {
      const repo = tempRepo();
      try {
        const { result } = await commitSourcesToGit({ source: { ...planSource(plan), podUids: [] }, repo: repo.work, path: PATH, flavor });
        expect(result.warnings).toContainEqual(expect.stringMatching(new RegExp(`^step discover has continueOnError, which ${flavor} cannot express`)));
        expect(result.warnings).toContainEqual(expect.stringMatching(new RegExp(`^step discover has failurePolicy.maxAttempts 3, which ${flavor} cannot express: a failed task is not retried`)));
        buildEveryKustomization(repo);
      } finally {
        repo.cleanup();
      }
    }
  });
});

describe('item 1: committed files and printed objects read the same in every YAML version', () => {
  const vote = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name: 'vote-yes', namespace: NS }, spec: { kind: 'GovVote', target: { nodeRef: { name: 'node-a' } }, govVote: { chainId: 'arctic-1', proposalId: 3, option: 'yes', fees: '4000usei', gas: 200000 } } };

  it('a quoted "yes" stays quoted in the committed file (kubectl reads a string, as the CRD wants)', async () => {
    const file = path.join(dir, 'vote.yaml');
    writeFileSync(file, stringify(vote).replace('option: "yes"', 'option: "yes"'));
    expect(parse(stringify(vote))).toEqual(vote);
    const repo = tempRepo();
    try {
      await commitSourcesToGit({ source: { files: [file], connection: offline }, repo: repo.work, path: PATH, flavor: 'plain' });
      const committed = repo.show(`HEAD:${PATH}/vote-yes.yaml`);
      expect(committed).toContain('option: "yes"');
      const read = yamlReadersAgree(committed);
      expect(read.same).toBe(true);
      expect(parse(committed, { version: '1.1' }).spec.govVote.option).toBe('yes');
      buildEveryKustomization(repo);
    } finally {
      repo.cleanup();
    }
  });

  it('-o yaml (task get, --dry-run=client) writes it quoted too', () => {
    for (const text of [formatObjects([vote], 'yaml', { single: true }), formatObjects([vote, vote], 'yaml')]) {
      expect(yamlReadersAgree(text).same).toBe(true);
      expect(text).toContain('option: "yes"');
    }
  });
});
