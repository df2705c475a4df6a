// Helpers the bench scenarios share.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project root, for spawning the built CLI with the right working directory. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Imports a module of the tsc build (dist/), e.g. loadDist('cluster/index.js'). */
export const loadDist = (file) => import(new URL(`../dist/${file}`, import.meta.url).href);

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The next message of `type` the worker posts (the sim runs in a worker, off the measured thread). */
export function nextMessage(worker, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.type !== type) return;
      worker.off('message', onMessage);
      resolve(message);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

/** One run of [file, args] from the project root, without inherited NODE_OPTIONS, timed. */
export function timedRun([file, args]) {
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  return { ms, status: result.status, stderr: result.stderr };
}
