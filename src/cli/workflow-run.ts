/**
 * The one place a workflow run (state-sync, workflow apply) becomes output and an exit code:
 * the final objects on stdout (-o), the re-attach hint on Ctrl-C (exit 130), and the verdicts
 * as a SeiError (Failed 1, Timeout 3). Loaded lazily by the commands.
 */
import type { SeiCommand } from './base-command.js';
import { writeStdout } from './task-flags.js';
import { SeiError } from '../errors/sei-error.js';
import type { WorkflowRunResult } from '../services/workflows.js';
import type { Progress } from '../output/progress.js';
import { finishWait, type ObjectFormat } from './finish-wait.js';

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
