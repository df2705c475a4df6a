// `kubectl sei node get [NAME]`: SeiNodes with phase, mode, image vs running image, plan step and adopted workflow.
import * as Args from '@oclif/core/args';
import { SeiCommand, EXIT_CODES_HELP, connectionFlags, oclifFlags } from '../../cli/base-command.js';
import { GET_FLAGS, GET_COMPLETE_VALUES } from '../../cli/flag-specs.js';
import { runGet } from '../../cli/get-command.js';

export default class NodeGet extends SeiCommand {
  static override summary = "List SeiNodes: phase, mode, image (and the running image when it differs), the controller plan's phase and current task, the adopted workflow.";
  static override description = `${NodeGet.summary}\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> node get -n sei', '<%= config.bin %> node get -l sei.io/chain-id=sei-sim -n sei -o wide', '<%= config.bin %> node get node-0 -n sei -o yaml', '<%= config.bin %> node get -A'];
  static completeValues = GET_COMPLETE_VALUES;
  static override strict = false;
  static override args = { name: Args.string({ description: 'SeiNode names (default: all in the namespace).' }) };
  static override flags = { ...connectionFlags, ...oclifFlags(GET_FLAGS) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(NodeGet);
    await runGet('node', argv as string[], flags, this.reporter);
  }
}
