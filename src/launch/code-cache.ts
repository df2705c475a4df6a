/**
 * Loads the CLI bundle (one CommonJS file, scripts/bundle.mjs) with a V8 code cache kept
 * beside it. Node 20 has no module compile cache (module.enableCompileCache is Node 22), and
 * compiling ~2 MB of oclif, yaml, cel-js and our code was most of a command's start-up; with
 * the cache V8 deserializes the bytecode of every function the cached run compiled.
 *
 * The cache is keyed by the bundle's size and mtime (V8 itself only checks the source length,
 * and a cache from other source would run the wrong code) and V8 rejects one from another
 * Node/V8 version or flag set. A missing or rejected cache is written at exit, atomically, and
 * silently skipped where the package directory is read-only: the cache is an accelerator,
 * never a requirement.
 */
import { isAscii } from 'node:buffer';
import { accessSync, constants, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** Internals of node:module that are stable since Node 0.x but absent from its types. */
interface ModuleInternals {
  wrap(source: string): string;
  _cache: Record<string, unknown>;
  _nodeModulePaths(dir: string): string[];
}

interface LoadedModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
}

function codeCachePath(bundle: string): string {
  const { size, mtimeMs } = statSync(bundle);
  return `${bundle}.${size}-${Math.trunc(mtimeMs)}.v8cache`;
}

function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Source text; latin1 is a plain copy and exact for ASCII, which an esbuild bundle nearly always is. */
function sourceText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** Writes the cache for `script`, replacing caches of earlier builds of the same bundle. */
function writeCodeCache(script: Script, bundle: string, cachePath: string): void {
  const temporary = `${cachePath}.${process.pid}.tmp`;
  try {
    // Serializing costs ~10 ms: not worth it where the file could never be written.
    accessSync(dirname(cachePath), constants.W_OK);
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cachePath);
    for (const name of readdirSync(dirname(bundle))) {
      if (name.startsWith(`${basename(bundle)}.`) && name.endsWith('.v8cache') && name !== basename(cachePath)) rmSync(join(dirname(bundle), name), { force: true });
    }
  } catch {
    rmSync(temporary, { force: true });
  }
}

export interface CachedLoad<T> {
  exports: T;
  /** 'accepted' when V8 used the cache, else why it compiled from source. */
  cache: 'accepted' | 'rejected' | 'missing';
  /**
   * Do not write this run's cache at exit: the run did not use the bundle the way its commands
   * do (the fast path declined), and a cache written now would hold only the functions of that
   * detour and be accepted, half empty, by every later run.
   */
  skipCacheWrite(): void;
}

/**
 * require(bundle) through vm.Script with the code cache, registered in require's cache so a
 * later require of the same file (oclif loading its command target) gets this same instance.
 */
export function requireWithCodeCache<T>(bundle: string): CachedLoad<T> {
  const internals = Module as unknown as ModuleInternals;
  const cachePath = codeCachePath(bundle);
  const cachedData = readIfPresent(cachePath);
  const script = new Script(internals.wrap(sourceText(readFileSync(bundle))), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  const cache = !cachedData ? 'missing' : script.cachedDataRejected === true ? 'rejected' : 'accepted';
  const module: LoadedModule = Object.assign(new Module(bundle), { filename: bundle, paths: internals._nodeModulePaths(dirname(bundle)), loaded: false });
  internals._cache[bundle] = module;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: unknown, filename: string, dirname: string) => void;
    wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  } catch (error) {
    delete internals._cache[bundle];
    throw error;
  }
  module.loaded = true;
  // At exit the cache also holds every function this run compiled lazily, not just the top level.
  const write = (): void => writeCodeCache(script, bundle, cachePath);
  if (cache !== 'accepted') process.once('exit', write);
  return { exports: module.exports as T, cache, skipCacheWrite: () => void process.off('exit', write) };
}
