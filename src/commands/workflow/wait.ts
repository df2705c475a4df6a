// `kubectl sei workflow wait NAME…`: follow workflows to their verdicts, narrating the recipe's steps.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { interruptSignal, ndjsonWriter, outputFlag, timeoutFlag } from '../../cli/task-flags.js';
import { SeiError } from '../../errors/sei-error.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class WorkflowWait extends SeiCommand {
  static override summary = 'Wait for SeiNodeTaskWorkflows to complete or fail, narrating the Adopted reasons and the plan step by step.';
  static override description = `--for ready (default): exit 0 when Complete, 1 when Failed (with the reason and the failing step's error). --for failed: the opposite. --for terminal: like ready.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'every workflow reached the --for verdict (Complete by default)'], [ExitCode.TaskFailed, "a workflow reached the other verdict (Failed, with the failing step's error) or was deleted"], [ExitCode.InvalidInput, 'invalid flags, or a named workflow does not exist'], [ExitCode.Timeout, '--timeout (default 30s) expired; the workflows keep running'], ExitCode.ClusterError, [ExitCode.Interrupted, 'Ctrl-C or SIGTERM: the workflows keep running']);
  static override examples = ['<%= config.bin %> workflow wait rpc-0-state-sync-1a2b3c4d -n sei --timeout 30m', '<%= config.bin %> workflow wait my-wf -n sei -o ndjson'];
  static override strict = false;
  static override args = { name: Args.string({ description: 'Workflow names.' }) };
  static override flags = {
    ...connectionFlags,
    for: Flags.option({ options: ['ready', 'failed', 'terminal'] as const, default: 'ready', description: 'The verdict that counts as success.' })(),
    timeout: timeoutFlag('Default 30s, as kubectl wait.'),
    output: outputFlag(['name', 'yaml', 'json', 'ndjson'], 'name|yaml|json: the workflows at the end; ndjson: every observed object as it arrives.'),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(WorkflowWait);
    this.machineOutput = flags.output !== undefined;
    const names = argv as string[];
    if (names.length === 0) throw SeiError.invalid('name the workflows to wait for', [], ['kubectl sei workflow wait NAME -n NS']);
    const [{ connect }, { followWorkflows, workflowVerdictsToError }, { createProgress }, { parseDuration }, { formatObjects }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/follow-workflows.js'),
      import('../../output/progress.js'),
      import('../../domain/duration.js'),
      import('../../output/printers.js'),
    ]);
    const waitFor = flags.for;
    const client = await connect(connectionOptions(flags));
    const progress = await createProgress();
    const timeoutMs = parseDuration(flags.timeout ?? '30s');
    const interrupt = interruptSignal({ ms: timeoutMs, message: `workflow wait did not end within --timeout ${flags.timeout ?? '30s'} (the API server did not answer); the workflows keep running` });
    try {
      interrupt.arm(true);
      const verdicts = await followWorkflows(client, {
        namespace: client.namespace,
        names,
        for: waitFor,
        timeoutMs,
        signal: interrupt.signal,
        progress,
        ...(flags.output === 'ndjson' ? { onObject: ndjsonWriter() } : {}),
      });
      const [{ workflowsInterrupted }, { finishWait }] = await Promise.all([import('../../cli/workflow-run.js'), import('../../cli/finish-wait.js')]);
      const stopped = verdicts.filter((v) => v.outcome === 'Interrupted');
      const error = workflowVerdictsToError(verdicts, client.namespace, waitFor);
      finishWait({
        stdout: flags.output && flags.output !== 'ndjson' ? formatObjects(verdicts.flatMap((v) => (v.object ? [v.object] : [])), flags.output, { single: names.length === 1 }) : '',
        ...(stopped.length > 0 ? { interrupted: workflowsInterrupted(stopped.map((v) => v.name), client.namespace) } : {}),
        ...(error ? { error } : {}),
      });
    } finally {
      interrupt.dispose();
    }
  }
}
