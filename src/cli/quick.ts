/**
 * The fast path: the commands operators type most, answered without loading oclif or the full
 * CLI bundle (dist/bundle/quick.cjs, half the size of cli.cjs; `--version` is answered even
 * earlier, in src/launch/launch.ts). `version` and `task|node|workflow get` run here when their
 * arguments are ones this parser reads exactly as oclif does: flags from the same specs
 * (flag-specs.ts), each given once, in the plain forms (`--flag value`, `--flag=value`,
 * `-f value`, `-fvalue`), with nothing it does not know (`-h`, an unknown flag, `--`, `-o=json`,
 * grouped short flags). Anything else returns false and the full CLI answers it, so the fast
 * path can decline but never answer differently: both paths call the same use-case (runGet,
 * versionText), and test/e2e/fast-path.test.ts compares them. KUBECTL_SEI_FAST_PATH=off turns
 * it off.
 */
import { parseArgs } from 'node:util';
import { versionText } from './version.js';
import { CONNECTION_FLAGS, GET_FLAGS, VERSION_FLAGS, WORKFLOW_GET_FLAGS, type FlagSpecs, type GetFlagValues } from './flag-specs.js';
import { applyFrontDoorSettings, frontDoor, type FrontDoorResult } from './front-door.js';
import type { GetIo, GetResource } from './get-command.js';

interface QuickCommand {
  flags: FlagSpecs;
  /** Most positional arguments the oclif command accepts. */
  maxArgs: number;
  run(args: string[], flags: Record<string, string | boolean | undefined>, io: GetIo): Promise<void>;
}

const get = (resource: GetResource) => async (args: string[], flags: Record<string, string | boolean | undefined>, io: GetIo) => {
  const { runGet } = await import('./get-command.js');
  await runGet(resource, args, flags as GetFlagValues, io);
};

const QUICK_COMMANDS: Readonly<Record<string, QuickCommand>> = {
  'task:get': { flags: { ...CONNECTION_FLAGS, ...GET_FLAGS }, maxArgs: Infinity, run: get('task') },
  'node:get': { flags: { ...CONNECTION_FLAGS, ...GET_FLAGS }, maxArgs: Infinity, run: get('node') },
  'workflow:get': { flags: { ...CONNECTION_FLAGS, ...WORKFLOW_GET_FLAGS }, maxArgs: Infinity, run: get('workflow') },
  version: {
    flags: VERSION_FLAGS,
    maxArgs: 0,
    run: async (_args, flags, io) => {
      const text = await versionText(flags['output'] as 'json' | 'yaml' | undefined);
      io.prepareStdout?.();
      process.stdout.write(text);
    },
  },
};

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** argv as oclif would read it, or undefined where this parser could read it differently. */
function parseExactly(args: readonly string[], specs: FlagSpecs): Parsed | undefined {
  const options = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type, ...(spec.char ? { short: spec.char } : {}) }]));
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true, tokens: true });
  } catch {
    return undefined;
  }
  const names = new Set<string>();
  const positions = new Set<number>();
  for (const token of parsed.tokens) {
    if (token.kind === 'option-terminator') return undefined;
    if (token.kind !== 'option') continue;
    // A flag given twice, or short flags grouped (-Aw: two options at one position).
    if (names.has(token.name) || positions.has(token.index)) return undefined;
    names.add(token.name);
    positions.add(token.index);
    const raw = args[token.index] ?? '';
    if (token.value === '' || (token.rawName.length === 2 && raw.startsWith(`${token.rawName}=`))) return undefined;
    const allowed = specs[token.name]?.options;
    if (allowed && !allowed.includes(token.value ?? '')) return undefined;
  }
  return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
}

/** What the fast path would run for argv: the command, its arguments and flags; undefined declines. */
export function planQuick(argv: readonly string[]): { id: string; args: string[]; flags: Parsed['values']; door: Extract<FrontDoorResult, { kind: 'run' }> } | undefined {
  const door = frontDoor(argv, QUICK_COMMANDS);
  if (door.kind !== 'run') return undefined;
  const depth = door.argv[0] === 'version' ? 1 : 2;
  const id = door.argv.slice(0, depth).join(':');
  const command = QUICK_COMMANDS[id];
  if (!command) return undefined;
  const parsed = parseExactly(door.argv.slice(depth), command.flags);
  if (!parsed || parsed.positionals.length > command.maxArgs) return undefined;
  return { id, args: parsed.positionals, flags: parsed.values, door };
}

/** Answers argv if it is a fast-path command; false leaves it to the full CLI. */
export async function runQuick(argv: readonly string[]): Promise<boolean> {
  if (process.env['KUBECTL_SEI_FAST_PATH'] === 'off') return false;
  const plan = planQuick(argv);
  const command = plan && QUICK_COMMANDS[plan.id];
  if (!plan || !command) return false;
  await applyFrontDoorSettings(plan.door);
  let epipeIgnored = false;
  // `task get | head` closes stdout early: not an error, as oclif (its command.js) treats it.
  // Installed when the output is prepared (creating process.stdout is ~2 ms, better spent while
  // a request is in flight), and at the latest before the command writes.
  const prepareStdout = (): void => {
    if (epipeIgnored) return;
    epipeIgnored = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  };
  let machine = false;
  const io: GetIo = { machineOutput: (on) => (machine = on), stderr: (line) => process.stderr.write(`${line}\n`), prepareStdout };
  try {
    await command.run(plan.args, plan.flags, io);
  } catch (error) {
    const [{ reportError }, { withOutageExplained }] = await Promise.all([import('../output/report-error.js'), import('../cluster/command-scope.js')]);
    process.exitCode = reportError(withOutageExplained(error), { machine }).exitCode;
  }
  return true;
}
