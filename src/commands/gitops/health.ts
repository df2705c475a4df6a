/**
 * `kubectl sei gitops health --flavor argocd|flux`: prints the configuration that makes the
 * GitOps engine judge a SeiNodeTask by its Ready/Failed conditions. Data on stdout only.
 */
import * as Flags from '@oclif/core/flags';
import { SeiCommand } from '../../cli/base-command.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class GitopsHealth extends SeiCommand {
  static override summary = 'Print the health check that lets ArgoCD or Flux judge a SeiNodeTask by its Ready/Failed conditions.';
  static override description = `Without it ArgoCD gives a SeiNodeTask no health, so sync waves do not wait for it; and Flux's kstatus never reads a Failed condition, so it calls a failed task healthy and the next step runs.

argocd: an argocd-cm patch with the Lua under resource.customizations.health.sei.io_SeiNodeTask: Healthy on Ready=True, Degraded on Failed=True (reason and message), Progressing otherwise and while the status describes an older generation.
flux: a Kustomization spec fragment with healthCheckExprs (current / inProgress / failed CEL), kustomize-controller >= 1.5 (Flux 2.5). \`gitops commit --flavor flux\` already puts it in the Kustomizations it writes.`;

  static override exitCodes = commandExitCodes([ExitCode.Ok, 'printed'], [ExitCode.InvalidInput, '--flavor missing or not argocd|flux']);
  static override examples = [
    '<%= config.bin %> gitops health --flavor argocd > sei-health.yaml && kubectl -n argocd patch configmap argocd-cm --type merge --patch-file sei-health.yaml',
    '<%= config.bin %> gitops health --flavor flux',
  ];

  static override flags = {
    flavor: Flags.option({ options: ['argocd', 'flux'] as const, required: true, description: 'The GitOps engine.' })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(GitopsHealth);
    const { healthConfig } = await import('../../gitops/health.js');
    process.stdout.write(healthConfig(flags.flavor));
  }
}
