// `kubectl sei task get [NAME…]`: list SeiNodeTasks as kubectl-style columns, yaml, json, names or
// kubectl's templates (jsonpath, custom-columns), once or with -w as they change.
import * as Args from '@oclif/core/args';
import { SeiCommand, connectionFlags, oclifFlags } from '../../cli/base-command.js';
import { GET_FLAGS, GET_COMPLETE_VALUES } from '../../cli/flag-specs.js';
import { runGet } from '../../cli/get-command.js';

export default class TaskGet extends SeiCommand {
  static override summary = 'List SeiNodeTasks: phase, reason, target, age.';
  static override description = `${TaskGet.summary}\n\nkubectl get's habits: -o jsonpath=TEMPLATE|jsonpath-file=FILE|custom-columns=SPEC|custom-columns-file=FILE, --sort-by, --show-labels, --no-headers, --field-selector (metadata.name, metadata.namespace), -w to keep printing changes until Ctrl-C; -o yaml|json leave metadata.managedFields out unless --show-managed-fields.\n\nEXIT CODES\n  0    listed (also when nothing matched)\n  2    invalid input (a bad -o template, an unknown name)\n  4    cluster or API error`;
  static override examples = [
    '<%= config.bin %> task get -n sei',
    '<%= config.bin %> task get -A -o wide',
    '<%= config.bin %> task get -l sei.io/node=node-0 -n sei -o name',
    '<%= config.bin %> task get my-task -n sei -o yaml',
    "<%= config.bin %> task get -n sei -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}'",
    '<%= config.bin %> task get -n sei -o custom-columns=NAME:.metadata.name,PHASE:.status.phase --sort-by=.metadata.creationTimestamp',
    '<%= config.bin %> task get -n sei -w',
  ];
  static completeValues = GET_COMPLETE_VALUES;
  static override strict = false;
  static override args = { name: Args.string({ description: 'Task names (default: all in the namespace).' }) };
  static override flags = { ...connectionFlags, ...oclifFlags(GET_FLAGS) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(TaskGet);
    await runGet('task', argv as string[], flags, this.reporter);
  }
}
