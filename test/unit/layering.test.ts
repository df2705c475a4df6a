/**
 * The architecture's layering rules, enforced rather than hoped for:
 * - only src/cluster/ talks to @kubernetes/client-node (it wraps ApiException so credentials in
 *   headers never reach a user);
 * - commands import nothing heavy at module load: services, the cluster client, validation and
 *   rendering are imported inside run(), so `--help`, `--version` and offline commands start fast
 *   (a module's types.ts and its flag-only cli.ts are allowed);
 * - imports run down the layer table of test/support/layering.ts (static and dynamic), never
 *   back up, with no loop between folders or files.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAYERS, importsOf, layeringViolations, srcImports } from '../support/layering.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gms)].map((match) => match[1]!);
}

const inDir = (file: string, dir: string) => file.startsWith(path.join(SRC, dir) + path.sep);

describe('layering', () => {
  it('only src/cluster/ imports @kubernetes/client-node', () => {
    const importers = sources(SRC).filter((file) => /['"]@kubernetes\/client-node(\/[^'"]*)?['"]/.test(readFileSync(file, 'utf8')));
    const offenders = importers.filter((file) => !inDir(file, 'cluster')).map((file) => path.relative(SRC, file));
    expect(offenders).toEqual([]);
    expect(importers.length).toBeGreaterThan(0);
  });

  const commandFiles = sources(path.join(SRC, 'commands'));
  const heavy = /^(@kubernetes\/client-node|ajv|handlebars|simple-git|@marcbachmann\/cel-js|ora)$|\/(cluster|services|validate|gitops|plan|sim|watch)\/(?!(types|cli)\.js$)/;

  it.each(commandFiles.map((file) => [path.relative(SRC, file), file]))('%s imports no heavy module at load', (_name, file) => {
    const offenders = staticImports(file).filter((specifier) => heavy.test(specifier));
    expect(offenders).toEqual([]);
  });
});

describe('direction of imports between src/ folders', () => {
  const imports = srcImports(SRC);

  it('every import of src/ follows the layer table', () => {
    expect(layeringViolations(imports)).toEqual([]);
    // Not vacuous: the scan sees static, type-only and dynamic imports across folders.
    expect(imports.some((i) => i.dynamic && i.file.startsWith('commands/') && i.target.startsWith('services/'))).toBe(true);
    expect(imports.filter((i) => !i.dynamic && i.target.startsWith('errors/')).length).toBeGreaterThan(10);
  });

  it('every folder of src/ has a row in the table', () => {
    const folders = new Set(imports.map((i) => i.file.split('/')[0]!).filter((f) => !f.endsWith('.ts')));
    expect([...folders].filter((f) => !(f in LAYERS))).toEqual([]);
  });

  it('fails on a static back-up import (output → services, the arrow issue 8 removed)', () => {
    const fed = importsOf('output/printers.ts', "import { humanDuration } from '../services/duration.js';\n");
    expect(layeringViolations([...imports, ...fed])).toEqual([
      "output/printers.ts imports ../services/duration.js: src/output/ may not import src/services/ (services sits above output: a back-up arrow); allowed: plan, watch, catalog, cluster, domain, errors",
    ]);
  });

  it('fails on a dynamic import() that runs back up (gitops → services, the hidden loop)', () => {
    const fed = importsOf('gitops/layout.ts', "  const { renderPlan } = await import('../services/plan-render.js');\n");
    const problems = layeringViolations([...imports, ...fed]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('gitops/layout.ts imports ../services/plan-render.js (dynamic import()): src/gitops/ may not import src/services/');
  });

  it('fails on a type-only import that runs back up', () => {
    const fed = importsOf('domain/labels.ts', "import type { PlanOutcome } from '../services/plan-run.js';\n");
    expect(layeringViolations([...imports, ...fed])[0]).toMatch(/^domain\/labels\.ts imports \.\.\/services\/plan-run\.js: src\/domain\/ may not import src\/services\//);
  });

  it('fails on a loop in the table and on a loop between files', () => {
    expect(layeringViolations([], { a: ['b'], b: ['a'] })).toEqual(['the layer table has a loop: a → b → a']);
    const loop = [...importsOf('plan/x.ts', "import { y } from './y.js';"), ...importsOf('plan/y.ts', "import { x } from './x.js';")];
    expect(layeringViolations(loop)).toEqual(['import loop between files: plan/x.ts → plan/y.ts → plan/x.ts']);
  });

  it('fails on a folder the table does not know', () => {
    const fed = importsOf('newthing/a.ts', "import { SeiError } from '../errors/index.js';");
    expect(layeringViolations(fed)).toEqual(['newthing/a.ts: folder src/newthing/ is not in the layer table (test/support/layering.ts): add its row']);
  });
});
