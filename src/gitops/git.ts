/**
 * The only code in kubectl-sei that runs git (simple-git over the real git CLI). A commit is
 * built with plumbing in a throw-away index: the user's index and other work are never
 * staged, the target branch need not be checked out, and the branch ref moves with one
 * compare-and-swap update-ref, so a failure before it leaves the repository as it was.
 * It must not decide what to write: callers pass finished file contents.
 */
import { mkdtemp, rm, writeFile, readFile, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { SeiError } from '../errors/index.js';

const ZERO = '0000000000000000000000000000000000000000';

export interface RepoHandle {
  root: string;
  git: SimpleGit;
}

/** Credentials can hide in remote URLs (https://user:token@host): never let them reach a message. */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

function gitError(error: unknown, what: string, exitCode: 'invalid' | 'cluster', hints: string[] = []): SeiError {
  const raw = error instanceof Error ? error.message : String(error);
  const message = `${what}: ${redact(raw).trim().split('\n').slice(0, 6).join('\n')}`;
  return exitCode === 'invalid' ? SeiError.preflight('GitError', message, hints) : SeiError.cluster('GitError', message, hints);
}

/**
 * simple-git refuses env vars that can run programs (EDITOR, GIT_SSH_COMMAND, ...) when a
 * caller passes an env, to stop injected values. Ours adds only GIT_INDEX_FILE and the author
 * to the user's own environment, so we allow exactly the categories the user already has set:
 * git then behaves as it does in their shell (their ssh command, askpass, config paths).
 */
const ENV_CATEGORIES: Record<string, string> = {
  EDITOR: 'allowUnsafeEditor', GIT_EDITOR: 'allowUnsafeEditor', GIT_SEQUENCE_EDITOR: 'allowUnsafeEditor',
  GIT_ASKPASS: 'allowUnsafeAskPass', SSH_ASKPASS: 'allowUnsafeAskPass',
  GIT_CONFIG_GLOBAL: 'allowUnsafeConfigPaths', GIT_CONFIG_SYSTEM: 'allowUnsafeConfigPaths', GIT_CONFIG: 'allowUnsafeConfigPaths', GIT_EXEC_PATH: 'allowUnsafeConfigPaths', PREFIX: 'allowUnsafeConfigPaths',
  GIT_CONFIG_COUNT: 'allowUnsafeConfigEnvCount',
  GIT_EXTERNAL_DIFF: 'allowUnsafeDiffExternal',
  GIT_PAGER: 'allowUnsafePager', PAGER: 'allowUnsafePager',
  GIT_PROXY_COMMAND: 'allowUnsafeGitProxy',
  GIT_TEMPLATE_DIR: 'allowUnsafeTemplateDir',
  GIT_SSH: 'allowUnsafeSshCommand', GIT_SSH_COMMAND: 'allowUnsafeSshCommand',
};

function userEnvAllowances(): Record<string, boolean> {
  const allow: Record<string, boolean> = {};
  for (const key of Object.keys(process.env)) {
    const category = ENV_CATEGORIES[key.toUpperCase()];
    if (category) allow[category] = true;
  }
  return allow;
}

function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return { ...env, ...extra };
}

function gitAt(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, unsafe: userEnvAllowances() });
}

export async function openRepo(dir: string): Promise<RepoHandle> {
  try {
    const stat = await lstat(dir);
    if (!stat.isDirectory()) throw new Error('not a directory');
  } catch {
    throw SeiError.preflight('NotAGitRepository', `--repo ${dir} is not a directory`, ['Pass the work tree of a cloned GitOps repository, e.g. --repo ~/src/sei-gitops.']);
  }
  const git = gitAt(dir);
  let root: string;
  try {
    root = (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    throw SeiError.preflight('NotAGitRepository', `--repo ${dir} is not inside a git work tree`, ['Clone the GitOps repository first (git clone URL DIR) and pass its directory as --repo.']);
  }
  return { root, git: gitAt(root) };
}

/** The checked-out branch, undefined when HEAD is detached. */
export async function currentBranch(repo: RepoHandle): Promise<string | undefined> {
  try {
    const name = (await repo.git.raw(['symbolic-ref', '-q', '--short', 'HEAD'])).trim();
    return name || undefined;
  } catch {
    return undefined;
  }
}

export async function resolveCommit(repo: RepoHandle, ref: string): Promise<string | undefined> {
  try {
    const sha = (await repo.git.raw(['rev-parse', '-q', '--verify', `${ref}^{commit}`])).trim();
    return sha || undefined;
  } catch {
    return undefined;
  }
}

export async function checkBranchName(repo: RepoHandle, branch: string): Promise<void> {
  try {
    await repo.git.raw(['check-ref-format', '--branch', branch]);
  } catch {
    throw SeiError.invalid(`--branch ${JSON.stringify(branch)} is not a valid branch name`, [{ field: '--branch', type: 'FieldValueInvalid', message: 'see git check-ref-format' }]);
  }
}

/** One git call for many paths: their tree entries in commit (absent paths are missing). */
async function treeEntries(repo: RepoHandle, commit: string, paths: string[]): Promise<Map<string, TreeEntry>> {
  const entries = new Map<string, TreeEntry>();
  // Bounded argv per call; the usual commit is one call.
  for (let i = 0; i < paths.length; i += 500) {
    const out = await repo.git.raw(['ls-tree', '-z', '--full-tree', commit, '--', ...paths.slice(i, i + 500)]);
    for (const line of out.split('\0')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const [mode, type, object] = line.slice(0, tab).split(' ');
      entries.set(line.slice(tab + 1), { mode: mode ?? '', type: type ?? '', object: object ?? '' });
    }
  }
  return entries;
}

interface TreeEntry {
  mode: string;
  type: string;
  object: string;
}

function refuseNonFile(filePath: string, entry: TreeEntry): never {
  throw SeiError.preflight('PathConflict', `${filePath} is a ${entry.mode === '120000' ? 'symlink' : entry.type === 'tree' ? 'directory' : entry.type} in the repository; kubectl-sei only writes regular files`, [
    'Choose another --path, or move that entry away in a commit of your own.',
  ]);
}

/** The id git gives a blob with this content (sha1 or sha256 repositories). */
export function blobId(content: string, format: 'sha1' | 'sha256'): string {
  const body = Buffer.from(content, 'utf8');
  return createHash(format).update(`blob ${body.length}\0`).update(body).digest('hex');
}

async function objectFormat(repo: RepoHandle): Promise<'sha1' | 'sha256'> {
  try {
    return (await repo.git.raw(['rev-parse', '--show-object-format'])).trim() === 'sha256' ? 'sha256' : 'sha1';
  } catch {
    return 'sha1';
  }
}

/**
 * The committed text of each path (undefined when absent). Refuses a path that is not a
 * regular file there. `expected` short-cuts the common re-run: a committed blob whose id is
 * that of the expected content is that content, so it is not read back.
 */
export async function readCommittedFiles(repo: RepoHandle, commit: string | undefined, paths: string[], expected: Map<string, string> = new Map()): Promise<Map<string, string | undefined>> {
  const result = new Map<string, string | undefined>(paths.map((p) => [p, undefined]));
  if (!commit || paths.length === 0) return result;
  const entries = await treeEntries(repo, commit, paths);
  const format = expected.size > 0 ? await objectFormat(repo) : 'sha1';
  for (const filePath of paths) {
    const entry = entries.get(filePath);
    if (!entry) continue;
    if (entry.type !== 'blob' || entry.mode === '120000') refuseNonFile(filePath, entry);
    const known = expected.get(filePath);
    if (known !== undefined && blobId(known, format) === entry.object) result.set(filePath, known);
    else result.set(filePath, await repo.git.raw(['cat-file', 'blob', entry.object]));
  }
  return result;
}

export async function readCommitted(repo: RepoHandle, commit: string | undefined, filePath: string): Promise<string | undefined> {
  return (await readCommittedFiles(repo, commit, [filePath])).get(filePath);
}

/** Every directory on the way to each of `dirs` must be a directory (not a file or symlink) in the commit. */
export async function checkDirectoryPaths(repo: RepoHandle, commit: string | undefined, dirs: string[]): Promise<void> {
  if (!commit) return;
  const prefixes = new Set<string>();
  for (const dir of dirs) {
    const segments = dir.split('/');
    for (let i = 1; i <= segments.length; i += 1) prefixes.add(segments.slice(0, i).join('/'));
  }
  const entries = await treeEntries(repo, commit, [...prefixes].sort());
  for (const prefix of [...prefixes].sort()) {
    const entry = entries.get(prefix);
    if (entry && entry.type !== 'tree') {
      throw SeiError.preflight('PathConflict', `${prefix} is a ${entry.mode === '120000' ? 'symlink' : 'file'} in the repository, so it cannot hold kubectl-sei's files`, ['Choose another --path.']);
    }
  }
}

export interface WorktreeState {
  /** Worktree content, undefined when the file does not exist. */
  worktree: string | undefined;
  /** Index blob content, undefined when not in the index. */
  index: string | undefined;
}

/** What the work tree and the index hold for these paths (only paths git reports as changed). */
export async function changedPaths(repo: RepoHandle, paths: string[]): Promise<Map<string, WorktreeState>> {
  const result = new Map<string, WorktreeState>();
  if (paths.length === 0) return result;
  const out = await repo.git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignored=no', '--no-renames', '--', ...paths]);
  const changed = new Set(out.split('\0').filter((l) => l.length > 3).map((l) => l.slice(3)));
  for (const filePath of paths) {
    if (!changed.has(filePath)) continue;
    const absolute = path.join(repo.root, filePath);
    let worktree: string | undefined;
    try {
      const stat = await lstat(absolute);
      worktree = stat.isFile() ? await readFile(absolute, 'utf8') : `<${stat.isSymbolicLink() ? 'symlink' : 'not a file'}>`;
    } catch {
      worktree = undefined;
    }
    let index: string | undefined;
    try {
      index = await repo.git.raw(['cat-file', 'blob', `:${filePath}`]);
    } catch {
      index = undefined;
    }
    result.set(filePath, { worktree, index });
  }
  return result;
}

export interface CommitRequest {
  /** Parent commit; undefined for the first commit of an empty repository. */
  parent: string | undefined;
  branch: string;
  /** The branch's current tip for the compare-and-swap; undefined = the branch must not exist yet. */
  expectedTip: string | undefined;
  files: Map<string, string>;
  message: string;
  author?: { name: string; email: string };
}

/**
 * Writes blobs, builds the tree from parent + files in a temporary index, creates the commit
 * and moves refs/heads/<branch> from parent to it (refusing if the branch moved meanwhile).
 */
export async function createCommit(repo: RepoHandle, request: CommitRequest): Promise<{ commit: string; blobs: Map<string, string> }> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'kubectl-sei-git-'));
  try {
    // One hash-object for every file; the blobs are the exact bytes kubectl-sei wrote.
    const order = [...request.files.keys()];
    const temps = order.map((_, n) => path.join(scratch, `blob-${n}`));
    await Promise.all(order.map((filePath, n) => writeFile(temps[n]!, request.files.get(filePath)!)));
    const shas = (await repo.git.raw(['hash-object', '-w', '--no-filters', '--', ...temps])).trim().split('\n');
    const blobs = new Map(order.map((filePath, n) => [filePath, shas[n]!.trim()]));
    // simple-git's env() sticks to the instance: give each environment its own instance.
    const scratchGit = gitAt(repo.root).env(userEnv({ GIT_INDEX_FILE: path.join(scratch, 'index') }));
    if (request.parent) await scratchGit.raw(['read-tree', request.parent]);
    else await scratchGit.raw(['read-tree', '--empty']);
    const cacheinfo = [...blobs].flatMap(([filePath, sha]) => ['--cacheinfo', `100644,${sha},${filePath}`]);
    await scratchGit.raw(['update-index', '--add', ...cacheinfo]);
    const tree = (await scratchGit.raw(['write-tree'])).trim();

    const messageFile = path.join(scratch, 'message');
    await writeFile(messageFile, request.message);
    const env = userEnv(request.author ? { GIT_AUTHOR_NAME: request.author.name, GIT_AUTHOR_EMAIL: request.author.email } : {});
    let commit: string;
    try {
      commit = (await gitAt(repo.root).env(env).raw(['commit-tree', tree, ...(request.parent ? ['-p', request.parent] : []), '-F', messageFile])).trim();
    } catch (error) {
      throw gitError(error, 'git could not create the commit', 'invalid', [
        'Set an identity: git config user.name "Your Name" && git config user.email you@example.com (or pass --author "Name <mail>").',
      ]);
    }
    try {
      await repo.git.raw(['update-ref', '-m', 'kubectl-sei gitops commit', `refs/heads/${request.branch}`, commit, request.expectedTip ?? ZERO]);
    } catch (error) {
      throw gitError(error, `branch ${request.branch} moved while kubectl-sei was committing`, 'invalid', ['Re-run the command.']);
    }
    return { commit, blobs };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * After the checked-out branch moved: bring the work tree and the index in line for our
 * files only, so `git status` shows nothing of ours and everything else stays as it was.
 */
export async function syncCheckout(repo: RepoHandle, files: Map<string, string>, blobs: Map<string, string>): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  for (const [filePath, content] of files) {
    const absolute = path.join(repo.root, filePath);
    await mkdir(path.dirname(absolute), { recursive: true });
    await writeFile(absolute, content);
  }
  const cacheinfo = [...blobs].flatMap(([filePath, sha]) => ['--cacheinfo', `100644,${sha},${filePath}`]);
  await repo.git.raw(['update-index', '--add', ...cacheinfo]);
  // Refresh stat data so git does not think the freshly written files are modified.
  await repo.git.raw(['update-index', '-q', '--refresh', '--', ...files.keys()]).catch(() => undefined);
}

export async function upstreamRemote(repo: RepoHandle, branch: string): Promise<string | undefined> {
  try {
    return (await repo.git.raw(['config', '--get', `branch.${branch}.remote`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Refuses an unknown remote before anything is written. */
export async function checkRemote(repo: RepoHandle, remote: string): Promise<void> {
  const remotes = (await repo.git.raw(['remote'])).split('\n').map((r) => r.trim()).filter(Boolean);
  if (!remotes.includes(remote)) {
    throw SeiError.preflight('NoSuchRemote', `remote ${JSON.stringify(remote)} is not configured (known: ${remotes.join(', ') || 'none'})`, [
      'Pass --push REMOTE with one of the known remotes, or add one: git remote add origin URL.',
    ]);
  }
}

export async function push(repo: RepoHandle, remote: string, branch: string): Promise<void> {
  const hasUpstream = (await upstreamRemote(repo, branch)) !== undefined;
  try {
    await gitAt(repo.root).env(userEnv({ GIT_TERMINAL_PROMPT: '0' })).raw(['push', ...(hasUpstream ? [] : ['--set-upstream']), remote, `refs/heads/${branch}:refs/heads/${branch}`]);
  } catch (error) {
    throw gitError(error, `git push ${remote} ${branch} failed (the commit is on the local branch)`, 'cluster', [
      `Fix access or pull the remote's changes (git pull --rebase ${remote} ${branch}), then push: git push ${remote} ${branch}`,
    ]);
  }
}

/** Files under dir in commit (recursive), for reading committed manifests back. */
export async function listCommittedFiles(repo: RepoHandle, commit: string, dir: string): Promise<string[]> {
  const out = await repo.git.raw(['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit, '--', dir === '' ? '.' : `${dir}/`]);
  return out.split('\0').filter(Boolean);
}

/** Committing onto the checked-out branch in the middle of a merge or rebase would tangle the two: refuse. */
export async function preflightWorkTree(repo: RepoHandle): Promise<void> {
  const gitDir = (await repo.git.revparse(['--git-dir'])).trim();
  for (const marker of ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD']) {
    try {
      await lstat(path.resolve(repo.root, gitDir, marker));
      throw SeiError.preflight('RepositoryBusy', `the repository is in the middle of a ${marker.replace(/_HEAD|-.*$/, '').toLowerCase()}`, ['Finish or abort it first (git merge --abort / git rebase --abort), then re-run.']);
    } catch (error) {
      if (error instanceof SeiError) throw error;
    }
  }
}
