/**
 * The architecture's layering rules, enforced rather than hoped for:
 * - only src/cluster/ talks to @kubernetes/client-node (it wraps ApiException so credentials in
 *   headers never reach a user);
 * - commands import nothing heavy at module load: services, the cluster client, validation and
 *   rendering are imported inside run(), so `--help`, `--version` and offline commands start fast
 *   (a module's types.ts and its flag-only cli.ts are allowed).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
  const heavy = /^(@kubernetes\/client-node|ajv|ajv-formats|handlebars|simple-git|@marcbachmann\/cel-js|ora|cli-table3)$|\/(cluster|services|validate|gitops|plan|sim|watch)\/(?!(types|cli)\.js$)/;

  it.each(commandFiles.map((file) => [path.relative(SRC, file), file]))('%s imports no heavy module at load', (_name, file) => {
    const offenders = staticImports(file).filter((specifier) => heavy.test(specifier));
    expect(offenders).toEqual([]);
  });
});
