/** `kubectl sei version [-o json|yaml]`: version, git commit and build date, as `kubectl version --client`. */
import { SeiCommand, oclifFlags } from '../cli/base-command.js';
import { versionText } from '../cli/version.js';
import { VERSION_FLAGS } from '../cli/flag-specs.js';

export default class Version extends SeiCommand {
  static override summary = 'Print the version, git commit and build date of kubectl-sei.';
  static override description = `${Version.summary}\n\nEXIT CODES\n  0    always`;
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version -o json'];
  static override flags = oclifFlags(VERSION_FLAGS);

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    process.stdout.write(await versionText(flags.output as 'json' | 'yaml' | undefined));
  }
}
