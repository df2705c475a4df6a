// `kubectl sei task wait NAME… | -l SELECTOR`: follow tasks to their verdicts with one watch.
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { interruptSignal, ndjsonWriter, outputFlag, reattachFlags, timeoutFlag, writeStdout } from '../../cli/task-flags.js';
import { SeiError } from '../../errors/sei-error.js';
import type { ClusterClient } from '../../cluster/types.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class TaskWait extends SeiCommand {
  static override summary = 'Wait for SeiNodeTasks to be Ready (Complete), Failed, or either; ends on whichever verdict comes first.';
  static override description = `Unlike kubectl wait --for=condition=Ready, a task that Failed ends the wait at once (exit 1) instead of waiting out the timeout, and a verdict counts only once status.observedGeneration reached metadata.generation. One watch connection whatever the number of tasks.\n\n--for ready (default): exit 0 when Complete, 1 when Failed. --for failed: exit 0 when Failed, 1 when Complete. --for terminal: exit 0 when Complete, 1 when Failed (same as ready, named for scripts). kubectl's spellings work too: --for=condition=Ready (or Complete) and --for=condition=Failed; --for=delete waits until the tasks are gone. --all waits for every task in the namespace.`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'every task reached the --for verdict (--for delete: gone)'], [ExitCode.TaskFailed, 'a task reached the other verdict (Failed; Complete with --for failed) or was deleted'], [ExitCode.InvalidInput, 'invalid flags, or a named task does not exist'], [ExitCode.Timeout, '--timeout (default 30s) expired; the tasks keep running'], ExitCode.ClusterError, [ExitCode.Interrupted, 'Ctrl-C or SIGTERM: the tasks keep running']);
  static override examples = [
    '<%= config.bin %> task wait node-0-restart-pod-20260101t120000-3f9a1c -n sei',
    '<%= config.bin %> task wait -l sei.io/node=node-0 -n sei --timeout 5m',
    '<%= config.bin %> task wait my-task -n sei --for failed --timeout 0',
    '<%= config.bin %> task wait my-task -n sei -o ndjson | jq -r .status.phase',
    '<%= config.bin %> task wait --all -n sei --for=condition=Ready --timeout 10m',
    '<%= config.bin %> task wait my-task -n sei --for=delete',
  ];
  static override strict = false;
  static override args = { name: Args.string({ description: 'Task names (or use -l).' }) };
  static override flags = {
    ...connectionFlags,
    selector: Flags.string({ char: 'l', description: 'Label selector, e.g. sei.io/node=node-0.' }),
    for: Flags.string({
      options: ['ready', 'failed', 'terminal', 'condition=Ready', 'condition=Complete', 'condition=Failed', 'delete'],
      default: 'ready',
      description: 'The verdict that counts as success (kubectl: condition=Ready|Failed, delete).',
    }),
    all: Flags.boolean({ description: 'Wait for every SeiNodeTask in the namespace (kubectl wait --all).' }),
    timeout: timeoutFlag('Default 30s, as kubectl wait.'),
    output: outputFlag(['name', 'yaml', 'json', 'ndjson'], 'name|yaml|json: the tasks at the end; ndjson: every observed object as it arrives.'),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(TaskWait);
    this.machineOutput = flags.output !== undefined;
    let names = argv as string[];
    if (names.length === 0 && !flags.selector && !flags.all) throw SeiError.invalid('name the tasks to wait for, or pass -l SELECTOR or --all', [], ['kubectl sei task wait NAME -n NS']);
    if (flags.all && (names.length > 0 || flags.selector)) throw SeiError.invalid('--all waits for every task in the namespace: give no names and no -l with it');
    const [{ connect }, { followTasks }, { createProgress }, { parseDuration }, { finishTaskWait }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/follow-tasks.js'),
      import('../../output/progress.js'),
      import('../../domain/duration.js'),
      import('../../cli/finish-wait.js'),
    ]);
    const waitFor = WAIT_FOR[flags.for] ?? 'ready';
    const timeoutMs = parseDuration(flags.timeout ?? '30s');
    const client = await connect(connectionOptions(flags));
    if (flags.all) {
      const { listTasks } = await import('../../services/task-queries.js');
      names = (await listTasks(client, {})).map((task) => task.metadata.name ?? '');
      if (names.length === 0) {
        this.logToStderr(`No resources found in ${client.namespace} namespace.`);
        return;
      }
    }
    if (waitFor === 'delete') return this.waitForDelete(client, names, flags, timeoutMs);
    const progress = await createProgress();
    const interrupt = interruptSignal({ ms: timeoutMs, message: `task wait did not end within --timeout ${flags.timeout ?? '30s'} (the API server did not answer); the tasks keep running` });
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
      const hintFlags = [...reattachFlags(flags, timeoutMs), ...(waitFor === 'ready' ? [] : ['--for', waitFor])];
      await finishTaskWait({ verdicts, namespace: client.namespace, output: flags.output, single: names.length === 1 && !flags.all, waitFor, reattachFlags: hintFlags });
    } finally {
      interrupt.dispose();
    }
  }

  private async waitForDelete(client: ClusterClient, names: string[], flags: { selector?: string; output?: string }, timeoutMs: number): Promise<void> {
    const [{ waitForDeletion, deletionError }, { ONE_WEEK_MS }, { finishWait, tasksInterrupted }] = await Promise.all([
      import('../../services/wait-delete.js'),
      import('../../domain/duration.js'),
      import('../../cli/finish-wait.js'),
    ]);
    const interrupt = interruptSignal();
    try {
      interrupt.arm(true);
      const result = await waitForDeletion(client, {
        namespace: client.namespace,
        ...(names.length > 0 ? { names } : {}),
        ...(flags.selector ? { labelSelector: flags.selector } : {}),
        timeoutMs: timeoutMs < 0 ? ONE_WEEK_MS : timeoutMs,
        signal: interrupt.signal,
        // kubectl wait --for=delete prints one line per deleted object.
        onDeleted: (name) => (flags.output === 'name' ? writeStdout(`seinodetask.sei.io/${name}\n`) : this.logToStderr(`seinodetask.sei.io/${name} condition met`)),
      });
      const error = deletionError(result.outcome === 'interrupted' ? 'deleted' : result.outcome, result.remaining, client.namespace);
      finishWait({ ...(result.outcome === 'interrupted' ? { interrupted: tasksInterrupted(result.remaining, client.namespace, ['--for', 'delete']) } : {}), ...(error ? { error } : {}) });
    } finally {
      interrupt.dispose();
    }
  }
}

/** Our --for values and kubectl's spellings of them. */
const WAIT_FOR: Record<string, 'ready' | 'failed' | 'terminal' | 'delete'> = {
  ready: 'ready',
  failed: 'failed',
  terminal: 'terminal',
  'condition=Ready': 'ready',
  'condition=Complete': 'ready',
  'condition=Failed': 'failed',
  delete: 'delete',
};
