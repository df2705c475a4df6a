// `kubectl sei plan list [-A]`: the plan runs recorded in a namespace (or all), newest first.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { outputFlag } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class PlanList extends SeiCommand {
  static override summary = 'List plan runs: id, plan, phase, age (newest first).';
  static override description = `Every run of \`plan apply\` is a ConfigMap sei-plan-<id>; its phase is derived from its tasks as \`plan status\` derives it. Any unique prefix of a plan id (e.g. the 8 hex digits in its task names) is accepted wherever a plan id is.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'listed (also when there is no run)'], [ExitCode.InvalidInput, 'invalid flags'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> plan list -n arctic-1', '<%= config.bin %> plan list -A -o json'];
  static override flags = {
    ...connectionFlags,
    'all-namespaces': Flags.boolean({ char: 'A', description: 'List runs in every namespace.' }),
    output: outputFlag(['table', 'json'] as const, 'table (default) or json.'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlanList);
    this.machineOutput = flags.output === 'json';
    const [{ connect }, { listRuns }, { alignColumns }, { humanDuration }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/plan-status.js'),
      import('../../output/printers.js'),
      import('../../output/human-duration.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    const runs = await listRuns(client, flags['all-namespaces'] ? '' : (flags.namespace ?? client.namespace));
    if (flags.output === 'json') {
      this.log(JSON.stringify(runs, null, 2));
      return;
    }
    if (runs.length === 0) {
      this.logToStderr(flags['all-namespaces'] ? 'No plan runs found' : `No plan runs found in ${flags.namespace ?? client.namespace} namespace.`);
      return;
    }
    const header = [...(flags['all-namespaces'] ? ['NAMESPACE'] : []), 'PLAN-ID', 'PLAN', 'PHASE', 'AGE'];
    const rows = runs.map((run) => [...(flags['all-namespaces'] ? [run.namespace] : []), run.planId, run.planName, run.phase, run.createdAt ? humanDuration(Date.now() - Date.parse(run.createdAt)) : '<unknown>']);
    process.stdout.write(alignColumns([header, ...rows]));
  }
}
