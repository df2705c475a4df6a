/**
 * Reads back what a GitOps commit put under a path: every SeiNodeTask in the *.yaml files of
 * that directory tree at a ref (default HEAD), straight from git's object store so an
 * uncommitted edit in the work tree cannot change what `gitops wait` waits for. Kustomizations
 * and other kinds are skipped. It must not write anything.
 */
import { parseAllDocumentsBounded } from '../domain/yaml-depth.js';
import { SeiError } from '../errors/index.js';
import type { KubeObject } from '../cluster/types.js';
import * as git from './git.js';
import { normalizeRepoPath } from './safety.js';

export interface CommittedTasks {
  ref: string;
  commit: string;
  path: string;
  tasks: KubeObject[];
  /** file → task names, for messages. */
  files: Map<string, string[]>;
}

export async function readCommittedTasks(repoDir: string, rawPath: string, ref = 'HEAD'): Promise<CommittedTasks> {
  const repo = await git.openRepo(repoDir);
  const dir = normalizeRepoPath(repo.root, rawPath);
  const commit = await git.resolveCommit(repo, ref);
  if (!commit) throw SeiError.preflight('RefNotFound', `${ref} does not name a commit in ${repo.root}`, ['Pass --ref with a branch, tag or commit that exists (git log --oneline).']);
  const tasks: KubeObject[] = [];
  const files = new Map<string, string[]>();
  const manifests = (await git.listCommittedFiles(repo, commit, dir)).filter((file) => /\.ya?ml$/i.test(file) && !/(^|\/)kustomization\.ya?ml$/i.test(file));
  const texts = await git.readCommittedFiles(repo, commit, manifests);
  for (const file of manifests) {
    const text = texts.get(file) ?? '';
    for (const doc of parseAllDocumentsBounded(text, file)) {
      if (doc.errors.length > 0) {
        throw SeiError.invalid(`${file} at ${ref} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, [], ['Fix the file in the repository; the GitOps engine cannot apply it either.']);
      }
      const object = doc.toJS({ maxAliasCount: 100 }) as KubeObject | null;
      if (!object || object.kind !== 'SeiNodeTask' || !String(object.apiVersion).startsWith('sei.io/')) continue;
      tasks.push(object);
      files.set(file, [...(files.get(file) ?? []), object.metadata?.name ?? '?']);
    }
  }
  if (tasks.length === 0) {
    throw SeiError.preflight('NotFound', `no SeiNodeTask is committed under ${dir} at ${ref}`, [`Commit tasks first: kubectl sei gitops commit -f FILE --repo ${repoDir} --path ${dir}`]);
  }
  return { ref, commit, path: dir, tasks, files };
}
