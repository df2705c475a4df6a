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
  /** Commit on this branch (for a pull request) instead of the checked-out one. */
  branch?: string;
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
  // An approval step means "a person says yes before the next step": committed straight to the
  // branch the engine syncs, nobody could. Only a pull request review keeps it meaningful.
  const approvals = source.approvals ?? [];
  if (approvals.length > 0 && !options.branch) {
    const { SeiError } = await import('../errors/index.js');
    throw SeiError.preflight('ApprovalNeedsReview', `plan ${options.file} has approval step${approvals.length === 1 ? '' : 's'} ${approvals.join(', ')}: a direct commit would skip ${approvals.length === 1 ? 'it' : 'them'}; nothing was written`, [
      'commit on a branch and let the pull request review be the approval: add --gitops-branch BRANCH',
      'or run the plan against the cluster (plan apply without --gitops-repo), where plan approve records the approval',
    ]);
  }
  const { checkFlavorLimits } = await import('../gitops/flavor-limits.js');
  const limits = checkFlavorLimits(options.flavor, source.objects, source.stepSemantics, source.stepParallelism, options.acceptUnordered);
  const commit = await commitToGit({
    repo: options.repo,
    path: options.path,
    objects: source.objects,
    flavor: options.flavor,
    planId,
    ...(options.branch ? { branch: options.branch } : {}),
    ...(source.stepParallelism ? { stepParallelism: source.stepParallelism } : {}),
  });
  commit.warnings.unshift(...limits);
  return { commit, notes: source.notes, planId };
}
