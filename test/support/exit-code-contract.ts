/**
 * The exit-code contract, checked on every run of the built CLI that goes through runCli: the
 * code a command returned must be one its --help lists (the exitCodes it declares, as the build
 * wrote them into oclif.manifest.json). So every e2e test that sees a command fail, time out or
 * be interrupted is also a witness that the command's help does not leave that code out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frontDoor, type CommandShape } from '../../src/cli/front-door.js';

interface ManifestCommand extends CommandShape {
  exitCodes?: Array<{ code: number; meaning: string }>;
}

let manifest: Record<string, ManifestCommand> | undefined;

function commands(root: string): Record<string, ManifestCommand> | undefined {
  if (manifest) return manifest;
  const file = join(root, 'oclif.manifest.json');
  if (!existsSync(file)) return undefined;
  manifest = (JSON.parse(readFileSync(file, 'utf8')) as { commands: Record<string, ManifestCommand> }).commands;
  return manifest;
}

/** The oclif id of the command `args` run (`task:wait`), as the front door reads kubectl-style argv; undefined for help. */
export function commandIdOf(args: readonly string[], known: Readonly<Record<string, CommandShape>>): string | undefined {
  const door = frontDoor(args, known);
  if (door.kind !== 'run' || door.argv.includes('--help')) return undefined;
  // The front door puts the command's words first: the longest prefix that is a command.
  for (let length = Math.min(door.argv.length, 3); length > 0; length -= 1) {
    const id = door.argv.slice(0, length).join(':');
    if (known[id]) return id;
  }
  return undefined;
}

/**
 * Why a run broke the contract, or undefined when it kept it (or is no command run: help, an
 * unknown command, a signal, no build).
 */
export function exitCodeBreach(root: string, args: readonly string[], code: number | null): string | undefined {
  const known = commands(root);
  if (code === null || !known) return undefined;
  const id = commandIdOf(args, known);
  if (!id) return undefined;
  const declared = (known[id]?.exitCodes ?? []).map((entry) => entry.code);
  if (declared.includes(code)) return undefined;
  return `kubectl sei ${id.replaceAll(':', ' ')} exited ${code}, which its --help does not list (EXIT CODES: ${declared.join(', ')}): declare it in the command's exitCodes, or find why it returned it`;
}
