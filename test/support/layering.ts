/**
 * The direction of imports between the folders of src/, as data, and a checker for it. A folder
 * may import only the folders its row names (and itself); the rows form a DAG, so an import
 * that is not in the table runs back up or sideways, and a loop between folders or files is
 * impossible without breaking a row. Every import counts: static, `import type`, re-exports and
 * dynamic `import()` (a dynamic import hides a loop from the bundler, not from this table).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Folder → the folders it may import. Lower layers come first. */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  domain: ['errors'],
  // The launcher answers --version itself: only the build's facts (domain/build-info.ts).
  launch: ['domain'],
  cluster: ['domain', 'errors'],
  validate: ['domain', 'errors'],
  catalog: ['cluster', 'validate', 'domain', 'errors'],
  watch: ['cluster', 'domain', 'errors'],
  render: ['catalog', 'cluster', 'validate', 'domain', 'errors'],
  plan: ['render', 'catalog', 'validate', 'watch', 'cluster', 'domain', 'errors'],
  // Pure formatting of what the layers below produce (tasks, plan verdicts).
  output: ['plan', 'watch', 'catalog', 'cluster', 'domain', 'errors'],
  // Git and repository layout only; the use-cases that commit and wait live in services.
  // The one YAML writer every file kubectl-sei writes goes through is domain/yaml.ts.
  gitops: ['plan', 'cluster', 'domain', 'errors'],
  // The simulated cluster is a program of its own: it shares only validation and the basics.
  sim: ['validate', 'cluster', 'domain', 'errors'],
  services: ['gitops', 'output', 'plan', 'render', 'catalog', 'validate', 'watch', 'cluster', 'domain', 'errors'],
  cli: ['services', 'output', 'plan', 'watch', 'cluster', 'domain', 'errors'],
  commands: ['cli', 'services', 'output', 'gitops', 'render', 'catalog', 'validate', 'sim', 'cluster', 'domain', 'errors'],
};

export interface SourceImport {
  /** Importing file, relative to src/ (posix separators). */
  file: string;
  specifier: string;
  /** Imported file, relative to src/. */
  target: string;
  dynamic: boolean;
  /** `import type` / `export type`: erased at run time. */
  typeOnly: boolean;
}

const IMPORT = /(?:^\s*import\s+[^;'"]*?from\s+|^\s*export\s+[^;'"]*?from\s+|^\s*import\s+|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Every relative import of one source text (comments are not stripped: a commented import is still a dependency someone meant). */
export function importsOf(file: string, text: string): SourceImport[] {
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = match[1]!;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
    return { file, specifier, target, dynamic: match[0].includes('import('), typeOnly: /^\s*(import|export)\s+type\b/.test(match[0]) };
  });
}

export function sourceFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(root, full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path.relative(root, full).split(path.sep).join('/')] : [];
  });
}

export function srcImports(root: string): SourceImport[] {
  return sourceFiles(root).flatMap((file) => importsOf(file, readFileSync(path.join(root, file), 'utf8')));
}

const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

/** Loops in a directed graph, each as the path that closes it. */
export function findLoops(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const loops: string[][] = [];
  const visit = (node: string, trail: string[]): void => {
    state.set(node, 'open');
    trail.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') loops.push([...trail.slice(trail.indexOf(next)), next]);
      else if (!state.has(next)) visit(next, trail);
    }
    trail.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node, []);
  return loops;
}

/**
 * What breaks the direction: an import between folders that the table does not allow, a folder
 * the table does not know, a loop in the table itself, or a loop between files (static value
 * imports only: types are erased, and a dynamic import of a module that imports you back is how
 * lazy loading works; across folders the rows already forbid both).
 */
export function layeringViolations(imports: readonly SourceImport[], layers: Readonly<Record<string, readonly string[]>> = LAYERS): string[] {
  const problems: string[] = [];
  for (const loop of findLoops(new Map(Object.entries(layers)))) problems.push(`the layer table has a loop: ${loop.join(' → ')}`);
  for (const entry of imports) {
    const from = folderOf(entry.file);
    const to = folderOf(entry.target);
    if (from === to) continue;
    if (to === '.' || to.startsWith('..')) {
      problems.push(`${entry.file} imports ${entry.specifier}, outside the src/ folders`);
      continue;
    }
    const allowed = layers[from];
    if (!allowed) {
      problems.push(`${entry.file}: folder src/${from}/ is not in the layer table (test/support/layering.ts): add its row`);
      continue;
    }
    if (!allowed.includes(to)) {
      const back = (layers[to] ?? []).includes(from);
      problems.push(`${entry.file} imports ${entry.specifier}${entry.dynamic ? ' (dynamic import())' : ''}: src/${from}/ may not import src/${to}/${back ? ` (${to} sits above ${from}: a back-up arrow)` : ''}; allowed: ${allowed.join(', ') || 'nothing'}`);
    }
  }
  const fileGraph = new Map<string, string[]>();
  for (const entry of imports) if (!entry.dynamic && !entry.typeOnly) fileGraph.set(entry.file, [...(fileGraph.get(entry.file) ?? []), entry.target]);
  for (const loop of findLoops(fileGraph)) problems.push(`import loop between files: ${loop.join(' → ')}`);
  return problems;
}
