// `kubectl sei node wait NAME --for running|plan`: follow the node's plan task by task to a verdict.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { interruptSignal, ndjsonWriter, outputFlag, timeoutFlag } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class NodeWait extends SeiCommand {
  static override summary = "Follow a SeiNode's controller plan task by task until it is Running (--for running) or the plan ends (--for plan).";
  static override description = `--for running (default): exit 0 once the node is Running with no plan in progress. --for plan: exit 0 when the plan in progress (or the next one) completes, at once when there is none. A failed plan exits 1 naming the failed task (failedTaskIndex, failedTaskDetail) and its error; a plan that does not finish in --timeout exits 3 naming the task it stalls at.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'Running with no plan in progress (--for running), or the plan completed (--for plan)'], [ExitCode.TaskFailed, 'the plan failed (the failed task and its error on stderr), or the node was deleted'], [ExitCode.InvalidInput, 'invalid flags, or no such SeiNode'], [ExitCode.Timeout, '--timeout (default 10m) expired: the task the plan stalls at is named'], ExitCode.ClusterError, [ExitCode.Interrupted, "Ctrl-C or SIGTERM while waiting: the node's plan goes on"]);
  static override examples = ['<%= config.bin %> node wait node-0 -n sei --timeout 10m', '<%= config.bin %> node wait node-0 -n sei --for plan -o ndjson'];
  static override args = { name: Args.string({ required: true, description: 'The SeiNode name.' }) };
  static override flags = {
    ...connectionFlags,
    for: Flags.option({ options: ['running', 'plan'] as const, default: 'running', description: 'What to wait for.' })(),
    timeout: timeoutFlag('Default 10m.'),
    output: outputFlag(['name', 'yaml', 'json', 'ndjson'], 'name|yaml|json: the node at the end; ndjson: every observed object as it arrives.'),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NodeWait);
    this.machineOutput = flags.output !== undefined;
    const [{ connect }, { waitNode, nodeVerdictLine, nodeVerdictToError }, { createProgress }, { parseDuration }, { formatObjects }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/nodes.js'),
      import('../../output/progress.js'),
      import('../../domain/duration.js'),
      import('../../output/printers.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    const progress = await createProgress();
    const timeoutMs = parseDuration(flags.timeout ?? '10m');
    const interrupt = interruptSignal({ ms: timeoutMs, message: `node wait did not end within --timeout ${flags.timeout ?? '10m'} (the API server did not answer); the node keeps going` });
    try {
      interrupt.arm(true);
      const verdict = await waitNode(client, {
        name: args.name,
        for: flags.for,
        timeoutMs,
        signal: interrupt.signal,
        progress,
        ...(flags.output === 'ndjson' ? { onObject: ndjsonWriter() } : {}),
      });
      if (verdict.outcome === 'Complete') progress.succeed(nodeVerdictLine(verdict));
      else if (verdict.outcome !== 'Interrupted') progress.fail(nodeVerdictLine(verdict));
      else progress.stop();
      const [{ finishWait }, { SeiError }] = await Promise.all([import('../../cli/finish-wait.js'), import('../../errors/sei-error.js')]);
      const error = nodeVerdictToError(verdict);
      finishWait({
        stdout: flags.output && flags.output !== 'ndjson' && verdict.object ? formatObjects([verdict.object], flags.output, { single: true }) : '',
        ...(verdict.outcome === 'Interrupted' ? { interrupted: SeiError.interrupted(`interrupted: the node keeps going; re-attach with: kubectl sei node wait ${args.name} -n ${client.namespace}`) } : {}),
        ...(error ? { error } : {}),
      });
    } finally {
      interrupt.dispose();
    }
  }
}
