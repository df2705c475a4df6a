// `kubectl sei kinds --from-cluster` against simulated clusters serving each API (real HTTP):
// the catalog ships all ten kinds and marks the ones the served CRD accepts.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { describeKinds } from '../../src/catalog/describe.js';
import { servedTaskKinds } from '../../src/catalog/served.js';
import { runCli } from '../support/cli.js';

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return runCli(args).then((run) => ({ status: run.code, stdout: run.stdout, stderr: run.stderr }));
}

const SEED_ONLY = ['discover-peers', 'restart-pod'];
const LATEST_ONLY = ['gov-param-change', 'mark-ready', 'restart-seid'];

describe.each(['seed', 'latest'] as const)('a cluster serving the %s CRD', (flavor) => {
  let sim: RunningSim;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    sim = await startSim({ host: '127.0.0.1', port: 0, crd: flavor, controller: false, namespace: 'sei' });
    dir = mkdtempSync(join(tmpdir(), 'sei-kinds-'));
    kubeconfig = join(dir, 'kubeconfig');
    sim.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks exactly the kinds of that API as served', async () => {
    const rows = describeKinds(loadCatalog(), await servedTaskKinds({ kubeconfig }));
    const notServed = rows.filter((row) => row.served === false).map((row) => row.name).sort();
    expect(rows).toHaveLength(10);
    expect(notServed).toEqual(flavor === 'seed' ? LATEST_ONLY : SEED_ONLY);
  });

  it('the built CLI prints the same with -o json, and a SERVED column as a table', async () => {
    if (!existsSync('dist/bundle/cli.cjs')) throw new Error('run `npm run build` first');
    const json = await cli(['kinds', '--from-cluster', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(json.status, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as Array<{ name: string; served: boolean; resource: string }>;
    expect(rows.filter((row) => row.resource === 'SeiNodeTask' && !row.served).map((row) => row.name).sort()).toEqual(flavor === 'seed' ? LATEST_ONLY : SEED_ONLY);
    // Workflow kinds: served only where the cluster has the SeiNodeTaskWorkflow CRD (the later API).
    expect(rows.filter((row) => row.resource === 'SeiNodeTaskWorkflow').map((row) => `${row.name}:${row.served}`)).toEqual([`state-sync:${flavor === 'latest'}`]);
    const table = await cli(['kinds', '--from-cluster', '--kubeconfig', kubeconfig]);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+API\s+SERVED\s+TIMEOUT\s+PARAMS\s+OUTPUTS$/);
    expect(table.stdout).toMatch(new RegExp(`restart-pod\\s+RestartPod\\s+seed\\s+${flavor === 'seed' ? 'yes' : 'no'}`));
  });
});

it('kinds --from-cluster with an unreachable cluster exits 4 and prints no credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sei-kinds-down-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const token = 'super-secret-token-value';
  const config = `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\nusers:\n- name: u\n  user:\n    token: ${token}\n`;
  writeFileSync(kubeconfig, config);
  try {
    const result = spawnSync(process.execPath, ['bin/kubectl-sei', 'kinds', '--from-cluster', '--kubeconfig', kubeconfig, '--request-timeout', '2s'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(4);
    expect(result.stdout + result.stderr).not.toContain(token);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
