// `kubectl sei task apply -f FILE|DIR|-`: validate every document, preflight, server-side apply, optionally wait.
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { interruptSignal, ndjsonWriter, outputFlag, reattachFlags, timeoutFlag, writeStdout } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class TaskApply extends SeiCommand {
  static override summary = 'Apply SeiNodeTask manifests: validate ALL first (nothing is written unless every document is valid), preflight, server-side apply.';
  static override description = `Server-side apply with field manager kubectl-sei. A same-named task that is still running is attached to, not duplicated; one already terminal is refused (tasks are apply-once by name) unless --replace. A RestartPod's spec.restartPod.podUID is kept as written, with a warning when it is not the live pod's UID (the paved road \`task restart-pod\` reads it for you).`;
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'applied (with --wait: every task Complete)'], [ExitCode.TaskFailed, '--wait: a task Failed (reason on stderr) or was deleted while waiting'], [ExitCode.InvalidInput, 'invalid manifests, a preflight refusal, or a task already terminal without --replace: nothing was written'], [ExitCode.Timeout, '--wait: --timeout (default 10m) expired; the tasks keep running'], ExitCode.ClusterError, [ExitCode.Interrupted, 'Ctrl-C or SIGTERM while waiting: the tasks keep running (re-attach with task wait)']);
  static override examples = [
    '<%= config.bin %> task apply -f task.yaml -n sei',
    '<%= config.bin %> task apply -f tasks/ -n sei --wait --timeout 10m',
    'cat task.yaml | <%= config.bin %> task apply -f - --dry-run=server -o yaml',
  ];
  static override flags = {
    ...connectionFlags,
    filename: Flags.string({ char: 'f', required: true, multiple: true, description: 'A file, a directory of *.yaml|*.yml|*.json, or - for stdin.' }),
    wait: Flags.boolean({ description: 'Wait for every applied task to reach its verdict.' }),
    'dry-run': Flags.option({ options: ['client', 'server'] as const, description: 'client: validate and print, no cluster contact; server: preflight and apiserver admission with dryRun=All.' })(),
    timeout: timeoutFlag('Default with --wait: 10m.'),
    replace: Flags.boolean({ description: 'Delete same-named terminal tasks and create them again.' }),
    preflight: Flags.boolean({ default: true, allowNo: true, description: '--no-preflight skips the target checks (node exists, peers, replicas) and lets the controller decide.' }),
    output: outputFlag(['yaml', 'json', 'name', 'ndjson']),
    'templates-dir': Flags.string({ description: "Users' own kinds (their preflight checks and broadcast flag apply)." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TaskApply);
    this.machineOutput = flags.output !== undefined;
    const [{ readTaskDocuments, applyDocuments, actionText }, { createProgress }, { formatObjects }, { parseDuration }, { followAppliedTasks }, { finishTaskWait }] = await Promise.all([
      import('../../services/apply-tasks.js'),
      import('../../output/progress.js'),
      import('../../output/printers.js'),
      import('../../domain/duration.js'),
      import('../../services/follow-tasks.js'),
      import('../../cli/finish-wait.js'),
    ]);
    const timeoutMs = parseDuration(flags.timeout ?? '10m');
    const docs = await readTaskDocuments(flags.filename);
    const progress = await createProgress();
    const dryRun = flags['dry-run'] ?? 'none';
    const { loadCatalog } = await import('../../catalog/index.js');
    const catalog = loadCatalog(flags['templates-dir'] ? { templatesDir: flags['templates-dir'] } : {});
    const client = dryRun === 'client' ? undefined : await (await import('../../cluster/index.js')).connect(connectionOptions(flags));
    const applied = await applyDocuments(docs, {
      ...(client ? { client } : {}),
      catalog,
      dryRun,
      replace: flags.replace,
      targetChecks: flags.preflight,
      progress,
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
    });
    const ndjson = flags.output === 'ndjson' ? ndjsonWriter() : undefined;
    if (dryRun !== 'none' || !flags.wait || !client) {
      for (const a of applied) progress.note(`seinodetask.sei.io/${a.name} ${actionText(a, dryRun)}`);
      const format = flags.output ?? (dryRun !== 'none' ? 'yaml' : undefined);
      if (format) writeStdout(formatObjects(applied.map((a) => a.object), format, { single: applied.length === 1 }));
      return;
    }
    for (const a of applied) progress.note(`seinodetask.sei.io/${a.name} ${actionText(a, dryRun)}`);
    const interrupt = interruptSignal();
    try {
      interrupt.arm(true);
      const verdicts = await followAppliedTasks(client, applied, { timeoutMs, signal: interrupt.signal, progress, ...(ndjson ? { onObject: ndjson } : {}) });
      await finishTaskWait({ verdicts, namespace: client.namespace, output: flags.output, single: verdicts.length === 1, reattachFlags: reattachFlags(flags, timeoutMs) });
    } finally {
      interrupt.dispose();
    }
  }
}
