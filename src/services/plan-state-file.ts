/** --state-file of plan apply/status: the run's id and last verdict on local disk. */
import { SeiError } from '../errors/index.js';
import type { PlanVerdict } from '../plan/types.js';

/** --state-file: the run's id and last verdict, for offline and GitOps use (the cluster stays the source of truth). */
export async function writeStateFile(file: string, state: { planId: string; namespace: string; verdict?: PlanVerdict }): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const compact = state.verdict ? { ...state.verdict, steps: state.verdict.steps.map((s) => ({ ...s, items: s.items.map(({ task: _t, ...i }) => i) })) } : undefined;
  await writeFile(file, `${JSON.stringify({ planId: state.planId, namespace: state.namespace, updatedAt: new Date().toISOString(), ...(compact ? { verdict: compact } : {}) }, null, 2)}\n`);
}

export async function readStateFile(file: string): Promise<{ planId: string; namespace: string }> {
  const { readFile } = await import('node:fs/promises');
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as { planId?: string; namespace?: string };
    if (!data.planId) throw new Error('no planId');
    return { planId: data.planId, namespace: data.namespace ?? 'default' };
  } catch (error) {
    throw SeiError.invalid(`--state-file ${file}: ${(error as Error).message}`);
  }
}
