/** `plan approve`: record an approval in the stored run. */
import type { ClusterClient } from '../cluster/types.js';
import { SeiError } from '../errors/index.js';
import { requireRun, writeRun } from '../plan/run-store.js';

export async function approveStep(options: { client: ClusterClient; planId: string; step: string; namespace?: string; by?: string }): Promise<{ alreadyApproved: boolean }> {
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
  stored.approvals[options.step] = { approvedAt: new Date().toISOString(), ...(options.by ? { by: options.by } : {}) };
  await writeRun(options.client, options.planId, namespace, stored);
  return { alreadyApproved: false };
}
