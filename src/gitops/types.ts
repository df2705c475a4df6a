/**
 * The GitOps contract: the task paved roads and `plan apply` call commitToGit
 * (src/services/gitops-commit.ts) instead of applying when --gitops-repo/--gitops-path are given.
 */
import type { KubeObject } from '../cluster/types.js';

export type GitopsFlavor = 'plain' | 'argocd' | 'flux';

export interface GitopsCommitInput {
  /** The repository's work tree (any directory inside it). */
  repo: string;
  /** Directory inside the repository, e.g. clusters/dev/arctic-1/tasks. */
  path: string;
  /** Validated objects. Plan tasks carry the sei.io/plan-* labels and the step-order annotation. */
  objects: KubeObject[];
  flavor: GitopsFlavor;
  branch?: string;
  message?: string;
  /** true = the branch's upstream or "origin"; a string names the remote. */
  push?: boolean | string;
  author?: string;
  planId?: string;
}

export interface GitopsCommitResult {
  /** Commit sha, absent when nothing changed. */
  commit?: string;
  branch: string;
  files: string[];
  noop: boolean;
  warnings: string[];
  /** The files whose content this commit changes (a subset of files). */
  changed?: string[];
  /** With dryRun: what each changed file would hold; nothing was written. */
  preview?: Record<string, string>;
}
