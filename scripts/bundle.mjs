#!/usr/bin/env node
// Build step after tsc: bundles the CLI (oclif core + every command module + the libraries it
// uses) into ONE CommonJS file, dist/bundle/cli.cjs, so start-up reads one file, and so that
// bin/kubectl-sei can compile it with a V8 code cache (src/launch/code-cache.ts): Node 20 has
// no compile cache for ES modules, and compiling the code was most of start-up. Modules reached
// only through dynamic import() (the cluster layer, gitops, the sim, ...) are wrapped so they
// are evaluated only when a command needs them. Packages listed in package.json but not in
// BUNDLED stay external and are require()d from node_modules only when a command needs them;
// they are all CommonJS (or dual), so esbuild's interop gives them the shape the code expects.
// The commands map is generated from dist/commands/, so adding a command needs no edit here.
// It also precompiles the built-in Handlebars templates into dist/template-cache.json and
// stores the project CRDs as JSON in dist/crd-cache.json.
// The bundle lives two levels below the package root (dist/bundle/), like dist/<module>/, so
// `new URL('../../templates/...', import.meta.url)` resolves the same bundled or not.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The tsc output to bundle: dist/ by default, or the staging directory scripts/build.mjs swaps in.
const DIST = process.argv[2] ? join(ROOT, process.argv[2]) : join(ROOT, 'dist');
const OUT = join(DIST, 'bundle');
const ENTRY = join(DIST, 'bundle-entry.js');
/**
 * Bundled: oclif (and everything it pulls in) plus the render hot path, and
 * @kubernetes/client-node (evaluated only by cluster commands): loaded from node_modules it is
 * ~2,300 generated modules and ~1 s of CPU on every cluster command; inlined and tree-shaken,
 * the cluster layer loads in a fraction of that (bench/cluster-import.mjs). ora is ES-module
 * only: required through Node's require(esm), its namespace would be mistaken for the default
 * export, so it is bundled (evaluated only when a spinner is drawn).
 */
const BUNDLED = new Set(['@oclif/core', 'yaml', 'js-yaml', 'handlebars', 'fastest-levenshtein', '@marcbachmann/cel-js', '@kubernetes/client-node', 'ora']);

function commandFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return commandFiles(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const external = [
  ...Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => !BUNDLED.has(name)),
  // oclif requires typescript only to run .ts commands in development; never at run time here.
  'typescript',
];

const commandsDir = join(DIST, 'commands');
const files = commandFiles(commandsDir).sort();
// SeiHelp is oclif's helpClass (package.json oclif.helpClass names this bundle and the export).
const lines = ["export { execute } from '@oclif/core/execute';", "export { main } from './cli/main.js';", "export { SeiHelp } from './cli/help.js';"];
const entries = files.map((file, index) => {
  const id = relative(commandsDir, file).replace(/\.js$/, '').split(sep).join(':').replace(/:index$/, '');
  lines.push(`import C${index} from './${relative(DIST, file).split(sep).join('/')}';`);
  return `  ${JSON.stringify(id)}: C${index},`;
});
lines.push('export const COMMANDS = {', ...entries, '};', '');
writeFileSync(ENTRY, lines.join('\n'));

/**
 * A relative import of a file that does not exist (a module still being written) stays a
 * runtime import, exactly as in tsc's output, instead of failing the whole build.
 */
function missingRelativeImportsStayExternal() {
  return {
    name: 'missing-relative-imports-stay-external',
    setup(builder) {
      builder.onResolve({ filter: /^\.\.?\// }, (args) => {
        // Only our own ESM output (full paths with .js); CJS libraries resolve extension-less.
        if (!args.importer.startsWith(DIST)) return undefined;
        if (existsSync(join(args.resolveDir, args.path))) return undefined;
        process.stderr.write(`bundle: ${relative(ROOT, args.importer)} imports missing ${args.path}; left to fail at run time\n`);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * client-node's generated models, APIs and their wrappers are plain classes, but their static
 * fields look like side effects to esbuild, so `export *` from its generated index would keep
 * ~700 of them that src/cluster never uses (it needs KubeConfig, RequestContext and Watch).
 * The package declares no "sideEffects"; these three directories are safe to declare for it.
 */
function clientNodeGeneratedCodeIsPure() {
  const generated = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]gen[\\/](models|apis|types)[\\/]/;
  return {
    name: 'client-node-generated-code-is-pure',
    setup(builder) {
      builder.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData === 'pure' || !/[\\/]@kubernetes[\\/]client-node[\\/]/.test(args.importer)) return undefined;
        const resolved = await builder.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'pure' });
        if (resolved.errors.length > 0 || resolved.external || !generated.test(resolved.path)) return undefined;
        return { path: resolved.path, sideEffects: false };
      });
    },
  };
}

/**
 * Imports evaluated at start-up that only some calls use. client-node's KubeConfig (config.js)
 * and Watch (watch.js) import at the top of the module node-fetch with whatwg-url
 * (applyToFetchOptions, the generated API clients), the generated API configuration, the
 * SOCKS/HTTP proxy agents (a cluster with proxy-url), openid-client,
 * jsonpath-plus and child_process (the exec, oidc, azure and gcp auth providers), readline
 * (reading a watch stream); our kubectl printers need jsonpath-plus
 * only for -o jsonpath and --sort-by, and the kubeconfig reader needs yaml only for a file
 * js-yaml refused. Evaluating them was a third of a cluster command's
 * start-up. Each import listed here, from the module whose path ends as the key, is replaced by
 * a module whose exports load the real one on first call (`new` included; `default.load` is a
 * default-exported object's method), so the code means the same and pays only when a call
 * needs it. Where the names live are facts of client-node 1.3 and jsonpath-plus 10; the build
 * fails if one does not resolve, and a call fails loudly if a name is gone.
 */
const LAZY_IMPORTS = {
  '@kubernetes/client-node/dist/config.js': {
    './gen/index.js': { createConfiguration: './gen/configuration.js', ServerConfiguration: './gen/servers.js' },
    'node-fetch': { Headers: 'node-fetch' },
    // Only on Windows, to find a kubeconfig inside WSL.
    'node:child_process': { 'default.spawnSync': 'node:child_process' },
    'socks-proxy-agent': { SocksProxyAgent: 'socks-proxy-agent' },
    hpagent: { HttpProxyAgent: 'hpagent', HttpsProxyAgent: 'hpagent' },
  },
  '@kubernetes/client-node/dist/watch.js': { 'node-fetch': { default: 'node-fetch' }, 'node:readline': { createInterface: 'node:readline' } },
  '@kubernetes/client-node/dist/exec_auth.js': { 'node:child_process': { 'default.spawn': 'node:child_process' } },
  '@kubernetes/client-node/dist/gen/http/http.js': { './isomorphic-fetch.js': { IsomorphicFetchHttpLibrary: './isomorphic-fetch.js' } },
  '@kubernetes/client-node/dist/oidc_auth.js': { 'openid-client': { refreshTokenGrant: 'openid-client', discovery: 'openid-client' } },
  '@kubernetes/client-node/dist/azure_auth.js': { 'jsonpath-plus': { JSONPath: 'jsonpath-plus' }, 'node:child_process': { 'default.execSync': 'node:child_process' } },
  '@kubernetes/client-node/dist/gcp_auth.js': { 'jsonpath-plus': { JSONPath: 'jsonpath-plus' }, 'node:child_process': { 'default.execSync': 'node:child_process' } },
  'output/kubectl-printers.js': { 'jsonpath-plus': { JSONPath: 'jsonpath-plus' } },
  // yaml only explains a kubeconfig js-yaml refused; evaluating its ~100 modules cost every get.
  'cluster/kubeconfig-yaml.js': { yaml: { LineCounter: 'yaml', parseDocument: 'yaml' } },
  // node describe's recipe block; `node get` prints no YAML.
  'output/node-printers.js': { yaml: { stringify: 'yaml' } },
  // node-fetch 2 takes Node's own URL when there is one (lib/index.js: `Url.URL || whatwgUrl.URL`).
  'node-fetch/lib/index.js': { 'whatwg-url': { URL: 'whatwg-url' } },
};

/**
 * Lazily imported libraries that no common command runs, each kept out of cli.cjs and quick.cjs
 * in its own file, dist/bundle/apart/NAME.cjs: every start reads, copies and hashes every byte
 * of its bundle (V8's compilation cache keys on the whole source), used or not, ~2 ms per MB.
 * whatwg-url (with its 260 kB Unicode table) is node-fetch's fallback for a Node without URL;
 * openid-client serves oidc users, socks-proxy-agent SOCKS proxies. The build loads each file
 * and fails if a name the bundles call is missing from it.
 */
const APART = new Set(['whatwg-url', 'openid-client', 'socks-proxy-agent']);
/** Each library in APART: its entry as the bundles' importers resolve it, and the names they call. */
const apartUses = new Map();
const apartFile = (name) => `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.cjs`;

function importsOnFirstUse() {
  const lazyFor = (importer) => {
    const path = importer.split(sep).join('/');
    return Object.entries(LAZY_IMPORTS).find(([suffix]) => path.endsWith(`/${suffix}`));
  };
  const call = (expression, what, from) =>
    `{ const real = ${expression}; if (typeof real !== 'function') throw new Error('${what} is not in ${from}'); return new.target ? new real(...args) : real(...args); }`;
  return {
    name: 'imports-on-first-use',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        const [suffix, table] = lazyFor(args.importer) ?? [];
        const exportsFrom = table?.[args.path];
        if (!exportsFrom) return undefined;
        return { path: `${suffix}:${args.path}`, namespace: 'lazy-import', pluginData: { exportsFrom, resolveDir: args.resolveDir } };
      });
      builder.onLoad({ filter: /.*/, namespace: 'lazy-import' }, async ({ pluginData: { exportsFrom, resolveDir } }) => {
        const lines = [];
        const defaultMethods = [];
        for (const [name, from] of Object.entries(exportsFrom)) {
          const resolved = await builder.resolve(from, { kind: 'require-call', resolveDir });
          if (resolved.errors.length > 0) throw new Error(`bundle: lazy import ${from} does not resolve`);
          let module = `require(${JSON.stringify(from)})`;
          if (APART.has(from)) {
            const use = apartUses.get(from) ?? { entry: resolved.path, names: new Set() };
            if (use.entry !== resolved.path) throw new Error(`bundle: ${from} resolves to two files`);
            use.names.add(name.replace(/^default\./, ''));
            apartUses.set(from, use);
            module = `require(require("node:path").join(__dirname, "apart", ${JSON.stringify(apartFile(from))}))`;
          }
          if (name.startsWith('default.')) {
            const method = name.slice('default.'.length);
            defaultMethods.push(`${method}(...args) ${call(`${module}.${method}`, name, from)}`);
          } else if (name === 'default') lines.push(`export default function lazyDefault(...args) ${call(`${module}.default`, name, from)}`);
          else lines.push(`export function ${name}(...args) ${call(`${module}.${name}`, name, from)}`);
        }
        if (defaultMethods.length > 0) lines.push(`export default { ${defaultMethods.join(', ')} };`);
        return { contents: lines.join('\n'), resolveDir, loader: 'js' };
      });
    },
  };
}

/** `kubectl sei version`: the commit and its date, so a rebuild of one commit is byte-identical. */
function buildInfo() {
  const git = (...args) => {
    const result = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const commit = git('rev-parse', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no');
  const date = git('log', '-1', '--format=%cI');
  return {
    version: `v${pkg.version}`,
    gitCommit: commit ?? 'unknown',
    gitTreeState: commit === undefined ? 'unknown' : dirty ? 'dirty' : 'clean',
    buildDate: date ? new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z') : 'unknown',
  };
}

rmSync(OUT, { recursive: true, force: true });
const BUILD_INFO = buildInfo();
// For scripts/release.mjs, whose executable entry (src/launch/sea-main.ts) answers --version too.
writeFileSync(join(DIST, 'build-info.json'), `${JSON.stringify(BUILD_INFO)}\n`);
/**
 * Three bundles: cli.cjs (oclif and every command), quick.cjs (the fast path of src/cli/quick.ts:
 * --version, version and the get commands without oclif) and launch.cjs (the bin's few lines
 * that pick one, src/launch/launch.ts). The fast path's code is also in cli.cjs: each bundle
 * is whole, so the full CLI never loads the fast path's file.
 */
async function bundle(entry, name) {
  const outfile = join(OUT, name);
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile,
    external,
    logLevel: 'warning',
    // The APART libraries are required by a computed path on purpose.
    logOverride: { 'unsupported-require-call': 'silent' },
    // Comments and indentation are a third of the file; names stay, for stack traces and oclif.
    minifyWhitespace: true,
    // import() of an external becomes require(): inside the code-cached vm.Script Node 20 has no
    // loader for import(), and every external here can be required.
    supported: { 'dynamic-import': false },
    // Every module's import.meta.url is the bundle's own URL, one directory below dist/ as each
    // module's was.
    define: { 'import.meta.url': '__seiBundleUrl', __SEI_BUILD_INFO__: JSON.stringify(BUILD_INFO) },
    banner: { js: "var __seiBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [missingRelativeImportsStayExternal(), clientNodeGeneratedCodeIsPure(), importsOnFirstUse()],
  });
  const bundled = readFileSync(outfile, 'utf8');
  // A dynamic import() left in the bundle would fail at run time inside the code-cached script.
  if (/[^\w$.]import\(\s*["'`]/.test(bundled)) throw new Error(`bundle: ${relative(ROOT, outfile)} still contains a dynamic import()`);
  // esbuild escapes non-ASCII everywhere but in regular expression literals (a few libraries use
  // "µs" or "\u009b" there); \uXXXX means the same character in a regex, a string or a name, and
  // an ASCII file is read by a plain byte copy instead of a UTF-8 decode on every start.
  writeFileSync(outfile, bundled.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
await bundle(ENTRY, 'cli.cjs');
await bundle(join(DIST, 'cli', 'quick.js'), 'quick.cjs');
await bundle(join(DIST, 'launch', 'launch.js'), 'launch.cjs');
rmSync(ENTRY);
for (const [name, { entry, names }] of apartUses) {
  const outfile = join(OUT, 'apart', apartFile(name));
  await build({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'node', target: 'node20', outfile, external, logLevel: 'warning', minifyWhitespace: true });
  const loaded = createRequire(import.meta.url)(outfile);
  for (const exported of names) {
    if (typeof loaded[exported] !== 'function') throw new Error(`bundle: ${relative(ROOT, outfile)} has no function ${exported}`);
  }
}
if (apartUses.size !== APART.size) throw new Error(`bundle: APART lists ${[...APART].filter((name) => !apartUses.has(name)).join(', ')}, which no lazy import names`);

// Precompiled built-in templates: `task render` then loads only the Handlebars runtime.
const { buildTemplateCache } = await import(pathToFileURL(join(DIST, 'render', 'templates.js')).href);
// The project CRDs as JSON: parsing their YAML was the largest cost of `task render`.
const { buildCrdCache } = await import(pathToFileURL(join(DIST, 'render', 'validate-rendered.js')).href);
writeFileSync(join(DIST, 'crd-cache.json'), `${JSON.stringify(await buildCrdCache())}\n`);
// Task kinds and workflow kinds (templates/workflows/) share the one cache, keyed by text hash.
const templateCache = buildTemplateCache(join(ROOT, 'templates', 'tasks'));
Object.assign(templateCache.templates, buildTemplateCache(join(ROOT, 'templates', 'workflows')).templates);
writeFileSync(join(DIST, 'template-cache.json'), `${JSON.stringify(templateCache)}\n`);
process.stderr.write(`bundled ${files.length} commands into ${relative(ROOT, OUT)}/{cli,quick,launch}.cjs\n`);
