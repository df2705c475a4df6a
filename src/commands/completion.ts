/** `kubectl sei completion bash|zsh|fish`: a completion script for `kubectl-sei` typed directly. */
import * as Args from '@oclif/core/args';
import { SeiCommand } from '../cli/base-command.js';
import { completionScript } from '../cli/completion.js';
import { SeiError } from '../errors/sei-error.js';
import { ExitCode, commandExitCodes } from '../errors/exit-codes.js';

export default class Completion extends SeiCommand {
  static override summary = 'Print a shell completion script (bash, zsh or fish).';
  static override description = `For \`kubectl sei <TAB>\` (kubectl 1.26 or later) nothing needs sourcing: put the kubectl_complete-sei executable that ships with kubectl-sei on PATH (npm installs it; from a krew archive, link it next to kubectl-sei) and kubectl's own completion asks it. The scripts here complete \`kubectl-sei\` typed directly:

  source <(kubectl sei completion bash)        # ~/.bashrc
  kubectl sei completion zsh > "\${fpath[1]}/_kubectl-sei"
  kubectl sei completion fish > ~/.config/fish/completions/kubectl-sei.fish`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'printed'], [ExitCode.InvalidInput, 'an unknown shell or flag']);
  static override examples = ['<%= config.bin %> completion bash', '<%= config.bin %> completion zsh', '<%= config.bin %> completion fish'];
  static override args = { shell: Args.string({ required: true, options: ['bash', 'zsh', 'fish'], description: 'The shell.' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const script = completionScript(args.shell);
    if (!script) throw SeiError.invalid(`unsupported shell "${args.shell}"`, [], ['use bash, zsh or fish']);
    process.stdout.write(script);
  }
}
