/**
 * `gitops commit -f PLAN` sources: the built-in refresh-peers plan rendered offline (a fleet
 * file, pod uids given) and against the simulated cluster (uids read at commit time), its
 * maxParallel honoured in the committed ordering; manifests with positions and stdin.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { connect } from '../../src/cluster/index.js';
import { loadCommitObjects } from '../../src/services/gitops-sources.js';
import { commitToGit } from '../../src/services/gitops-commit.js';
import { SeiError } from '../../src/errors/index.js';
import { git, tempRepo } from '../support/git.js';
import { shortPlanId } from '../../src/plan/naming.js';

/** The plan directory and Kustomization names carry shortPlanId (src/gitops/layout.ts). */
const RP = shortPlanId('rp-0001');

const NS = 'arctic-1';
const PATH = 'clusters/dev/arctic-1/tasks';
let dir: string;
let fleetFile: string;
const offline = { kubeconfig: '/nonexistent/kubeconfig' };

const seiNode = (name: string) => ({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode', metadata: { name, namespace: NS, labels: { 'sei.io/chain': 'arctic-1' } }, spec: { chainId: 'arctic-1', image: 'ghcr.io/sei-protocol/seid:v6.0.0', fullNode: {}, peers: [{ static: { addresses: ['0000000000000000000000000000000000000000@peer:26656'] } }] } });

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gitops-plan-'));
  fleetFile = path.join(dir, 'fleet.yaml');
  writeFileSync(fleetFile, stringify({ apiVersion: 'v1', kind: 'List', items: [seiNode('node-a'), seiNode('node-b')] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown>): Promise<SeiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SeiError);
  return error as SeiError;
}

describe('a plan as the source', () => {
  const source = { files: ['refresh-peers'], fleetFile: '', namespace: NS, planId: 'rp-0001', connection: offline };

  it('offline, a RestartPod needs its pod uid given: refused with exit 2 and the command that reads it', async () => {
    const error = await refusal(loadCommitObjects({ ...source, fleetFile }));
    expect(error).toMatchObject({ exitCode: 2, reason: 'PodUidRequired' });
    expect(error.hints.join(' ')).toMatch(/--pod-uid node-a=\$\(kubectl get pod node-a-0 -n arctic-1/);
  });

  it('offline with --pod-uid: every task rendered, the uids in place, maxParallel 1 splits the restarts into waves', async () => {
    const loaded = await loadCommitObjects({ ...source, fleetFile, podUids: ['node-a=aaaa-1', 'node-b=bbbb-2'] });
    expect(loaded.planId).toBe('rp-0001');
    expect(loaded.stepParallelism).toEqual({ discover: 10, restart: 1 });
    const uids = loaded.objects.filter((o) => (o.spec as { kind: string }).kind === 'RestartPod').map((o) => (o.spec as { restartPod: { podUID: string } }).restartPod.podUID);
    expect(uids).toEqual(['aaaa-1', 'bbbb-2']);

    const repo = tempRepo();
    try {
      await commitToGit({ repo: repo.work, path: PATH, objects: loaded.objects, flavor: 'argocd', planId: loaded.planId, stepParallelism: loaded.stepParallelism! });
      const waves = Object.fromEntries(
        repo.tree().filter((f) => f.startsWith(PATH) && !f.endsWith('kustomization.yaml')).map((f) => {
          const o = parse(repo.show(`HEAD:${f}`));
          return [`${o.spec.kind}/${o.spec.target.nodeRef.name}`, o.metadata.annotations['argocd.argoproj.io/sync-wave']];
        }),
      );
      // Discover both at once (maxParallel 10), then restart node-a, then node-b: never two validators together.
      expect(waves).toEqual({ 'DiscoverPeers/node-a': '0', 'DiscoverPeers/node-b': '0', 'RestartPod/node-a': '1', 'RestartPod/node-b': '2' });
      expect(git(repo.work, 'log', '-1', '--format=%s')).toMatch(/^sei: plan refresh-peers rp-0001 /);

      const flux = await commitToGit({ repo: repo.work, path: 'clusters/dev/flux', objects: loaded.objects, flavor: 'flux', planId: loaded.planId, stepParallelism: loaded.stepParallelism! });
      const ks = flux.files.filter((f) => new RegExp(`sei-refresh-peers-${RP}-.*\\.yaml$`).test(f)).map((f) => parse(repo.show(`HEAD:${f}`)));
      expect(ks.map((k) => [k.metadata.name, k.spec.dependsOn?.[0]?.name ?? null])).toEqual([
        [`sei-refresh-peers-${RP}-00-discover`, null],
        [`sei-refresh-peers-${RP}-01-restart-0`, `sei-refresh-peers-${RP}-00-discover`],
        [`sei-refresh-peers-${RP}-01-restart-1`, `sei-refresh-peers-${RP}-01-restart-0`],
      ]);
    } finally {
      repo.cleanup();
    }
  });

  it.each([['../x'], ['UPPER'], ['a'.repeat(64)]])('--plan-id %j is refused', async (planId) => {
    const error = await refusal(loadCommitObjects({ ...source, fleetFile, planId }));
    expect(error.exitCode).toBe(2);
    expect(error.causes[0]!.field).toBe('--plan-id');
  });

  describe('with the simulated cluster', () => {
    let sim: RunningSim;
    let kubeconfig: string;
    beforeAll(async () => {
      sim = await startSim({ namespace: NS, seedObjects: [seiNode('node-a'), seiNode('node-b')] });
      kubeconfig = path.join(dir, 'kubeconfig');
      sim.writeKubeconfig(kubeconfig);
    });
    afterAll(async () => sim.stop());

    it('reads the fleet and the pod uids at commit time', async () => {
      const client = await connect({ kubeconfig });
      const loaded = await loadCommitObjects({ files: ['refresh-peers'], namespace: NS, client });
      const live = (await client.list('v1', 'Pod', { namespace: NS })).items;
      const byNode = Object.fromEntries(live.map((p) => [p.metadata.labels?.['sei.io/node'], p.metadata.uid]));
      for (const o of loaded.objects.filter((x) => (x.spec as { kind: string }).kind === 'RestartPod')) {
        const spec = o.spec as { target: { nodeRef: { name: string } }; restartPod: { podUID: string } };
        expect(spec.restartPod.podUID).toBe(byNode[spec.target.nodeRef.name]);
      }
      expect(loaded.notes.filter((n) => n.startsWith('read the uid of pod'))).toHaveLength(2);
      expect(loaded.planId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});

describe('manifests as the source', () => {
  it('an invalid manifest is refused with file:line:column', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'apiVersion: sei.io/v1alpha1\nkind: SeiNodeTask\nmetadata:\n  name: bad\n  namespace: arctic-1\nspec:\n  kind: RestartPod\n  target:\n    nodeRef:\n      name: node-0\n  restartPod:\n    podUID: ""\n');
    const error = await refusal(loadCommitObjects({ files: [file], connection: offline }));
    expect(error.exitCode).toBe(2);
    const cause = error.causes.find((c) => c.field.includes('podUID'));
    expect(cause?.source).toMatchObject({ file, line: 12 });
  });

  it('stdin manifests pass through, --plan-id is refused for them', async () => {
    const text = stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name: 'dp', namespace: NS }, spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: 'node-0' } }, discoverPeers: {} } });
    const loaded = await loadCommitObjects({ files: [], stdin: text, connection: offline });
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(['dp']);
    const error = await refusal(loadCommitObjects({ files: [], stdin: text, planId: 'x', connection: offline }));
    expect(error.exitCode).toBe(2);
  });

  it('a directory with its own kustomization.yaml: the kustomization is skipped, the tasks kept', async () => {
    const tasks = path.join(dir, 'tasks');
    mkdirSync(tasks, { recursive: true });
    writeFileSync(path.join(tasks, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [dp.yaml]\n');
    writeFileSync(path.join(tasks, 'dp.yaml'), stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name: 'dp', namespace: NS }, spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: 'node-0' } }, discoverPeers: {} } }));
    const loaded = await loadCommitObjects({ files: [tasks], connection: offline });
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(['dp']);
    expect(loaded.notes).toEqual([`skipped ${path.join(tasks, 'kustomization.yaml')}: a kustomization, not an object to commit`]);
  });

  it('a SOPS-encrypted Secret goes to Git byte for byte (its MAC covers values and comments)', async () => {
    const file = path.join(dir, 'secrets.yaml');
    const secret = [
      '# node key for node-0, encrypted with age',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '    name: node-0-key   # odd indentation kept',
      '    namespace: arctic-1',
      'stringData:',
      '    priv_validator_key.json: ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]',
      'sops:',
      '    mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]',
      '    lastmodified: "2026-01-01T00:00:00Z"',
      '    encrypted_regex: ^(data|stringData)$',
      '    version: 3.9.0',
      '',
    ].join('\n');
    writeFileSync(file, `${stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name: 'dp', namespace: NS }, spec: { kind: 'DiscoverPeers', target: { nodeRef: { name: 'node-0' } }, discoverPeers: {} } })}---\n${secret}`);
    const loaded = await loadCommitObjects({ files: [file], connection: offline, namespace: 'elsewhere' });
    const repo = tempRepo();
    try {
      const result = await commitToGit({ repo: repo.work, path: PATH, objects: loaded.objects, flavor: 'plain' });
      expect(repo.show(`${result.commit}:${PATH}/node-0-key.yaml`)).toBe(secret);
      expect(parse(repo.show(`${result.commit}:${PATH}/dp.yaml`)).metadata.name).toBe('dp');
    } finally {
      repo.cleanup();
    }
  });

  it('-f and --from-stdin together (or neither) is refused', async () => {
    expect((await refusal(loadCommitObjects({ files: [] }))).exitCode).toBe(2);
    expect((await refusal(loadCommitObjects({ files: ['x.yaml'], stdin: 'a: b' }))).exitCode).toBe(2);
  });
});
