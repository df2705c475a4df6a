/**
 * The base of every kubectl-sei command: the kubectl-style connection flags (kubectl passes
 * none of its global flags to a plugin), and the one place where errors become exit codes.
 * Commands stay thin: parse flags, build typed options, call one service, print its result.
 */
import { Command } from '@oclif/core/command';
import * as Errors from '@oclif/core/errors';
import * as Flags from '@oclif/core/flags';
import { ExitCode, type CommandExitCode } from '../errors/exit-codes.js';
import { reportError } from '../output/report-error.js';
import { withOutageExplained } from '../cluster/command-scope.js';
import { SeiError } from '../errors/sei-error.js';
import type { BooleanFlag, OptionFlag } from '@oclif/core/interfaces';
import { CONNECTION_FLAGS, type FlagSpecs } from './flag-specs.js';

export { connectionOptions, type ConnectionFlagValues } from './flag-specs.js';

/** oclif's flag for each spec of flag-specs.ts, typed as the spec says. */
export type OclifFlagsOf<T extends FlagSpecs> = { [K in keyof T]: T[K]['type'] extends 'boolean' ? BooleanFlag<boolean> : OptionFlag<string | undefined> };

export function oclifFlags<T extends FlagSpecs>(specs: T): OclifFlagsOf<T> {
  const built: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const common = {
      description: spec.description,
      // oclif types `char` as a union of letters; a spec's char is one letter by construction.
      ...(spec.char ? { char: spec.char as 'n' } : {}),
      ...(spec.helpGroup ? { helpGroup: spec.helpGroup } : {}),
    };
    built[name] = spec.type === 'boolean' ? Flags.boolean(common) : Flags.string({ ...common, ...(spec.options ? { options: [...spec.options] } : {}) });
  }
  return built as OclifFlagsOf<T>;
}

export const connectionFlags = oclifFlags(CONNECTION_FLAGS);

const MACHINE_FORMATS = new Set(['json', 'yaml', 'ndjson', 'name']);

/**
 * Whether argv asks for machine output (-o json, -ojson, -o=json, --output json, --output=json),
 * read before oclif has parsed it, because parsing is what failed.
 */
export function asksForMachineOutput(argv: readonly string[]): boolean {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--') return false;
    const value = arg === '-o' || arg === '--output' ? argv[i + 1] : /^(?:--output=|-o=?)(.+)$/.exec(arg)?.[1];
    if (value !== undefined && MACHINE_FORMATS.has(value)) return true;
  }
  return false;
}

export abstract class SeiCommand extends Command {
  /**
   * Every exit code this command can return, with what each means here (commandExitCodes):
   * its --help lists exactly these (src/cli/help.ts), and so does the README's table.
   */
  static exitCodes: readonly CommandExitCode[] = [];

  /** Set by a command once it knows its output is for machines (-o json|yaml|ndjson|name). */
  protected machineOutput = false;

  /** What a use-case reports besides stdout (get-command.ts GetIo): machine output's Status line, stderr lines. */
  protected get reporter(): { machineOutput(machine: boolean): void; stderr(line: string): void } {
    return { machineOutput: (machine) => (this.machineOutput = machine), stderr: (line) => this.logToStderr(line) };
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    // oclif's own exit (this.exit) and parse errors keep their meaning; parse errors are exit 2.
    if (error instanceof Errors.ExitError) throw error;
    if (error instanceof Errors.CLIError && (error as Errors.CLIError).oclif?.exit !== undefined && !('reason' in error)) {
      // A flag that does not parse: -o json still promises a Status line, so scripts see why.
      reportError(new SeiError(error.message, { reason: 'Invalid', exitCode: ExitCode.InvalidInput, httpCode: 422 }), { machine: this.machineOutput || asksForMachineOutput(this.argv) });
      this.exit(ExitCode.InvalidInput);
    }
    const reported = reportError(withOutageExplained(error), { machine: this.machineOutput });
    this.exit(reported.exitCode);
  }
}
