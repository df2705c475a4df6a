// `kubectl sei workflow get [NAME…]`: list SeiNodeTaskWorkflows: kind, target, phase, reason, current step.
import * as Args from '@oclif/core/args';
import { SeiCommand, EXIT_CODES_HELP, connectionFlags, oclifFlags } from '../../cli/base-command.js';
import { WORKFLOW_GET_FLAGS, GET_COMPLETE_VALUES } from '../../cli/flag-specs.js';
import { runGet } from '../../cli/get-command.js';

export default class WorkflowGet extends SeiCommand {
  static override summary = 'List SeiNodeTaskWorkflows: kind, target, phase, reason (Adopted/Failed), current plan step, age.';
  static override description = `${WorkflowGet.summary}\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> workflow get -n sei', '<%= config.bin %> workflow get --node rpc-0 -n sei -o wide', '<%= config.bin %> workflow get my-wf -n sei -o yaml'];
  static completeValues = GET_COMPLETE_VALUES;
  static override strict = false;
  static override args = { name: Args.string({ description: 'Workflow names (default: all in the namespace).' }) };
  static override flags = { ...connectionFlags, ...oclifFlags(WORKFLOW_GET_FLAGS) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(WorkflowGet);
    await runGet('workflow', argv as string[], flags, this.reporter);
  }
}
