// The launcher's code cache (src/launch/code-cache.ts): each case runs a fresh node process,
// because a code cache is only ever consumed by a new process and written at its exit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const LAUNCHER = pathToFileURL(join(ROOT, 'dist', 'launch', 'code-cache.js')).href;
let dir: string;
let bundle: string;

/** Loads `bundle` the way bin/kubectl-sei does and prints what happened, as JSON. */
function load(file = bundle, skipCacheWrite = false): { cache: string; value: unknown; sameInstance: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    const { requireWithCodeCache } = await import(${JSON.stringify(LAUNCHER)});
    const loaded = requireWithCodeCache(${JSON.stringify(file)});
    if (${skipCacheWrite}) loaded.skipCacheWrite();
    const again = createRequire(import.meta.url)(${JSON.stringify(file)});
    console.log(JSON.stringify({ cache: loaded.cache, value: loaded.exports.value(), sameInstance: again === loaded.exports }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { cache: string; value: unknown; sameInstance: boolean };
}

const caches = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.v8cache'));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
  bundle = join(dir, 'cli.cjs');
  writeFileSync(bundle, 'const path = require("node:path"); exports.value = () => [path.basename(__filename), "\\u00b5s", "AAAA"];\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('requireWithCodeCache', () => {
  it('writes no cache for a run that skipped it (the fast path declined: its cache would hold only the detour)', () => {
    const own = mkdtempSync(join(tmpdir(), 'code-cache-skip-'));
    const other = join(own, 'quick.cjs');
    writeFileSync(other, 'exports.value = () => 1;\n');
    const written = (): string[] => readdirSync(own).filter((name) => name.endsWith('.v8cache'));
    try {
      expect(load(other, true).cache).toBe('missing');
      expect(written()).toEqual([]);
      expect(load(other).cache).toBe('missing');
      expect(written()).toHaveLength(1);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('compiles from source the first time and writes the cache at exit; the next process uses it', () => {
    const first = load();
    expect(first.cache).toBe('missing');
    expect(first.value).toEqual(['cli.cjs', 'µs', 'AAAA']);
    expect(caches()).toHaveLength(1);
    const written = statSync(join(dir, caches()[0] as string)).mtimeMs;
    const second = load();
    expect(second).toEqual({ ...first, cache: 'accepted' });
    // An accepted cache is not written again.
    expect(statSync(join(dir, caches()[0] as string)).mtimeMs).toBe(written);
  });

  it('registers the bundle in require.cache, so a later require (oclif loading its command target) gets the same instance', () => {
    expect(load().sameInstance).toBe(true);
  });

  it('never uses the cache of another build of the bundle, and replaces it', () => {
    load();
    const before = caches();
    // Same length, other code: V8 would accept a cache by length alone, so the key must not.
    writeFileSync(bundle, 'const path = require("node:path"); exports.value = () => [path.basename(__filename), "\\u00b5s", "BBBB"];\n');
    utimesSync(bundle, new Date(), new Date(Date.now() + 5_000));
    const rebuilt = load();
    expect(rebuilt.cache).toBe('missing');
    expect(rebuilt.value).toEqual(['cli.cjs', 'µs', 'BBBB']);
    expect(caches()).toHaveLength(1);
    expect(caches()).not.toEqual(before);
  });

  it('treats a corrupt cache as rejected, runs from source and rewrites it', () => {
    load();
    const cache = join(dir, caches()[0] as string);
    writeFileSync(cache, Buffer.alloc(256, 7));
    const result = load();
    expect(result.cache).toBe('rejected');
    expect(result.value).toEqual(['cli.cjs', 'µs', 'BBBB']);
    expect(load().cache).toBe('accepted');
  });
});

describe('the built CLI', () => {
  it('starts from the code cache the build wrote (the cache is accepted, so never rewritten)', () => {
    const bundleDir = join(ROOT, 'dist', 'bundle');
    const [cache] = readdirSync(bundleDir).filter((name) => name.endsWith('.v8cache'));
    expect(cache, 'npm run build writes dist/bundle/cli.cjs.<size>-<mtime>.v8cache').toBeDefined();
    const before = statSync(join(bundleDir, cache as string)).mtimeMs;
    const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'kubectl-sei'), '--version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(result.status).toBe(0);
    expect(statSync(join(bundleDir, cache as string)).mtimeMs).toBe(before);
  });
});
