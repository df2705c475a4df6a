/**
 * Crash-safety of the simulated cluster: a sim (store + controller, bundled from src/ with
 * esbuild) runs in a child process on a state directory and is killed with SIGKILL in the middle of a
 * RestartPod, with no chance to flush. The sim restarted in-process from that directory must
 * take over the dead process's lock, keep every object written before the kill, finish the task
 * and delete no pod a second time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterEach, expect, it } from 'vitest';
import type { StoreEvent } from '../../src/sim/types.js';
import { phaseOf, startHarness, type Harness } from '../support/sim-controller-harness.js';

const simDir = fileURLToPath(new URL('../../src/sim/', import.meta.url));

const CHILD = `
import { createStore } from ${JSON.stringify(`${simDir}storage/store.ts`)};
import { startController } from ${JSON.stringify(`${simDir}controller/index.ts`)};
const store = createStore({ stateDir: process.env.STATE });
startController(store, { crd: 'seed', taskKinds: ['RestartPod'] });
const say = (line) => process.stdout.write(line + '\\n');
store.onChange((e) => {
  if (e.resource === 'pods' && e.type === 'DELETED') say('DELETED ' + e.object.metadata.uid);
  if (e.resource === 'pods' && e.type === 'ADDED') say('ADDED ' + e.object.metadata.uid);
});
store.create('seinodes', {
  apiVersion: 'sei.io/v1alpha1', kind: 'SeiNode',
  metadata: { name: 'node-0', namespace: 'sei', annotations: { 'sim.sei.io/pod-ready-after-seconds': '0.3' } },
  spec: { chainId: 'sim-1', image: 'seid:v1', fullNode: {} },
});
const waitReady = setInterval(() => {
  const pod = store.get('pods', 'sei', 'node-0-0');
  const node = store.get('seinodes', 'sei', 'node-0');
  if (node?.status?.phase !== 'Running' || !pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
  clearInterval(waitReady);
  store.create('seinodetasks', {
    apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', metadata: { name: 'restart', namespace: 'sei' },
    spec: { kind: 'RestartPod', target: { nodeRef: { name: 'node-0' }, requirePhase: 'Running', requirePhaseTimeout: '5m' }, restartPod: { podUID: pod.metadata.uid } },
  });
  say('TASK ' + pod.metadata.uid);
}, 10);
`;

let harness: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await harness?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a sim killed mid-RestartPod resumes from its state directory without deleting the pod again', async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-crash-'));
  // The child runs the current sources, not whatever dist/ holds.
  writeFileSync(join(dir, 'child.ts'), CHILD);
  const bundle = join(dir, 'child.mjs');
  await build({ entryPoints: [join(dir, 'child.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
  const state = join(dir, 'state');
  const child = spawn(process.execPath, [bundle], { env: { ...process.env, STATE: state }, stdio: ['ignore', 'pipe', 'inherit'] });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited early (${code}); saw ${seen.join(', ')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      seen.push(line);
      // Kill the moment the targeted pod is deleted: the replacement is not Ready yet.
      if (line.startsWith('DELETED')) {
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
        child.once('exit', () => resolve());
      }
    });
  });
  const original = seen.find((l) => l.startsWith('TASK'))!.split(' ')[1];
  expect(seen.filter((l) => l.startsWith('DELETED'))).toEqual([`DELETED ${original}`]);

  // The dead sim's lock is still there; the new one must take it over rather than refuse.
  expect(readFileSync(join(state, 'sim.lock'), 'utf8')).toBe(String(child.pid));
  harness = startHarness({ stateDir: state });
  expect(readFileSync(join(state, 'sim.lock'), 'utf8')).toBe(String(process.pid));
  const events: StoreEvent[] = [];
  harness.store.onChange((e) => events.push(e));
  const h = harness;
  expect(await h.until('restart terminal', () => phaseOf(h, 'restart'))).toBe('Complete');
  expect(events.filter((e) => e.resource === 'pods' && e.type === 'DELETED')).toEqual([]);
  const live = h.get('pods', 'node-0-0')!;
  expect(live.metadata.uid).not.toBe(original);
  expect(h.status('restart').task).toMatchObject({ restartedPodUID: original, status: 'Complete' });
});
