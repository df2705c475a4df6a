// `kubectl sei plan export -f PLAN --to argo-workflows|chaos-mesh`: the runbook as an in-cluster Workflow.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { PLAN_EXIT_CODES, fleetFlags, planFileFlags, planSource, fleetOrClient } from '../../cli/plan.js';

export default class PlanExport extends SeiCommand {
  static override summary = 'Export a plan as an Argo Workflows or Chaos Mesh Workflow, for fleets and schedules beyond one terminal.';
  static override description = `${PlanExport.summary}

argo-workflows: a DAG of resource templates (action create, successCondition status.phase == Complete, failureCondition status.phase == Failed — Argo cannot match inside status.conditions), fan-out with withItems, maxParallel as parallelism, approvals as suspend nodes, outputs as output parameters. A RestartPod's pod UID is read by a script step immediately before its resource step.
chaos-mesh: a Serial of steps, each a Serial of Parallel batches (maxParallel) of Task templates running kubectl-sei in a container (Chaos Mesh cannot create a custom resource itself; kubectl-sei reads the pod UID right before creating a RestartPod).

${PLAN_EXIT_CODES}`;
  static override examples = [
    '<%= config.bin %> plan export -f refresh-peers --to argo-workflows -n arctic-1 > workflow.yaml',
    '<%= config.bin %> plan export -f refresh-peers --to chaos-mesh --offline --fleet fleet.yaml --image ghcr.io/acme/kubectl-sei:0.1.0',
  ];
  static override flags = {
    ...connectionFlags,
    ...planFileFlags,
    ...fleetFlags,
    to: Flags.string({ required: true, options: ['argo-workflows', 'chaos-mesh'], description: 'The workflow engine.' }),
    'plan-id': Flags.string({ description: 'The plan id stamped on task names and labels (default: a new one).' }),
    image: Flags.string({ description: 'Container image with kubectl-sei (Chaos Mesh tasks).' }),
    'service-account': Flags.string({ description: 'Service account the workflow runs as (needs create/get/watch on seinodetasks, get on pods).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlanExport);
    this.machineOutput = true;
    const { exportPlanWorkflow } = await import('../../services/plan-export.js');
    const nodes = await fleetOrClient(flags, connectionOptions(flags));
    const { text } = await exportPlanWorkflow({
      to: flags.to as 'argo-workflows' | 'chaos-mesh',
      ...planSource(flags),
      ...(flags['plan-id'] ? { planId: flags['plan-id'] } : {}),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.image ? { image: flags.image } : {}),
      ...(flags['service-account'] ? { serviceAccount: flags['service-account'] } : {}),
      ...nodes,
    });
    process.stdout.write(text);
  }
}
