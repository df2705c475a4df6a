/**
 * The README's "Exit codes" table per command says what each command's --help says: every
 * command appears in exactly one row, and the row's codes are the ones the command declares
 * (static exitCodes, which its --help lists). Read from the command sources, so no build is needed.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { ExitCode, commandExitCodes, type CommandExitCode } from '../../src/errors/exit-codes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMMANDS_DIR = join(ROOT, 'src', 'commands');

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? commandFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** `task wait` → its declared codes, from the command classes themselves. */
const declared = new Map<string, number[]>();

beforeAll(async () => {
  for (const file of commandFiles(COMMANDS_DIR)) {
    const name = relative(COMMANDS_DIR, file).replace(/\.ts$/, '').split(sep).join(' ');
    const command = ((await import(file)) as { default: { exitCodes?: readonly CommandExitCode[] } }).default;
    declared.set(name, (command.exitCodes ?? []).map((entry) => entry.code));
  }
}, 60_000);

/** The rows `| 0 2 4 | \`task get\`, … |` of the README's Exit codes section. */
function readmeRows(): Array<{ codes: number[]; commands: string[] }> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Exit codes'), readme.indexOf('\n## ', readme.indexOf('\n## Exit codes') + 1));
  return [...section.matchAll(/^\| ((?:\d+ )*\d+) \| (`.+`) \|$/gm)].map((match) => ({
    codes: match[1]!.split(' ').map(Number),
    commands: [...match[2]!.matchAll(/`([^`]+)`/g)].map((name) => name[1]!),
  }));
}

it('every command is in exactly one row of the README table, with the codes it declares', () => {
  const rows = readmeRows();
  expect(rows.length).toBeGreaterThanOrEqual(3);
  const seen = rows.flatMap((row) => row.commands);
  expect([...seen].sort()).toEqual([...declared.keys()].sort());
  for (const row of rows) for (const name of row.commands) expect(declared.get(name), name).toEqual(row.codes);
});

it('commandExitCodes: ascending, the general meaning where none is given, a code given twice refused', () => {
  const codes = commandExitCodes(ExitCode.ClusterError, [ExitCode.Ok, 'listed'], ExitCode.InvalidInput);
  expect(codes.map((entry) => entry.code)).toEqual([0, 2, 4]);
  expect(codes[0]?.meaning).toBe('listed');
  expect(codes[2]?.meaning).toMatch(/cluster or API error/);
  expect(() => commandExitCodes(ExitCode.Ok, [ExitCode.Ok, 'again'])).toThrow(/declared twice/);
});
