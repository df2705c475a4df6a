// `kubectl sei plan export -f PLAN --to argo-workflows|chaos-mesh`: the runbook as an in-cluster Workflow.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { fleetFlags, planFileFlags, planSource, fleetOrClient } from '../../cli/plan.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class PlanExport extends SeiCommand {
  static override summary = 'Export a plan as an Argo Workflows or Chaos Mesh Workflow, for fleets and schedules beyond one terminal.';
  static override description = `A when is decided here from the inputs (a false step is left out, with a comment); a when that reads step outputs is refused. Template names are s<order>-<step>-<role>.
argo-workflows: a DAG of resource templates (action create with generateName, labelled with {{workflow.uid}} and the retry as attempt, so resubmit and retry create new tasks; successCondition status.phase == Complete, failureCondition status.phase == Failed; activeDeadlineSeconds from the kind's timeout), fan-out with withItems, maxParallel as parallelism and failFast unless continueOnError, approvals as suspend nodes, outputs as output parameters. A RestartPod's pod UID is read by a script step (the kubectl-sei image) immediately before its resource step.
chaos-mesh: a chain of Parallel batches (maxParallel) of Task templates, each running kubectl-sei task apply --wait of the rendered manifest in the kubectl-sei image; after each batch a gate task lets the rest of the plan run only when every task of the step is Complete (conditionalBranches on its exit code), unless continueOnError. Task pods run as the namespace's default service account.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'exported'], [ExitCode.InvalidInput, 'invalid plan, inputs, --fleet or flags, or a when that reads step outputs'], [ExitCode.ClusterError, 'cluster or API error reading the SeiNodes (not with --offline or --fleet)']);
  static override examples = [
    '<%= config.bin %> plan export -f refresh-peers --to argo-workflows -n arctic-1 > workflow.yaml',
    '<%= config.bin %> plan export -f refresh-peers --to chaos-mesh --offline --fleet fleet.yaml --image ghcr.io/acme/kubectl-sei:0.1.0',
  ];
  static override flags = {
    ...connectionFlags,
    ...planFileFlags,
    ...fleetFlags,
    to: Flags.option({ required: true, options: ['argo-workflows', 'chaos-mesh'] as const, description: 'The workflow engine.' })(),
    'plan-id': Flags.string({ description: 'The plan id stamped on task names and labels (default: a new one).' }),
    image: Flags.string({ description: 'Container image with kubectl-sei (Chaos Mesh tasks).' }),
    'service-account': Flags.string({ description: 'Argo: the service account the workflow runs as (default kubectl-sei-plan). --with-rbac prints what it needs.' }),
    'with-rbac': Flags.boolean({ description: 'Also print the ServiceAccount (Argo), Role and RoleBinding the workflow pods need, before the workflow (for kubectl create -f).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlanExport);
    this.machineOutput = true;
    const { exportPlanWorkflow } = await import('../../services/plan-export.js');
    const nodes = await fleetOrClient(flags, connectionOptions(flags));
    const { text, rbac } = await exportPlanWorkflow({
      to: flags.to,
      ...planSource(flags),
      ...(flags['plan-id'] ? { planId: flags['plan-id'] } : {}),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.image ? { image: flags.image } : {}),
      ...(flags['service-account'] ? { serviceAccount: flags['service-account'] } : {}),
      withRbac: flags['with-rbac'],
      ...nodes,
    });
    if (!flags['with-rbac']) {
      const rules = rbac.flatMap((o) => ((o as { rules?: Array<{ resources: string[]; verbs: string[] }> }).rules ?? []).map((r) => `${r.resources.join(',')}: ${r.verbs.join(',')}`));
      const subject = rbac.find((o) => o.kind === 'RoleBinding') as { subjects?: Array<{ name: string }> } | undefined;
      this.logToStderr(`The workflow's pods run as service account ${subject?.subjects?.[0]?.name ?? 'default'} in ${rbac[0]?.metadata.namespace}, which needs ${rules.join('; ')}. --with-rbac prints the objects.`);
    }
    process.stdout.write(text);
  }
}
