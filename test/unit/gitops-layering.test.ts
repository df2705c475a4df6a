/**
 * The layering rule for git: src/gitops/ is the only code that imports simple-git or runs the
 * git binary itself; everything else calls commitToGit / readCommittedTasks.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

it('only src/gitops/ touches git', () => {
  const offenders = sources(SRC)
    .filter((file) => !file.startsWith(path.join(SRC, 'gitops') + path.sep))
    .filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /from ['"]simple-git['"]|import\(['"]simple-git['"]\)/.test(text) || /(spawn|execFile|execFileSync|spawnSync)\(\s*['"]git['"]/.test(text);
    })
    .map((file) => path.relative(SRC, file));
  expect(offenders).toEqual([]);
  // And the rule is not vacuous: src/gitops does use simple-git.
  expect(readFileSync(path.join(SRC, 'gitops', 'git.ts'), 'utf8')).toMatch(/from 'simple-git'/);
});
