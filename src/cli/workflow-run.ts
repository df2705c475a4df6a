/**
 * The one place a workflow run (state-sync, workflow apply) becomes output and an exit code:
 * the final objects on stdout (-o), the re-attach hint on Ctrl-C (exit 130), and the verdicts
 * as a SeiError (Failed 1, Timeout 3). Loaded lazily by the commands.
 */
import { connectionOptions, type ConnectionFlagValues, type SeiCommand } from './base-command.js';
import { interruptSignal, ndjsonWriter, writeStdout } from './task-flags.js';
import { SeiError } from '../errors/sei-error.js';
import type { ApplyWorkflowOptions, WorkflowRunResult } from '../services/workflows.js';
import type { Progress } from '../output/progress.js';
import { finishWait, type ObjectFormat } from './finish-wait.js';

/** The flags every workflow-running command shares (workflowRunFlags + the connection flags). */
export interface WorkflowRunFlagValues extends ConnectionFlagValues {
  output?: ObjectFormat | undefined;
  timeout?: string | undefined;
  wait: boolean;
  'dry-run'?: 'client' | 'server' | undefined;
  preflight: boolean;
  yes: boolean;
}

/**
 * state-sync and workflow apply: their flags become the run's options (progress, Ctrl-C, the
 * terminal confirmation), `start` runs the use-case, and the result ends through finishWorkflowRun.
 */
export async function runFollowedWorkflow(command: SeiCommand & { exit(code?: number): never }, flags: WorkflowRunFlagValues, start: (options: ApplyWorkflowOptions) => Promise<WorkflowRunResult>): Promise<void> {
  const [{ createProgress }, { parseDuration }, { terminalConfirm }] = await Promise.all([
    import('../output/progress.js'),
    import('../domain/duration.js'),
    import('./confirm.js'),
  ]);
  const progress = await createProgress();
  const interrupt = interruptSignal();
  const confirm = terminalConfirm();
  try {
    const result = await start({
      connection: connectionOptions(flags),
      ...(flags['dry-run'] ? { dryRun: flags['dry-run'] } : {}),
      targetChecks: flags.preflight,
      yes: flags.yes,
      ...(confirm ? { confirm } : {}),
      wait: flags.wait,
      ...(flags.timeout !== undefined ? { timeoutMs: parseDuration(flags.timeout) } : {}),
      signal: interrupt.signal,
      waiting: interrupt.arm,
      progress,
      ...(flags.output === 'ndjson' ? { onObject: ndjsonWriter() } : {}),
    });
    await finishWorkflowRun(command, result, flags.output, flags.wait, progress);
  } finally {
    interrupt.dispose();
  }
}

export async function finishWorkflowRun(command: SeiCommand & { exit(code?: number): never }, result: WorkflowRunResult, output: ObjectFormat | undefined, wait: boolean, progress: Progress): Promise<void> {
  const [{ formatObjects }, { workflowTable }, { workflowVerdictsToError }] = await Promise.all([
    import('../output/printers.js'),
    import('../output/node-printers.js'),
    import('../services/follow-workflows.js'),
  ]);
  const objects = result.applied.map((a) => result.verdicts.find((v) => v.name === a.name)?.object ?? a.object);
  const last = result.applied[result.applied.length - 1];
  if (!last) return;
  const dryRun = result.applied.every((a) => a.action === 'dry-run');
  if (dryRun) {
    writeStdout(formatObjects(objects, output === 'json' ? 'json' : output === 'name' ? 'name' : 'yaml', { single: objects.length === 1, table: workflowTable }));
    return;
  }
  const stopped = result.verdicts.filter((v) => v.outcome === 'Interrupted');
  const error = workflowVerdictsToError(result.verdicts, last.namespace);
  finishWait({
    stdout: output && output !== 'ndjson' ? formatObjects(objects, output, { single: objects.length === 1 }) : '',
    ...(stopped.length > 0 ? { interrupted: workflowsInterrupted(stopped.map((v) => v.name), last.namespace) } : {}),
    ...(error ? { error } : {}),
  });
  if (!wait) progress.note(`not waiting (--no-wait); follow it with: kubectl sei workflow wait ${result.applied.map((a) => a.name).join(' ')} -n ${last.namespace}`);
}

/** Ctrl-C while waiting for workflows: they keep running on the cluster; say how to re-attach. */
export function workflowsInterrupted(names: readonly string[], namespace: string): SeiError {
  return SeiError.interrupted(`interrupted: ${names.length === 1 ? 'the workflow keeps' : 'the workflows keep'} running on the cluster; re-attach with: kubectl sei workflow wait ${names.join(' ')} -n ${namespace}`);
}
