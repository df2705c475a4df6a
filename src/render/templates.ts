/**
 * The one Handlebars environment kubectl-sei renders with: the `v` and `isSet` helpers, the
 * `metadata` and `target` partials, and a compiled-template cache. Start-up matters (`task
 * render` is benchmarked against `node -e 0`), so only the Handlebars runtime is loaded: the
 * built-in templates and partials are precompiled at build time into dist/template-cache.json
 * (keyed by a hash of their text, so an edited template is simply compiled again), and the
 * compiler is required lazily for users' templates and cache misses. It does not parse YAML
 * or check output; src/render/index.ts does.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import HandlebarsRuntimeModule from 'handlebars/runtime.js';
import { SeiError } from '../errors/sei-error.js';
import { PACKAGE_ROOT } from '../catalog/index.js';
import type { KindSpec } from '../catalog/types.js';

export const TEMPLATE_CACHE = join(PACKAGE_ROOT, 'dist', 'template-cache.json');

export const PARTIALS: Record<string, string> = {
  metadata: [
    'metadata:',
    '  name: {{v name}}',
    '{{#if namespace}}',
    '  namespace: {{v namespace}}',
    '{{/if}}',
    '  labels:',
    '{{#each labels}}',
    '    {{v @key}}: {{v this}}',
    '{{/each}}',
    '{{#if annotations}}',
    '  annotations:',
    '{{#each annotations}}',
    '    {{v @key}}: {{v this}}',
    '{{/each}}',
    '{{/if}}',
    '',
  ].join('\n'),
  target: [
    '  target:',
    '    nodeRef:',
    '      name: {{v node}}',
    '{{#if (isSet params.requirePhase)}}',
    '    requirePhase: {{v params.requirePhase}}',
    '{{/if}}',
    '{{#if (isSet params.requirePhaseTimeout)}}',
    '    requirePhaseTimeout: {{v params.requirePhaseTimeout}}',
    '{{/if}}',
    '{{#if (isSet params.timeoutSeconds)}}',
    '  timeoutSeconds: {{v params.timeoutSeconds}}',
    '{{/if}}',
    '',
  ].join('\n'),
};

/** noEscape: HTML escaping corrupts values (`=` -> `&#x3D;`); knownHelpersOnly: no other helpers. */
export const COMPILE_OPTIONS = { noEscape: true, strict: false, knownHelpers: { v: true, isSet: true }, knownHelpersOnly: true } as const;

export type Template = (context: unknown) => string;

/** Called by `v` for every substituted value; index.ts swaps it for the probe render. */
export interface Emitter {
  emit: (value: unknown) => string;
}

// handlebars/runtime.d.ts declares nothing; the runtime is the full API minus the compiler.
const HandlebarsRuntime = HandlebarsRuntimeModule as unknown as typeof import('handlebars');
type TemplateSpec = Parameters<typeof HandlebarsRuntime.template>[0];

const runtime = HandlebarsRuntime.create();
let emitter: Emitter = { emit: String };
runtime.registerHelper('v', (value: unknown) => {
  if (value === undefined) throw new TypeError('`v` got an undefined value: wrap optional fields in {{#if (isSet params.x)}}');
  return emitter.emit(value);
});
runtime.registerHelper('isSet', (value: unknown) => value !== undefined && value !== null);

export function withEmitter<T>(next: Emitter, run: () => T): T {
  const previous = emitter;
  emitter = next;
  try {
    return run();
  } finally {
    emitter = previous;
  }
}

export function textHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

interface TemplateCacheFile {
  /** sha1 of a template's text -> Handlebars.precompile output (JavaScript source of a spec). */
  templates: Record<string, string>;
}

let cache: TemplateCacheFile | undefined;
function cached(hash: string): string | undefined {
  cache ??= existsSync(TEMPLATE_CACHE) ? (JSON.parse(readFileSync(TEMPLATE_CACHE, 'utf8')) as TemplateCacheFile) : { templates: {} };
  return cache.templates[hash];
}

/** The full compiler, only for a template the build did not precompile. */
export function precompile(source: string): string {
  const compiler = createRequire(import.meta.url)('handlebars') as { precompile(source: string, options: object): string };
  return compiler.precompile(source, COMPILE_OPTIONS);
}

function specOf(source: string): TemplateSpec {
  const code = cached(textHash(source)) ?? precompile(source);
  // The precompiled spec is JavaScript object source produced by Handlebars itself (from our
  // template text or the build's cache), evaluated as Handlebars' own runtime loader would.
  return new Function(`return ${code};`)() as TemplateSpec;
}

let partialsReady = false;
function ensurePartials(): void {
  if (partialsReady) return;
  for (const [name, source] of Object.entries(PARTIALS)) runtime.registerPartial(name, runtime.template(specOf(source)));
  partialsReady = true;
}

const compiled = new Map<string, Template>();

export function templateFor(spec: KindSpec): Template {
  let template = compiled.get(spec.templatePath);
  if (template) return template;
  ensurePartials();
  const source = readFileSync(spec.templatePath, 'utf8');
  try {
    const fn = runtime.template(specOf(source));
    template = (context: unknown) => fn(context);
  } catch (error) {
    throw SeiError.invalid(`template ${spec.templatePath}: ${error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error)}`, [], [
      'Fix the Handlebars syntax; substitute values only with {{v ...}}.',
    ]);
  }
  compiled.set(spec.templatePath, template);
  return template;
}

/** Build step (scripts/bundle.mjs): precompile the partials and every built-in template. */
export function buildTemplateCache(templatesDir: string): TemplateCacheFile {
  const { readdirSync } = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
  const sources = [
    ...Object.values(PARTIALS),
    ...readdirSync(templatesDir).filter((file) => file.endsWith('.yaml.hbs')).sort().map((file) => readFileSync(join(templatesDir, file), 'utf8')),
  ];
  return { templates: Object.fromEntries(sources.map((source) => [textHash(source), precompile(source)])) };
}
