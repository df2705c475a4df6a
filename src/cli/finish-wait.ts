/**
 * How every waiting command ends (task wait, task apply --wait, the paved roads, gitops wait,
 * plan apply/resume): the data on stdout first, whatever the verdict; then Ctrl-C as a SeiError
 * with exit 130 and the re-attach command; then the verdict's own SeiError (Failed 1, Timeout 3…).
 * Throwing is the whole exit path: SeiCommand.catch prints the error and, under -o
 * json|yaml|ndjson|name, the metav1.Status line, and exits with the error's code.
 */
import { SeiError } from '../errors/sei-error.js';
import type { KubeObject } from '../cluster/types.js';
import type { TaskVerdict, WaitFor } from '../watch/types.js';

export interface WaitEnd {
  /** Data for stdout (objects in the -o format, env lines); printed before any error. */
  stdout?: string;
  /** Set when Ctrl-C stopped the wait: the exit is 130 whatever else happened. */
  interrupted?: SeiError;
  /** The verdict's exit decision; undefined = success. */
  error?: SeiError;
}

/** Prints the data, then throws Ctrl-C (130) or the verdict's error. */
export function finishWait(end: WaitEnd): void {
  if (end.stdout) process.stdout.write(end.stdout);
  if (end.interrupted) throw end.interrupted;
  if (end.error) throw end.error;
}

/** Ctrl-C while waiting for tasks: they keep running; say how to re-attach (with the flags it needs). */
export function tasksInterrupted(names: readonly string[], namespace: string, reattachFlags: readonly string[] = []): SeiError {
  const reattach = ['kubectl sei task wait', ...names, '-n', namespace, ...reattachFlags].join(' ');
  return SeiError.interrupted(`interrupted: ${names.length === 1 ? 'the task keeps' : 'the tasks keep'} running on the cluster; re-attach with: ${reattach}`);
}

export type ObjectFormat = 'yaml' | 'json' | 'name' | 'ndjson';

export interface TaskWaitEnd {
  verdicts: readonly TaskVerdict[];
  namespace: string;
  /** -o: the final objects are printed in it (ndjson streamed them already). */
  output?: ObjectFormat | undefined;
  single?: boolean;
  /** What -o prints when not the verdicts' objects (a paved road prints the applied object of an unwatched task). */
  objects?: readonly KubeObject[];
  /** Extra stdout after the objects (--output-env lines). */
  trailer?: string;
  waitFor?: WaitFor;
  /** A decision made elsewhere (gitops wait across namespaces) instead of verdictsToError. */
  error?: SeiError;
  /** What the re-attach line needs besides names and namespace (--kubeconfig, --timeout, --for). */
  reattachFlags?: readonly string[];
}

/** The end of a wait for SeiNodeTasks, through finishWait. */
export async function finishTaskWait(end: TaskWaitEnd): Promise<void> {
  const [{ formatObjects }, { verdictsToError }] = await Promise.all([import('../output/printers.js'), import('../services/follow-tasks.js')]);
  const objects: readonly KubeObject[] = end.objects ?? end.verdicts.flatMap((v) => (v.object ? [v.object] : []));
  const printed = end.output && end.output !== 'ndjson' ? formatObjects(objects, end.output, { single: end.single ?? false }) : '';
  const stopped = end.verdicts.filter((v) => v.outcome === 'Interrupted');
  const error = 'error' in end ? end.error : verdictsToError(end.verdicts, end.namespace, end.waitFor, end.reattachFlags);
  finishWait({
    stdout: printed + (end.trailer ?? ''),
    ...(stopped.length > 0 ? { interrupted: tasksInterrupted(stopped.map((v) => v.name), stopped[0]?.namespace ?? end.namespace, end.reattachFlags) } : {}),
    ...(error ? { error } : {}),
  });
}
