// The latest controller's gov reasons (upstream internal/controller/nodetask/controller.go:305-354,
// 2d670ad) explained where an operator meets them: the verdict line, describe, a plan's diagnosis.
import { describe, expect, it } from 'vitest';
import { verdictLine } from '../../src/services/follow-tasks.js';
import { nextSteps } from '../../src/output/describe.js';
import { verdictError } from '../../src/plan/verdict-error.js';
import type { KubeObject } from '../../src/cluster/types.js';
import type { PlanVerdict } from '../../src/plan/types.js';

const task = (phase: string, condition: Record<string, unknown>): KubeObject => ({
  apiVersion: 'sei.io/v1alpha1',
  kind: 'SeiNodeTask',
  metadata: { name: 'vote-1', namespace: 'sei' },
  spec: { kind: 'GovVote', target: { nodeRef: { name: 'node-0' } }, govVote: {} },
  status: { phase, conditions: [{ status: 'True', ...condition }] },
});

describe('later reasons', () => {
  it('the verdict line says what Confirmed, TxFailed and InclusionUndetermined mean', () => {
    expect(verdictLine({ name: 'vote-1', namespace: 'sei', outcome: 'Complete', reason: 'Confirmed', message: '', durationMs: 10 })).toContain('included on chain and succeeded');
    expect(verdictLine({ name: 'vote-1', namespace: 'sei', outcome: 'Failed', reason: 'TxFailed', message: 'tx AB committed but failed: code=5', durationMs: 10 })).toMatch(/tx AB committed but failed: code=5 \(the transaction is on chain and failed there/);
    expect(verdictLine({ name: 'vote-1', namespace: 'sei', outcome: 'Failed', reason: 'InclusionUndetermined', message: 'tx AB inclusion undetermined; re-check pending', durationMs: 10 })).toContain('check the txHash on chain before any retry: a retry may submit it twice');
  });

  it('describe tells what to do next', () => {
    expect(nextSteps(task('Failed', { type: 'Failed', reason: 'TxFailed', message: 'tx AB committed but failed' })).join('\n')).toContain('look it up by the txHash in status.outputs');
    expect(nextSteps(task('Failed', { type: 'Failed', reason: 'InclusionUndetermined', message: 'x' })).join('\n')).toContain('Check the txHash in status.outputs on chain first');
    expect(nextSteps(task('Complete', { type: 'Ready', reason: 'Confirmed', message: '' }))[0]).toContain('Confirmed: the transaction was included on chain');
  });

  it('a plan failure names the reason, its meaning and that plans never retry it', () => {
    const verdict: PlanVerdict = {
      planId: '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c',
      planName: 'gov-upgrade',
      namespace: 'sei',
      phase: 'Failed',
      failedStep: 'vote',
      failedIndex: 0,
      failedTaskDetail: { name: 'vote-1', kind: 'GovVote', node: 'node-0', reason: 'InclusionUndetermined', message: 'tx AB inclusion undetermined; re-check pending', attempts: 1, maxAttempts: 1 },
      steps: [],
      tasks: { total: 1, created: 1 },
    };
    const error = verdictError(verdict)!;
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('plans never retry it');
    expect(error.hints.join('\n')).toContain('Retry only when the chain shows it was not');
  });
});
