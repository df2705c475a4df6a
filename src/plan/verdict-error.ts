/** A plan verdict → the SeiError that carries its exit code. */
import { SeiError, ExitCode } from '../errors/index.js';
import type { PlanVerdict } from './types.js';
import { TASK_REASONS } from '../domain/task-reasons.js';

/** Complete → undefined (exit 0); otherwise the SeiError that carries the exit code. */
export function verdictError(verdict: PlanVerdict): SeiError | undefined {
  const id = verdict.planId;
  const ns = verdict.namespace;
  switch (verdict.phase) {
    case 'Complete':
      return undefined;
    case 'Failed': {
      const d = verdict.failedTaskDetail!;
      const explained = TASK_REASONS[d.reason];
      return SeiError.taskFailed(d.reason, `plan ${verdict.planName} (${id}) Failed at step ${verdict.failedStep} item ${verdict.failedIndex} (${d.node}): task ${d.name} ${d.kind} ${d.reason}${d.message ? `: ${d.message}` : ''} after ${d.attempts}/${d.maxAttempts} attempt${d.maxAttempts === 1 ? '' : 's'}${explained ? ` (${explained.summary}; plans never retry it)` : ''}`, [
        ...(explained ? explained.next(d.name, ns) : []),
        `inspect it: kubectl sei task describe ${d.name} -n ${ns}`,
        `the whole run: kubectl sei plan status ${id} -n ${ns}`,
      ]);
    }
    case 'WaitingApproval':
      return new SeiError(`waiting for approval: kubectl sei plan approve ${id} ${verdict.waitingFor?.step ?? ''} -n ${ns}${verdict.waitingFor?.message ? ` (${verdict.waitingFor.message})` : ''}`, {
        reason: 'WaitingApproval',
        exitCode: ExitCode.Timeout,
        // Accepted, not finished: nothing went wrong on any server.
        httpCode: 202,
        hints: [`then continue: kubectl sei plan resume ${id} -n ${ns}`],
      });
    case 'Cancelled':
      return new SeiError(`plan run ${id} was cancelled`, { reason: 'Cancelled', exitCode: ExitCode.TaskFailed, httpCode: 409 });
    default:
      return SeiError.timeout(`plan run ${id} is ${verdict.phase}`, [`kubectl sei plan resume ${id} -n ${ns}`]);
  }
}
