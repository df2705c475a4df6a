/**
 * `kubectl sei gitops wait`: wait for every SeiNodeTask committed under a path to exist on the
 * cluster and reach its verdict, as `task wait` would, then check committed RestartPods really
 * restarted their pod. Thin: flags → options → waitForCommitted → print.
 */
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { interruptSignal, ndjsonWriter, outputFlag, timeoutFlag } from '../../cli/task-flags.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class GitopsWait extends SeiCommand {
  static override summary = 'Wait until the SeiNodeTasks committed under a path exist on the cluster and reach their verdict.';
  static override description = `Reads the tasks from git (the committed tree at --ref, not the work tree), then follows them with one watch per namespace: a task not created yet is waited for (the engine applies it when it syncs), a Failed one ends the wait with its reason. Then, for each Complete RestartPod, compares status.task.restartedPodUID and the start time of the live pod NODE-0 with the task's execution and the completion of the DiscoverPeers before it: a no-op restart (the pod was replaced before the task ran, so seid never read the new peers) is reported as a warning with the command that fixes it.`;

  static override exitCodes = commandExitCodes([ExitCode.Ok, 'every committed task is Complete'], [ExitCode.TaskFailed, 'a task Failed (reason on stderr) or was deleted while waiting'], [ExitCode.InvalidInput, 'invalid flags or repository, or no task of --plan-id under --path'], [ExitCode.Timeout, '--timeout (default 15m): the engine has not synced yet, or a task is still running'], ExitCode.ClusterError, [ExitCode.Interrupted, 'Ctrl-C or SIGTERM: the tasks keep running']);
  static override examples = [
    '<%= config.bin %> gitops wait --repo ~/src/sei-gitops --path clusters/dev/arctic-1/tasks --timeout 30m',
    '<%= config.bin %> gitops wait --repo . --path clusters/dev/arctic-1/tasks --plan-id 3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c -o ndjson',
  ];

  static override flags = {
    repo: Flags.string({ required: true, description: 'The GitOps repository work tree.', helpGroup: 'GIT' }),
    path: Flags.string({ required: true, description: 'Directory inside the repository that was committed to.', helpGroup: 'GIT' }),
    ref: Flags.string({ default: 'HEAD', description: 'Read the committed tasks at this branch, tag or commit.', helpGroup: 'GIT' }),
    'plan-id': Flags.string({ description: 'Only the tasks of this plan run (label sei.io/plan-id).' }),
    timeout: timeoutFlag('Default 15m: the engine has to sync first.'),
    output: outputFlag(['name', 'yaml', 'json', 'ndjson'], 'name|yaml|json: the tasks at the end; ndjson: every observed object as it arrives.'),
    ...connectionFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(GitopsWait);
    this.machineOutput = flags.output !== undefined;
    const [{ connect }, { waitForCommitted }, { createProgress }, { parseDuration }, { finishTaskWait }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/gitops-wait.js'),
      import('../../output/progress.js'),
      import('../../domain/duration.js'),
      import('../../cli/finish-wait.js'),
    ]);
    const timeoutMs = parseDuration(flags.timeout ?? '15m');
    const client = await connect(connectionOptions(flags));
    const progress = await createProgress();
    const interrupt = interruptSignal({ ms: timeoutMs, message: `gitops wait did not end within --timeout ${flags.timeout ?? '15m'} (the API server did not answer); the committed tasks keep running` });
    try {
      // Ctrl-C/SIGTERM end the wait with the re-attach line (exit 130), as every wait does.
      interrupt.arm(true);
      const result = await waitForCommitted({
        repo: flags.repo,
        path: flags.path,
        ref: flags.ref,
        ...(flags['plan-id'] ? { planId: flags['plan-id'] } : {}),
        client,
        timeoutMs,
        signal: interrupt.signal,
        progress,
        ...(flags.output === 'ndjson' ? { onObject: ndjsonWriter() } : {}),
      });
      await finishTaskWait({ verdicts: result.verdicts, namespace: client.namespace, output: flags.output, error: result.error });
    } finally {
      interrupt.dispose();
    }
  }
}
