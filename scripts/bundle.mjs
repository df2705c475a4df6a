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
const BUNDLED = new Set(['@oclif/core', 'yaml', 'handlebars', 'fastest-levenshtein', '@marcbachmann/cel-js', '@kubernetes/client-node', 'ora']);

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
const OUTFILE = join(OUT, 'cli.cjs');
await build({
  entryPoints: [ENTRY],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: OUTFILE,
  external,
  logLevel: 'warning',
  // Comments and indentation are a third of the file; names stay, for stack traces and oclif.
  minifyWhitespace: true,
  // import() of an external becomes require(): inside the code-cached vm.Script Node 20 has no
  // loader for import(), and every external here can be required.
  supported: { 'dynamic-import': false },
  // Every module's import.meta.url is the bundle's own URL, one directory below dist/ as each
  // module's was.
  define: { 'import.meta.url': '__seiBundleUrl', __SEI_BUILD_INFO__: JSON.stringify(buildInfo()) },
  banner: { js: "var __seiBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [missingRelativeImportsStayExternal(), clientNodeGeneratedCodeIsPure()],
});
const bundled = readFileSync(OUTFILE, 'utf8');
// A dynamic import() left in the bundle would fail at run time inside the code-cached script.
if (/[^\w$.]import\(\s*["'`]/.test(bundled)) throw new Error(`bundle: ${relative(ROOT, OUTFILE)} still contains a dynamic import()`);
// esbuild escapes non-ASCII everywhere but in regular expression literals (a few libraries use
// "µs" or "\u009b" there); \uXXXX means the same character in a regex, a string or a name, and
// an ASCII file is read by a plain byte copy instead of a UTF-8 decode on every start.
writeFileSync(OUTFILE, bundled.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
rmSync(ENTRY);

// Precompiled built-in templates: `task render` then loads only the Handlebars runtime.
const { buildTemplateCache } = await import(pathToFileURL(join(DIST, 'render', 'templates.js')).href);
// The project CRDs as JSON: parsing their YAML was the largest cost of `task render`.
const { buildCrdCache } = await import(pathToFileURL(join(DIST, 'render', 'validate-rendered.js')).href);
writeFileSync(join(DIST, 'crd-cache.json'), `${JSON.stringify(await buildCrdCache())}\n`);
// Task kinds and workflow kinds (templates/workflows/) share the one cache, keyed by text hash.
const templateCache = buildTemplateCache(join(ROOT, 'templates', 'tasks'));
Object.assign(templateCache.templates, buildTemplateCache(join(ROOT, 'templates', 'workflows')).templates);
writeFileSync(join(DIST, 'template-cache.json'), `${JSON.stringify(templateCache)}\n`);
process.stderr.write(`bundled ${files.length} commands into ${relative(ROOT, OUTFILE)}\n`);
