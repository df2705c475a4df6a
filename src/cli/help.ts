/**
 * The help of every command (oclif's helpClass, exported by the bundle): oclif prints a
 * command's summary on top and again at the head of DESCRIPTION; here DESCRIPTION is only the
 * longer text, so each summary is stated once. After it, EXIT CODES lists the codes the command
 * declares (static exitCodes, src/errors/exit-codes.ts), each with its meaning for that command:
 * one renderer for every command instead of a table pasted into each description.
 */
import { CommandHelp, Help } from '@oclif/core/help';
import type { CommandExitCode } from '../errors/exit-codes.js';

const EXIT_CODES_HEADER = 'EXIT CODES';

/** The exit codes a command declared, from its class or from the oclif manifest (plain data there). */
function declaredExitCodes(command: object): readonly CommandExitCode[] {
  const codes = (command as { exitCodes?: unknown }).exitCodes;
  return Array.isArray(codes) ? (codes as CommandExitCode[]) : [];
}

export class SeiCommandHelp extends CommandHelp {
  /** The description without the summary: the summary is already the first line of the help. */
  protected override description(): string | undefined {
    const text = this.command.description?.trim();
    return text ? this.wrap(text) : undefined;
  }

  protected override sections(): ReturnType<CommandHelp['sections']> {
    const sections = super.sections();
    const exitCodes = {
      header: EXIT_CODES_HEADER,
      generate: (_input: unknown, header: string) => {
        const rows = declaredExitCodes(this.command).map(({ code, meaning }): [string, string] => [String(code), meaning]);
        return rows.length > 0 ? [{ header, body: rows }] : undefined;
      },
    };
    const after = sections.findIndex((section) => section.header === 'DESCRIPTION');
    return [...sections.slice(0, after + 1), exitCodes, ...sections.slice(after + 1)];
  }
}

export class SeiHelp extends Help {
  protected override CommandHelpClass = SeiCommandHelp;
}
