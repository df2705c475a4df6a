/**
 * The GitOps hook of `plan apply`: the same path as `kubectl sei gitops commit -f PLAN`
 * (src/services/gitops-sources.ts renders every task knowable ahead of the run, fills RestartPod pod uids
 * at commit time and refuses steps that need run-time outputs; commitToGit writes), so a plan
 * reaches Git identically whichever command the operator used.
 */
import type { ConnectionOptions } from '../cluster/types.js';
import type { GitopsCommitResult, GitopsFlavor } from '../gitops/types.js';
import type { PlanSource } from '../plan/types.js';

export interface PlanGitopsOptions extends PlanSource {
  planId?: string;
  namespace?: string;
  /** Offline fan-out from a fleet file; no cluster is contacted (pod uids must be given). */
  fleetFile?: string;
  podUids?: string[];
  connection?: ConnectionOptions;
  repo: string;
  path: string;
  flavor: GitopsFlavor;
  /** plain flavor: commit a multi-step plan anyway, every task at once. */
  acceptUnordered?: boolean;
}

export async function commitPlanToGit(options: PlanGitopsOptions): Promise<{ commit: GitopsCommitResult; notes: string[]; planId: string }> {
  const [{ loadCommitObjects }, { commitToGit }] = await Promise.all([import('./gitops-sources.js'), import('./gitops-commit.js')]);
  const source = await loadCommitObjects({
    files: [options.file],
    ...(options.set ? { set: options.set } : {}),
    ...(options.inputsFile ? { inputsFile: options.inputsFile } : {}),
    ...(options.templatesDir ? { templatesDir: options.templatesDir } : {}),
    ...(options.planId ? { planId: options.planId } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.podUids ? { podUids: options.podUids } : {}),
    ...(options.fleetFile ? { fleetFile: options.fleetFile, offline: true } : {}),
    ...(options.podUids ? {} : { podUidFlag: false }),
    ...(options.connection ? { connection: options.connection } : {}),
  });
  const planId = source.planId as string;
  const { checkFlavorLimits } = await import('../gitops/flavor-limits.js');
  const limits = checkFlavorLimits(options.flavor, source.objects, source.stepSemantics, source.stepParallelism, options.acceptUnordered);
  const commit = await commitToGit({
    repo: options.repo,
    path: options.path,
    objects: source.objects,
    flavor: options.flavor,
    planId,
    ...(source.stepParallelism ? { stepParallelism: source.stepParallelism } : {}),
  });
  commit.warnings.unshift(...limits);
  return { commit, notes: source.notes, planId };
}
