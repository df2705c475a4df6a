#!/usr/bin/env node
// Build step after tsc: bundles the CLI entry (oclif core + every command module, and the
// small libraries on the hot path) into dist/bundle/ with esbuild, so start-up reads a few
// files instead of hundreds of ESM modules (oclif alone is ~200). Dynamic imports inside
// commands stay lazy as split chunks. Heavy or I/O-bound dependencies (client-node, git, ora,
// ajv, ...) stay external and load from node_modules only when a command needs them.
// The commands map is generated from dist/commands/, so adding a command needs no edit here.
// It also precompiles the built-in Handlebars templates into dist/template-cache.json and
// stores the project CRDs as JSON in dist/crd-cache.json.
// Chunks live two levels below the package root (dist/bundle/), like dist/<module>/, so
// `new URL('../../templates/...', import.meta.url)` resolves the same bundled or not.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The tsc output to bundle: dist/ by default, or the staging directory scripts/build.mjs swaps in.
const DIST = process.argv[2] ? join(ROOT, process.argv[2]) : join(ROOT, 'dist');
const OUT = join(DIST, 'bundle');
const ENTRY = join(DIST, 'bundle-entry.js');
/**
 * Bundled into the entry: oclif (and everything it pulls in) plus the render hot path.
 * @kubernetes/client-node too (it lands in the lazy chunk of src/cluster): loaded from
 * node_modules it is ~2,300 generated modules and ~1 s of CPU on every cluster command; inlined
 * and tree-shaken, the cluster layer loads in about a quarter of that (bench/cluster-import.mjs).
 */
const BUNDLED = new Set(['@oclif/core', 'yaml', 'handlebars', 'fastest-levenshtein', '@marcbachmann/cel-js', '@kubernetes/client-node']);

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
const lines = ["export { execute } from '@oclif/core/execute';"];
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

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: { entry: ENTRY },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: OUT,
  external,
  logLevel: 'warning',
  plugins: [missingRelativeImportsStayExternal(), clientNodeGeneratedCodeIsPure()],
  // CJS modules inside an ESM bundle call require() for Node built-ins.
  banner: { js: "import { createRequire as __seiCreateRequire } from 'node:module'; const require = __seiCreateRequire(import.meta.url);" },
});
rmSync(ENTRY);

// Precompiled built-in templates: `task render` then loads only the Handlebars runtime.
const { buildTemplateCache } = await import(pathToFileURL(join(DIST, 'render', 'templates.js')).href);
// The project CRDs as JSON: parsing their YAML was the largest cost of `task render`.
const { buildCrdCache } = await import(pathToFileURL(join(DIST, 'render', 'validate-rendered.js')).href);
writeFileSync(join(DIST, 'crd-cache.json'), `${JSON.stringify(await buildCrdCache())}\n`);
writeFileSync(join(DIST, 'template-cache.json'), `${JSON.stringify(buildTemplateCache(join(ROOT, 'templates', 'tasks')))}\n`);
process.stderr.write(`bundled ${files.length} commands into ${relative(ROOT, OUT)}/\n`);
