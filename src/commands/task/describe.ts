// `kubectl sei task describe NAME`: conditions, sidecar task id, timeline, outputs, Events, what to do next.
import * as Args from '@oclif/core/args';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { writeStdout } from '../../cli/task-flags.js';
import type { TaskEvent } from '../../output/describe.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

export default class TaskDescribe extends SeiCommand {
  static override summary = 'Show one SeiNodeTask in detail: conditions, sidecar task id, timeline, outputs, Events and what to do next.';
  static override exitCodes = commandExitCodes([ExitCode.Ok, 'shown'], [ExitCode.InvalidInput, 'invalid flags, or no such task'], ExitCode.ClusterError);
  static override examples = ['<%= config.bin %> task describe node-1-discover-peers-20260101t120000-3f9a1c -n sei'];
  static override args = { name: Args.string({ required: true, description: 'The task name.' }) };
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TaskDescribe);
    const [{ connect }, { getTask, taskEvents }, { describeTask }] = await Promise.all([
      import('../../cluster/index.js'),
      import('../../services/task-queries.js'),
      import('../../output/describe.js'),
    ]);
    const client = await connect(connectionOptions(flags));
    const task = await getTask(client, args.name);
    writeStdout(describeTask(task, Date.now(), (await taskEvents(client, task)) as TaskEvent[]));
  }
}
