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
import type { ConnectionOptions } from '../cluster/types.js';

export const connectionFlags = {
  kubeconfig: Flags.string({ description: 'Path to the kubeconfig file (only this file; no KUBECONFIG merge).', helpGroup: 'CLUSTER' }),
  context: Flags.string({ description: 'The kubeconfig context to use.', helpGroup: 'CLUSTER' }),
  cluster: Flags.string({ description: 'The kubeconfig cluster to use.', helpGroup: 'CLUSTER' }),
  user: Flags.string({ description: 'The kubeconfig user to use.', helpGroup: 'CLUSTER' }),
  namespace: Flags.string({ char: 'n', description: 'Namespace (default: the context\'s namespace, else "default").', helpGroup: 'CLUSTER' }),
  'request-timeout': Flags.string({ description: 'Per-request timeout, e.g. 30s (0 = none).', helpGroup: 'CLUSTER' }),
  as: Flags.string({ description: 'Username to impersonate for the operation (kubectl --as).', helpGroup: 'CLUSTER' }),
};

/** The parsed values of connectionFlags. */
export interface ConnectionFlagValues {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  cluster?: string | undefined;
  user?: string | undefined;
  namespace?: string | undefined;
  'request-timeout'?: string | undefined;
  as?: string | undefined;
}

export function connectionOptions(flags: ConnectionFlagValues): ConnectionOptions {
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    cluster: flags.cluster,
    user: flags.user,
    namespace: flags.namespace,
    requestTimeout: flags['request-timeout'],
    as: flags.as,
  };
}

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
