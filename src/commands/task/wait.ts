// `kubectl sei task wait NAME… | -l SELECTOR`: follow tasks to their verdicts with one watch.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, EXIT_CODES_HELP, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { interruptSignal, ndjsonWriter, outputFlag, timeoutFlag } from '../../cli/task-flags.js';
import { SeiError } from '../../errors/sei-error.js';

export default class TaskWait extends SeiCommand {
  static override summary = 'Wait for SeiNodeTasks to be Ready (Complete), Failed, or either; ends on whichever verdict comes first.';
  static override description = `${TaskWait.summary}\n\nUnlike kubectl wait --for=condition=Ready, a task that Failed ends the wait at once (exit 1) instead of waiting out the timeout, and a verdict counts only once status.observedGeneration reached metadata.generation. One watch connection whatever the number of tasks.\n\n--for ready (default): exit 0 when Complete, 1 when Failed. --for failed: exit 0 when Failed, 1 when Complete. --for terminal: exit 0 when Complete, 1 when Failed (same as ready, named for scripts).\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> task wait node-0-restart-pod-20260101t120000z -n sei',
    '<%= config.bin %> task wait -l sei.io/node=node-0 -n sei --timeout 5m',
    '<%= config.bin %> task wait my-task -n sei --for failed --timeout 0',
    '<%= config.bin %> task wait my-task -n sei -o ndjson | jq -r .status.phase',
  ];
  static override strict = false;
  static override args = { name: Args.string({ description: 'Task names (or use -l).' }) };
  static override flags = {
    ...connectionFlags,
    selector: Flags.string({ char: 'l', description: 'Label selector, e.g. sei.io/node=node-0.' }),
    for: Flags.option({ options: ['ready', 'failed', 'terminal'] as const, default: 'ready', description: 'The verdict that counts as success.' })(),
    timeout: timeoutFlag('Default 30s, as kubectl wait.'),
    output: outputFlag(['name', 'yaml', 'json', 'ndjson'], 'name|yaml|json: the tasks at the end; ndjson: every observed object as it arrives.'),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(TaskWait);
    this.machineOutput = flags.output !== undefined;
    const names = argv as string[];
    if (names.length === 0 && !flags.selector) throw SeiError.invalid('name the tasks to wait for, or pass -l SELECTOR', [], ['kubectl sei task wait NAME -n NS']);
    const [{ connect }, { followTasks }, { createProgress }, { parseDuration }, { finishTaskWait }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/follow-tasks.js'),
      import('../../output/progress.js'),
      import('../../domain/duration.js'),
      import('../../cli/finish-wait.js'),
    ]);
    const waitFor = flags.for;
    const timeoutMs = parseDuration(flags.timeout ?? '30s');
    const client = await connect(connectionOptions(flags));
    const progress = await createProgress();
    const interrupt = interruptSignal();
    // --timeout bounds the whole command, requests to a server that never answers included.
    const { commandDeadline } = await import('../../cluster/command-scope.js');
    const deadline = commandDeadline(timeoutMs, `task wait did not end within --timeout ${flags.timeout ?? '30s'} (the API server did not answer); the tasks keep running`);
    try {
      interrupt.arm(true);
      const verdicts = await followTasks(client, {
        namespace: client.namespace,
        ...(names.length > 0 ? { names } : {}),
        ...(flags.selector ? { labelSelector: flags.selector } : {}),
        for: waitFor,
        timeoutMs,
        signal: interrupt.signal,
        progress,
        ...(flags.output === 'ndjson' ? { onObject: ndjsonWriter() } : {}),
      });
      await finishTaskWait({ verdicts, namespace: client.namespace, output: flags.output, single: names.length === 1, waitFor });
    } finally {
      deadline.clear();
      interrupt.dispose();
    }
  }
}
