/**
 * The entry of the release executables (Node's single executable applications, `npm run
 * release`): one file with Node inside, nothing needed on the user's machine. The package
 * itself — the fully bundled CLI, package.json (oclif reads its configuration there), the
 * template and CRD caches, templates/ and schemas/ — travels as SEA assets and is written once
 * per build into the user's cache directory; every later start only checks a marker file and
 * loads the CLI from there with the V8 code cache kept beside it (code-cache.ts), exactly as
 * bin/kubectl-sei does from an npm install.
 *
 * An executable's arguments are all ours: a SEA does not read Node options from its command line,
 * so `--env-file` and the like reach kubectl-sei (process.argv = [exe, exe, ...args]).
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch } from './launch.js';

interface SeaApi {
  getAsset(key: string): ArrayBuffer;
  getAsset(key: string, encoding: string): string;
}

/** The asset listing every packaged file; written by scripts/release.mjs. */
const INDEX_ASSET = 'package-index.json';

interface PackageIndex {
  /** Changes with every build: a new executable never runs an older build's files. */
  build: string;
  files: string[];
}

function cacheRoot(): string {
  if (process.env['KUBECTL_SEI_CACHE_DIR']) return process.env['KUBECTL_SEI_CACHE_DIR'];
  if (process.platform === 'win32') return join(process.env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'kubectl-sei');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'kubectl-sei');
  return join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'kubectl-sei');
}

/** The unpacked package of this build, unpacking it on first use (atomically: rename of a full directory). */
function unpacked(sea: SeaApi): string {
  const index = JSON.parse(sea.getAsset(INDEX_ASSET, 'utf8')) as PackageIndex;
  for (const base of [cacheRoot(), join(tmpdir(), `kubectl-sei-${process.getuid?.() ?? 'user'}`)]) {
    const root = join(base, index.build);
    if (existsSync(join(root, '.complete'))) return root;
    const staging = `${root}.${process.pid}.tmp`;
    try {
      for (const file of index.files) {
        const target = join(staging, file);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, Buffer.from(sea.getAsset(file)));
      }
      writeFileSync(join(staging, '.complete'), '');
      try {
        renameSync(staging, root);
      } catch (error) {
        // Another process unpacked the same build first: theirs is as good as ours.
        if (!existsSync(join(root, '.complete'))) throw error;
        rmSync(staging, { recursive: true, force: true });
      }
      return root;
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  throw new Error(`kubectl-sei: cannot unpack into ${cacheRoot()} or ${tmpdir()}; set KUBECTL_SEI_CACHE_DIR to a writable directory`);
}

async function start(): Promise<void> {
  // node:sea exists only inside an executable; required by name so bundlers leave it alone.
  const sea = require('node:sea') as SeaApi;
  const root = unpacked(sea);
  await launch(root, pathToFileURL(join(root, 'bin', 'kubectl-sei')).href, process.argv.slice(2));
}

start().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 4;
});
