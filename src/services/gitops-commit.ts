/**
 * commitToGit: write validated objects into a GitOps repository in the layout of a flavor and
 * commit only those files. Every refusal (escaping names, plaintext Secrets, invalid tasks,
 * foreign uncommitted changes, a busy repository) happens before anything is written; a re-run
 * with the same input changes nothing and makes no commit. The git work is in ./git.ts.
 */
import { parse as parseYaml } from 'yaml';
import { SeiError } from '../errors/index.js';
import type { KubeObject } from '../cluster/types.js';
import type { GitopsCommitInput, GitopsCommitResult, GitopsFlavor } from '../gitops/types.js';
import { checkPathSafeNames, checkSecrets, describeObject, isSopsSecret, normalizeRepoPath, stripServerFields } from '../gitops/safety.js';
import { buildLayout, serializeObject, type FluxOptions } from '../gitops/layout.js';
import { ensureResources } from '../gitops/kustomization.js';
import { commitMessage } from '../gitops/message.js';
import * as git from '../gitops/git.js';
import type { CommitSourceOptions } from './gitops-sources.js';
import type { taskReader } from './kind-behaviour.js';

type TaskReader = ReturnType<typeof taskReader>;

export type { GitopsCommitInput, GitopsCommitResult, GitopsFlavor } from '../gitops/types.js';

const FLAVORS: GitopsFlavor[] = ['plain', 'argocd', 'flux'];

/** Optional members beyond the shared contract (flux source wiring). */
export interface GitopsCommitOptions extends GitopsCommitInput {
  flux?: FluxOptions;
  /** Plan step id → maxParallel: a step is split into consecutive waves / Kustomizations of that size. */
  stepParallelism?: Record<string, number>;
  /** Run every check and compute the files, but write, commit and push nothing. */
  dryRun?: boolean;
}

export function parseAuthor(author: string): { name: string; email: string } {
  const match = /^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(author);
  if (!match) {
    throw SeiError.invalid(`--author ${JSON.stringify(author)} is not "Name <mail@host>"`, [{ field: '--author', type: 'FieldValueInvalid', message: 'expected "Name <mail@host>"' }], ['--author "Jane Operator <jane@example.com>"']);
  }
  return { name: match[1]!, email: match[2]! };
}

/**
 * An offline plan render leaves a placeholder where a late value goes (RestartPod's pod uid). In
 * Git it would reach the cluster later and act on nothing: the value must be real by commit time.
 */
async function refuseLatePlaceholders(objects: KubeObject[], read: TaskReader): Promise<void> {
  const [{ LATE_PLACEHOLDER }, { LATE_RESOLVER_TABLE }] = await Promise.all([import('../plan/tasks.js'), import('./kind-behaviour.js')]);
  for (const object of objects) {
    const found = read(object);
    if (!found?.spec) continue;
    const { task, spec } = found;
    const node = task.target.node || 'NODE';
    for (const { param, resolver } of spec.lateValues) {
      if (task.payload[param] !== LATE_PLACEHOLDER) continue;
      const how = resolver ? LATE_RESOLVER_TABLE[resolver] : undefined;
      throw SeiError.invalid(`refusing to commit ${describeObject(object)}: spec.${spec.payloadField}.${param} is the offline placeholder ${JSON.stringify(LATE_PLACEHOLDER)}${how ? `, not ${how.describe(node)}` : ''}`, [
        { field: `spec.${spec.payloadField}.${param}`, type: 'FieldValueInvalid', message: how ? `must be ${how.describe(node)}, read at commit time` : 'must be given before the commit' },
      ], [how ? `Use kubectl sei gitops commit -f PLAN: with a reachable cluster it reads it, offline pass it with ${how.offlineFlag} ${node}=VALUE.` : `Give it with --set ${param}=VALUE.`]);
    }
  }
}

async function validateObjects(objects: KubeObject[]): Promise<void> {
  const tasks = objects.filter((o) => o.kind === 'SeiNodeTask' && String(o.apiVersion).startsWith('sei.io/'));
  if (tasks.length === 0) return;
  const { validateTaskObjects, validateWorkflowObjects } = await import('./validate-objects.js');
  await validateTaskObjects(tasks.map((object) => ({ object })));
  await validateWorkflowObjects(objects.filter((o) => o.kind === 'SeiNodeTaskWorkflow' && String(o.apiVersion).startsWith('sei.io/')).map((object) => ({ object })));
}

function identity(object: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }): string {
  return `${String(object.kind)}|${String(object.metadata?.namespace ?? '')}|${String(object.metadata?.name)}`;
}

/** Tasks that delete a pod by a uid fixed now but applied later by the engine (catalog: restartsPod). */
function podRestartWarnings(objects: KubeObject[], read: TaskReader): string[] {
  // One warning per kind, naming every task and pod: a fan-out over 50 nodes is one line, not 50.
  const byKind = new Map<string, string[]>();
  for (const object of objects) {
    const found = read(object);
    if (!found?.spec?.restartsPod) continue;
    const { task, spec } = found;
    const uid = spec.lateValues.map((v) => task.payload[v.param]).find((v) => typeof v === 'string') ?? '?';
    byKind.set(task.kind, [...(byKind.get(task.kind) ?? []), `${object.metadata.name} (pod ${task.target.node || '?'}-0, uid ${String(uid)})`]);
  }
  return [...byKind].map(([kind, tasks]) => {
    const what = tasks.length === 1 ? `${kind} ${tasks[0]} deletes that pod` : `${tasks.length} ${kind} tasks delete their pods: ${tasks.join(', ')}`;
    return `${what}; the uid is fixed at commit time, but the GitOps engine applies it later: if a pod is replaced before the sync, the controller completes its task as a no-op. After the sync run \`kubectl sei gitops wait\`, which checks the restart really happened.`;
  });
}

interface Contents {
  next: Map<string, string>;
  previous: Map<string, string | undefined>;
  warnings: string[];
}

/** What each of our files holds now and will hold; refuses to overwrite a different object. */
function newContents(layout: ReturnType<typeof buildLayout>, serialized: Map<string, string>, committedFiles: Map<string, string | undefined>): Contents {
  const warnings: string[] = [];
  const next = new Map<string, string>();
  const previous = new Map<string, string | undefined>();
  for (const [filePath, object] of layout.files) {
    const committed = committedFiles.get(filePath);
    previous.set(filePath, committed);
    const content = serialized.get(filePath)!;
    next.set(filePath, content);
    if (committed === undefined || committed === content) continue;
    let existing: unknown;
    try {
      existing = parseYaml(committed);
    } catch {
      existing = undefined;
    }
    if (!existing || typeof existing !== 'object' || identity(existing as KubeObject) !== identity(object)) {
      throw SeiError.preflight('PathConflict', `${filePath} already holds a different object; kubectl-sei would overwrite it with ${describeObject(object)}`, [
        'Rename the object, or commit it to another --path.',
      ]);
    }
    if (object.kind === 'SeiNodeTask') {
      warnings.push(`${describeObject(object)} was already committed with a different spec: the controller never runs a finished task again, so this change has no effect on a task that already ran (a running one reads it live). Use a new name to run it again.`);
    }
  }
  for (const [filePath, entries] of layout.kustomizations) {
    const committed = committedFiles.get(filePath);
    previous.set(filePath, committed);
    next.set(filePath, ensureResources(committed, entries, filePath));
  }
  return { next, previous, warnings };
}

/**
 * Uncommitted work on any of our paths, staged or not, that is neither the committed version
 * nor exactly what kubectl-sei is about to write (an interrupted earlier run): refuse rather
 * than commit it along or clobber it.
 */
async function refuseForeignChanges(repo: git.RepoHandle, next: Map<string, string>, previous: Map<string, string | undefined>): Promise<void> {
  const states = await git.changedPaths(repo, [...next.keys()]);
  const foreign = [...states].filter(([filePath, state]) => {
    const allowed = [previous.get(filePath), next.get(filePath)];
    return !allowed.includes(state.worktree) || !allowed.includes(state.index);
  });
  if (foreign.length === 0) return;
  const names = foreign.map(([p]) => p);
  throw SeiError.preflight('UncommittedChanges', `refusing to commit: ${names.join(', ')} ${names.length === 1 ? 'has' : 'have'} uncommitted changes that kubectl-sei did not make`, [
    `Review them (git diff HEAD -- ${names.join(' ')}), then commit or discard them yourself and re-run.`,
    'kubectl-sei only ever commits the files it writes, so it will not take your edits along or overwrite them.',
  ]);
}

export async function commitToGit(input: GitopsCommitOptions): Promise<GitopsCommitResult> {
  if (!FLAVORS.includes(input.flavor)) {
    throw SeiError.invalid(`--flavor ${JSON.stringify(input.flavor)} is not one of ${FLAVORS.join(', ')}`, [{ field: '--flavor', type: 'FieldValueNotSupported', message: `supported values: ${FLAVORS.join(', ')}` }]);
  }
  if (input.objects.length === 0) throw SeiError.invalid('nothing to commit: no objects were given', [], ['Pass -f FILE|DIR or --from-stdin with at least one manifest.']);

  // 1. Everything about the objects themselves, before git is even opened.
  // An encrypted Secret is committed untouched: any edit would break its SOPS MAC.
  const objects = input.objects.map((o) => (isSopsSecret(o) ? o : stripServerFields(o)));
  checkSecrets(objects);
  checkPathSafeNames(objects);
  const [{ loadCatalog }, { taskReader }] = await Promise.all([import('../catalog/index.js'), import('./kind-behaviour.js')]);
  const read = taskReader(loadCatalog());
  await refuseLatePlaceholders(objects, read);
  await validateObjects(objects);
  const author = input.author ? parseAuthor(input.author) : undefined;

  // 2. Where the commit goes.
  const repo = await git.openRepo(input.repo);
  const basePath = normalizeRepoPath(repo.root, input.path);
  const checkedOut = await git.currentBranch(repo);
  const branch = input.branch ?? checkedOut;
  if (!branch) {
    throw SeiError.preflight('DetachedHead', 'HEAD is detached, so there is no branch to commit to', ['Pass --branch NAME (created from HEAD), or check out a branch first.']);
  }
  await git.checkBranchName(repo, branch);
  const onCheckout = branch === checkedOut;
  const tip = await git.resolveCommit(repo, `refs/heads/${branch}`);
  const base = tip ?? (await git.resolveCommit(repo, 'HEAD'));
  if (!base && !onCheckout) {
    throw SeiError.preflight('EmptyRepository', `the repository has no commit yet, so --branch ${branch} has nothing to start from`, ['Commit something first (git commit --allow-empty -m init), or drop --branch.']);
  }
  if (onCheckout) await git.preflightWorkTree(repo);

  // 3. The files, their committed versions and the new contents; 4. foreign work on them.
  const layout = buildLayout(objects, input.flavor, basePath, input.flux, input.stepParallelism);
  const dirs = new Set([...layout.files.keys(), ...layout.kustomizations.keys()].map((p) => p.slice(0, Math.max(0, p.lastIndexOf('/')))).filter(Boolean));
  await git.checkDirectoryPaths(repo, base, [...dirs]);
  const serialized = new Map([...layout.files].map(([filePath, object]) => [filePath, serializeObject(object)]));
  const committedFiles = await git.readCommittedFiles(repo, base, [...layout.files.keys(), ...layout.kustomizations.keys()], serialized);

  const { next, previous, warnings } = newContents(layout, serialized, committedFiles);
  if (onCheckout) await refuseForeignChanges(repo, next, previous);

  warnings.push(...podRestartWarnings(objects, read));
  if (objects.some((o) => o.kind === 'SeiNodeTaskWorkflow')) {
    // upstream workflow.go:387-411: an adopted workflow's deletion is held by its finalizer.
    warnings.push('SeiNodeTaskWorkflows wipe their node\'s data: never let the engine prune an adopted one — its delete is held Terminating by the controller\'s finalizer and the node stays held (kubectl sei workflow delete NAME --force releases it, without data verification). Keep prune off for these files, and a new workflow needs a new name.');
  }
  if (input.flavor === 'argocd') warnings.push('ArgoCD waits on sync waves only for resources it can judge: install the SeiNodeTask health check once (kubectl sei gitops health --flavor argocd).');
  if (input.flavor === 'flux' && objects.some((o) => o.metadata.labels?.['sei.io/plan-id'])) {
    warnings.push('The Flux Kustomizations use healthCheckExprs, which need kustomize-controller >= 1.5 (Flux 2.5); older versions would call a failed task healthy.');
  }

  const changed = new Map([...next].filter(([filePath, content]) => previous.get(filePath) !== content));
  const files = [...next.keys()].sort();
  const remote = input.push === undefined || input.push === false ? undefined : typeof input.push === 'string' ? input.push : ((await git.upstreamRemote(repo, branch)) ?? 'origin');

  if (remote) await git.checkRemote(repo, remote);
  const changedFiles = [...changed.keys()].sort();

  if (input.dryRun) return { branch, files, noop: changed.size === 0, warnings, changed: changedFiles, preview: Object.fromEntries([...changed].sort(([a], [b]) => (a < b ? -1 : 1))) };

  if (changed.size === 0) {
    // A re-run after a failed push still pushes; git itself reports "up to date" otherwise.
    if (remote && tip) await git.push(repo, remote, branch);
    return { branch, files, noop: true, warnings, changed: [] };
  }

  // 5. The only writes: one commit, one ref move, then (on the checkout) our files in the tree and index.
  const message = commitMessage(objects, input.flavor, { ...(input.planId ? { planId: input.planId } : {}), ...(input.message ? { message: input.message } : {}) });
  const { commit, blobs } = await git.createCommit(repo, { parent: base, branch, expectedTip: tip, files: changed, message, ...(author ? { author } : {}) });
  if (onCheckout) await git.syncCheckout(repo, changed, blobs);
  if (remote) await git.push(repo, remote, branch);
  return { commit, branch, files, noop: false, warnings, changed: changedFiles };
}

export interface CommitSourcesOptions extends Omit<GitopsCommitOptions, 'objects' | 'planId' | 'stepParallelism'> {
  /** plain flavor: commit a multi-step plan anyway, every task at once (src/gitops/flavor-limits.ts). */
  acceptUnordered?: boolean;
  /** What to commit: manifests or one plan (loadCommitObjects). */
  source: CommitSourceOptions;
  /** Told what was left out and where values came from, before the commit is attempted. */
  onNote?: (note: string) => void;
}

/** `gitops commit`: load manifests or render a plan (./gitops-sources.ts), then commitToGit. */
export async function commitSourcesToGit(options: CommitSourcesOptions): Promise<{ result: GitopsCommitResult; planId?: string }> {
  const { loadCommitObjects } = await import('./gitops-sources.js');
  const { source: sourceOptions, onNote, acceptUnordered, ...commit } = options;
  const source = await loadCommitObjects(sourceOptions);
  for (const note of source.notes) onNote?.(note);
  const { checkFlavorLimits } = await import('../gitops/flavor-limits.js');
  const limits = checkFlavorLimits(commit.flavor, source.objects, source.stepSemantics, source.stepParallelism, acceptUnordered);
  const result = await commitToGit({
    ...commit,
    objects: source.objects,
    ...(source.planId ? { planId: source.planId } : {}),
    ...(source.stepParallelism ? { stepParallelism: source.stepParallelism } : {}),
  });
  result.warnings.unshift(...limits);
  return { result, ...(source.planId ? { planId: source.planId } : {}) };
}
