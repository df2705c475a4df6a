/** `kubectl sei version [-o json|yaml]`: version, git commit and build date, as `kubectl version --client`. */
import * as Flags from '@oclif/core/flags';
import { SeiCommand } from '../cli/base-command.js';
import { buildInfo } from '../cli/build-info.js';
import { ExitCode, commandExitCodes } from '../errors/exit-codes.js';

export default class Version extends SeiCommand {
  static override summary = 'Print the version, git commit and build date of kubectl-sei.';
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'printed'], [ExitCode.InvalidInput, 'an unknown flag or -o format']);
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version -o json'];
  static override flags = {
    output: Flags.string({ char: 'o', options: ['json', 'yaml'], description: 'Print the fields as json or yaml.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const info = { ...buildInfo(), nodeVersion: process.version, platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}` };
    if (flags.output === 'json') this.log(JSON.stringify({ clientVersion: info }, null, 2));
    else if (flags.output === 'yaml') {
      const { toSafeYaml } = await import('../domain/yaml.js');
      process.stdout.write(toSafeYaml({ clientVersion: info }));
    } else this.log(`kubectl-sei ${info.version} (commit ${info.gitCommit.slice(0, 12)}${info.gitTreeState === 'dirty' ? '-dirty' : ''}, built ${info.buildDate}, ${info.platform}, node ${info.nodeVersion})`);
  }
}
