/**
 * The GitOps hook of `plan apply`: render every task the plan knows ahead of the run (validated,
 * with plan labels and the step-order annotation) and hand them to commitToGit (src/gitops) —
 * the only module that touches git. Steps that need run-time outputs cannot be committed ahead
 * and are reported.
 */
import type { ConnectionOptions } from '../cluster/types.js';
import type { GitopsCommitResult, GitopsFlavor } from '../gitops/types.js';
import { SeiError } from '../errors/index.js';
import { readFleetFile } from './fleet.js';
import { renderPlan, type PlanSource } from './service.js';
import { buildGraph } from './graph.js';

export interface PlanGitopsOptions extends PlanSource {
  planId?: string;
  namespace?: string;
  fleetFile?: string;
  connection?: ConnectionOptions;
  repo: string;
  path: string;
  flavor: GitopsFlavor;
}

export async function commitPlanToGit(options: PlanGitopsOptions): Promise<{ commit: GitopsCommitResult; notes: string[]; planId: string }> {
  const fleet = options.fleetFile ? readFleetFile(options.fleetFile) : undefined;
  const client = !fleet && options.connection ? await (await import('../cluster/index.js')).connect(options.connection) : undefined;
  const rendered = await renderPlan({ ...options, ...(fleet ? { fleet } : {}), ...(client ? { client } : {}) });
  if (rendered.objects.length === 0) throw SeiError.invalid('the plan renders no tasks ahead of the run: nothing to commit', [], rendered.notes);
  // A RestartPod names the pod to delete by UID: read each one now, from the cluster.
  const restarts = rendered.objects.filter((o) => (o['spec'] as { kind?: string }).kind === 'RestartPod');
  if (restarts.length > 0) {
    if (!client) {
      throw SeiError.invalid(`${restarts.length} RestartPod task(s) need the live pod UID, which only the cluster has: commit with a cluster connection (not --fleet)`, [], [
        'or drop the RestartPod step from the committed plan and run it with kubectl sei plan apply',
      ]);
    }
    const { readPodUid } = await import('../services/preflight.js');
    for (const o of restarts) {
      const spec = o['spec'] as { target: { nodeRef: { name: string } }; restartPod: { podUID: string } };
      spec.restartPod.podUID = await readPodUid(client, spec.target.nodeRef.name, rendered.namespace);
    }
  }
  const { commitToGit } = await import('../gitops/index.js');
  const { loadCatalog } = await import('../catalog/index.js');
  const { kindLookup } = await import('./tasks.js');
  const { loadPlan } = await import('./load.js');
  const loaded = await loadPlan(options.file, kindLookup(loadCatalog(options.templatesDir ? { templatesDir: options.templatesDir } : {})));
  const stepParallelism = Object.fromEntries(buildGraph(loaded.manifest).filter((g) => g.maxParallel > 0).map((g) => [g.step.id, g.maxParallel]));
  const commit = await commitToGit({
    repo: options.repo,
    path: options.path,
    objects: rendered.objects,
    flavor: options.flavor,
    planId: rendered.planId,
    message: `plan ${loaded.manifest.metadata.name} ${rendered.planId}: ${rendered.objects.length} tasks`,
    stepParallelism,
  } as Parameters<typeof commitToGit>[0]);
  return { commit, notes: rendered.notes, planId: rendered.planId };
}
