/** `plan approve`: record an approval in the stored run. */
import type { ClusterClient } from '../cluster/types.js';
import { SeiError } from '../errors/index.js';
import { checkPlanId } from '../plan/naming.js';
import { mergeRun, requireRun, resolvePlanId, updateRun } from '../plan/run-store.js';

export async function approveStep(options: { client: ClusterClient; planId: string; step: string; namespace?: string; by?: string }): Promise<{ alreadyApproved: boolean }> {
  checkPlanId(options.planId, 'PLAN_ID');
  options = { ...options, planId: await resolvePlanId(options.client, options.planId, options.namespace ?? options.client.namespace) };
  const namespace = options.namespace ?? options.client.namespace;
  const stored = await requireRun(options.client, options.planId, namespace);
  const { parsePlanText } = await import('../plan/load.js');
  const manifest = parsePlanText(stored.source, 'stored plan').loaded.manifest;
  const step = manifest.spec.steps.find((s) => s.id === options.step);
  const approvalSteps = manifest.spec.steps.filter((s) => s.approval).map((s) => s.id);
  if (!step || !step.approval) {
    throw SeiError.invalid(`step ${JSON.stringify(options.step)} of plan run ${options.planId} is not an approval step`, [], [approvalSteps.length > 0 ? `approval steps: ${approvalSteps.join(', ')}` : 'this plan has no approval steps']);
  }
  if (stored.approvals[options.step]) return { alreadyApproved: true };
  const approval = { approvedAt: new Date().toISOString(), ...(options.by ? { by: options.by } : {}) };
  // A merge guarded by resourceVersion: a running executor's record write cannot undo it.
  const written = await updateRun(options.client, options.planId, namespace, (current) => mergeRun(current, { approvals: { [options.step]: approval } }));
  return { alreadyApproved: written.approvals[options.step]?.approvedAt !== approval.approvedAt };
}
