/**
 * The plugin's front door, before oclif: kubectl hands a plugin its arguments verbatim, and
 * kubectl users type them the kubectl way. This turns that into what oclif understands:
 *
 * - connection flags (and -v) before the command, as in `kubectl sei -n sei task get`, move
 *   behind the command; a command that has no such flag ignores it, as kubectl's global flags
 *   are accepted by every command;
 * - `-h` is --help wherever a command does not define -h itself; `help task get` is
 *   `task get --help`;
 * - `--no-color` (and NO_COLOR) turn colour off anywhere; `-v=N` is kubectl's HTTP log level;
 * - an unknown command is answered as kubectl answers it (`unknown command "tsk" for
 *   "kubectl sei"`, the closest names, exit 2) instead of oclif's ids and exit code.
 *
 * It knows commands only through the table it is given: the COMMANDS table the bundle generates
 * (scripts/bundle.mjs), or the fast path's few commands (src/cli/quick.ts). It imports no oclif,
 * so the fast path can use it without loading the CLI.
 */
import { distance } from 'fastest-levenshtein';
import { ExitCode } from '../errors/exit-codes.js';

/** A command class as far as the front door needs it: its flags' names and short chars. */
export interface CommandShape {
  flags?: Record<string, { char?: string; type?: string }>;
}

export const PLUGIN_NAME = 'kubectl sei';

/** Flags kubectl users put anywhere, with a value; `v` is kubectl's verbosity (-v=6). */
const GLOBAL_VALUE_FLAGS: ReadonlyMap<string, string> = new Map([
  ['--kubeconfig', 'kubeconfig'],
  ['--context', 'context'],
  ['--cluster', 'cluster'],
  ['--user', 'user'],
  ['--namespace', 'namespace'],
  ['-n', 'namespace'],
  ['--request-timeout', 'request-timeout'],
  ['--as', 'as'],
  ['-v', 'v'],
  ['--v', 'v'],
]);

/** Flags that stand alone (no value) and may precede the command. */
const GLOBAL_BOOLEAN_FLAGS: ReadonlyMap<string, string> = new Map([['--no-color', 'no-color']]);

export type FrontDoorResult =
  | { kind: 'run'; argv: string[]; noColor: boolean; verbosity?: number }
  | { kind: 'error'; message: string; exitCode: number };

interface GlobalFlag {
  name: string;
  tokens: string[];
}

/** `--namespace=sei`, `-nsei`, `-n=sei`, `--namespace sei`, `-n sei`: one flag and its tokens. */
function readGlobalFlag(argv: readonly string[], index: number): GlobalFlag | undefined {
  const token = argv[index] ?? '';
  const eq = token.indexOf('=');
  const head = eq > 0 ? token.slice(0, eq) : token;
  const boolean = GLOBAL_BOOLEAN_FLAGS.get(head);
  if (boolean && eq < 0) return { name: boolean, tokens: [token] };
  const name = GLOBAL_VALUE_FLAGS.get(head);
  if (name) {
    if (eq > 0) return { name, tokens: [token] };
    const value = argv[index + 1];
    return value === undefined ? { name, tokens: [token] } : { name, tokens: [token, value] };
  }
  // Short flags glued to their value: -nsei, -v6.
  if (/^-[nv][^=-]/.test(token)) {
    const short = GLOBAL_VALUE_FLAGS.get(token.slice(0, 2));
    if (short) return { name: short, tokens: [token] };
  }
  return undefined;
}

/** Names within a small edit distance of `input` (or that it starts), best first, as cobra suggests. */
export function suggestions(input: string, candidates: readonly string[]): string[] {
  const scored = candidates
    .map((candidate) => ({ candidate, score: candidate.startsWith(input) && input.length > 0 ? 0 : distance(input.toLowerCase(), candidate.toLowerCase()) }))
    .filter(({ score }) => score <= Math.max(2, Math.floor(input.length / 3)))
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, 3).map(({ candidate }) => candidate);
}

function unknownCommand(word: string, parent: string, candidates: readonly string[]): FrontDoorResult {
  const close = suggestions(word, candidates);
  const lines = [`error: unknown command "${word}" for "${parent}"`];
  if (close.length > 0) lines.push('', `Did you mean ${close.map((name) => `"${name}"`).join(' or ')}?`);
  lines.push(`Run '${parent} --help' for usage.`);
  return { kind: 'error', message: lines.join('\n'), exitCode: ExitCode.InvalidInput };
}

/** The flag names a command accepts, long and short (`namespace`, `n`). */
function acceptedFlags(command: CommandShape | undefined): Set<string> {
  const names = new Set<string>();
  for (const [name, flag] of Object.entries(command?.flags ?? {})) {
    names.add(name);
    if (flag.char) names.add(flag.char);
  }
  return names;
}

/**
 * Rewrites argv for oclif, or answers an unknown command. `commands` maps oclif ids
 * ('task:get', 'kinds') to their classes.
 */
export function frontDoor(argv: readonly string[], commands: Readonly<Record<string, CommandShape>>): FrontDoorResult {
  const ids = Object.keys(commands);
  const topics = new Set(ids.filter((id) => id.includes(':')).map((id) => id.split(':')[0]!));
  const globals: GlobalFlag[] = [];
  const path: string[] = [];
  let help = false;
  let index = 0;
  // The command path: words and global flags up to the first word that completes a command id.
  while (index < argv.length) {
    const token = argv[index]!;
    if (token === '--') break;
    const global = readGlobalFlag(argv, index);
    if (global) {
      globals.push(global);
      index += global.tokens.length;
      continue;
    }
    if (token === '-h' || token === '--help') {
      help = true;
      index += 1;
      continue;
    }
    if (token.startsWith('-')) break;
    if (path.length === 0 && token === 'help') {
      help = true;
      index += 1;
      continue;
    }
    const id = [...path, token].join(':');
    if (commands[id] || topics.has(id)) {
      path.push(token);
      index += 1;
      if (commands[id]) break;
      continue;
    }
    if (path.length === 0) return unknownCommand(token, PLUGIN_NAME, [...topics, ...ids.filter((name) => !name.includes(':'))].sort());
    const prefix = `${path.join(':')}:`;
    const children = ids.filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length).split(':')[0]!);
    return unknownCommand(token, `${PLUGIN_NAME} ${path.join(' ')}`, [...new Set(children)].sort());
  }
  const rest = argv.slice(index);
  const command = commands[path.join(':')];
  const accepted = acceptedFlags(command);
  const keptGlobals = command ? globals.filter((flag) => accepted.has(flag.name) || (flag.name === 'namespace' && accepted.has('n'))).flatMap((flag) => flag.tokens) : [];
  // -h is help unless the command has its own -h; only before `--` (after it, tokens are data).
  const separator = rest.indexOf('--');
  const flagsPart = separator < 0 ? rest : rest.slice(0, separator);
  const dataPart = separator < 0 ? [] : rest.slice(separator);
  const helpIsOurs = !accepted.has('h');
  // --no-color and -v=N are the front door's wherever they stand; the commands never see them.
  let noColor = globals.some((flag) => flag.name === 'no-color');
  let verbosity = verbosityOf(globals);
  const converted: string[] = [];
  for (let i = 0; i < flagsPart.length; i += 1) {
    const token = flagsPart[i]!;
    if (token === '--no-color') {
      noColor = true;
      continue;
    }
    const global = accepted.has('v') ? undefined : readGlobalFlag(flagsPart, i);
    if (global?.name === 'v') {
      verbosity = verbosityOf([global]) ?? verbosity;
      i += global.tokens.length - 1;
      continue;
    }
    converted.push(token === '-h' && helpIsOurs ? '--help' : token);
  }
  const wantsHelp = help || (helpIsOurs && flagsPart.includes('-h'));
  const out = [...path, ...keptGlobals, ...converted, ...dataPart];
  if (wantsHelp && !out.includes('--help')) out.splice(path.length, 0, '--help');
  return { kind: 'run', argv: out, noColor, ...(verbosity !== undefined ? { verbosity } : {}) };
}

/** kubectl's -v=6 / --v 6 / -v6: the last one given wins. */
function verbosityOf(globals: readonly GlobalFlag[]): number | undefined {
  let level: number | undefined;
  for (const flag of globals) {
    if (flag.name !== 'v') continue;
    const text = flag.tokens.length === 2 ? flag.tokens[1]! : flag.tokens[0]!.replace(/^--?v=?/, '');
    const parsed = Number.parseInt(text, 10);
    if (Number.isInteger(parsed) && parsed >= 0) level = parsed;
  }
  return level;
}

/**
 * What the front door decided that is not argv: colour off for chalk (ora's spinner, ✔/✖) and
 * oclif's help, which read NO_COLOR/FORCE_COLOR before drawing (no-color.org), and kubectl's
 * HTTP log level.
 */
export async function applyFrontDoorSettings(result: Extract<FrontDoorResult, { kind: 'run' }>): Promise<void> {
  if (result.noColor || (process.env['NO_COLOR'] ?? '') !== '') {
    process.env['NO_COLOR'] = '1';
    process.env['FORCE_COLOR'] = '0';
  }
  if (result.verbosity !== undefined && result.verbosity > 0) {
    const { enableHttpLog } = await import('../cluster/http-log.js');
    enableHttpLog(result.verbosity);
  }
}
