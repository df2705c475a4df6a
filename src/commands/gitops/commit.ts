/**
 * `kubectl sei gitops commit`: validated tasks or a rendered plan → files in a GitOps
 * repository → one commit of only those files (optionally on a branch, optionally pushed).
 * Thin: flags → typed options → loadCommitObjects + commitToGit → print. Git lives in src/gitops.
 */
import * as Flags from '@oclif/core/flags';
import { SeiCommand, connectionFlags, connectionOptions } from '../../cli/base-command.js';
import { ExitCode, commandExitCodes } from '../../errors/exit-codes.js';

/** `--push` alone means "the branch's upstream, else origin"; oclif has no optional-value flags. */
const PUSH_DEFAULT = '@upstream';

export default class GitopsCommit extends SeiCommand {
  static override summary = 'Commit validated SeiNodeTasks or a plan to a GitOps repository (ArgoCD, Flux or plain kustomize).';
  static override description = `Writes one file per object (<path>/<name>.yaml) and keeps <path>/kustomization.yaml's resources sorted (other fields, entries and comments are kept). Only those files are committed, through a private index: other staged or unstaged work in the repository is never committed. A re-run with the same input changes nothing and makes no commit.

Flavors: plain (files + kustomization); argocd (argocd.argoproj.io/sync-wave per plan step, so a step starts once the previous is healthy: install the health check from \`kubectl sei gitops health --flavor argocd\`); flux (one directory and one Flux Kustomization per plan step, each dependsOn the previous with wait: true and healthCheckExprs, kustomize-controller >= 1.5). A plan step with maxParallel N is split into consecutive waves/Kustomizations of N tasks.

Refused before anything is written (exit 2): invalid tasks, names that would escape --path, Secrets that are not SOPS-encrypted, uncommitted changes to the files kubectl-sei would write, a plan step that needs another step's outputs at run time.

RestartPod: the pod uid is read from the cluster now (or given with --pod-uid NODE=UID) but the engine applies the task later; if the pod is replaced in between the task completes as a no-op. \`kubectl sei gitops wait\` checks for that.`;

  static override exitCodes = commandExitCodes([ExitCode.Ok, 'committed, or nothing changed (no commit)'], [ExitCode.InvalidInput, 'refused before anything is written (invalid tasks, unsafe paths, plaintext Secrets, uncommitted changes), or git refused the commit'], [ExitCode.ClusterError, 'cluster or API error, or git push failed (the commit stays on the local branch)']);
  static override examples = [
    '<%= config.bin %> gitops commit -f restart.yaml --repo ~/src/sei-gitops --path clusters/dev/arctic-1/tasks',
    '<%= config.bin %> gitops commit -f refresh-peers --set chain=arctic-1 -n arctic-1 --repo . --path clusters/dev/arctic-1/tasks --flavor flux --branch sei/refresh-peers --push',
    '<%= config.bin %> task render restart-pod node-0 --set podUID=$UID | <%= config.bin %> gitops commit --from-stdin --repo . --path clusters/dev/arctic-1/tasks --flavor argocd',
  ];

  static override flags = {
    filename: Flags.string({ char: 'f', multiple: true, description: 'Manifests (a file or a directory of *.yaml|*.yml|*.json), or ONE plan (a file or a built-in plan name, e.g. refresh-peers).' }),
    'from-stdin': Flags.boolean({ description: 'Read manifests from standard input.', exclusive: ['filename'] }),
    repo: Flags.string({ required: true, description: 'The GitOps repository work tree (any directory inside it).', helpGroup: 'GIT' }),
    path: Flags.string({ required: true, description: 'Directory inside the repository, e.g. clusters/dev/arctic-1/tasks.', helpGroup: 'GIT' }),
    flavor: Flags.option({ options: ['plain', 'argocd', 'flux'] as const, default: 'plain', description: 'Repository layout and ordering.', helpGroup: 'GIT' })(),
    branch: Flags.string({ description: 'Commit on this branch (created from HEAD when missing; the checkout is left alone), e.g. for a pull request.', helpGroup: 'GIT' }),
    message: Flags.string({ char: 'm', description: 'Commit subject (default names the plan id or the tasks, kinds and targets).', helpGroup: 'GIT' }),
    push: Flags.string({ description: 'Push after committing; --push alone uses the branch upstream, else origin; --push REMOTE names one.', helpGroup: 'GIT' }),
    author: Flags.string({ description: 'Commit author, "Name <mail@host>" (the committer stays your git identity).', helpGroup: 'GIT' }),
    'flux-source': Flags.string({ default: 'flux-system', description: 'flux: the GitRepository the Kustomizations read.', helpGroup: 'GIT' }),
    'flux-namespace': Flags.string({ default: 'flux-system', description: 'flux: namespace of the Kustomizations and the GitRepository.', helpGroup: 'GIT' }),
    'plan-id': Flags.string({ description: 'Plan run id for -f PLAN (default: derived from the plan text, its inputs and the namespace, so committing the same plan twice is one copy; give a new id to run it again).', helpGroup: 'PLAN' }),
    set: Flags.string({ multiple: true, description: 'Plan input key=value (repeatable).', helpGroup: 'PLAN' }),
    inputs: Flags.string({ description: 'A YAML file of plan inputs (--set wins).', helpGroup: 'PLAN' }),
    fleet: Flags.string({ description: 'SeiNodes for forEach selectors offline (kubectl get seinodes -o yaml).', helpGroup: 'PLAN' }),
    'pod-uid': Flags.string({ multiple: true, description: 'RestartPod without a reachable cluster: NODE=UID of pod NODE-0 (repeatable).' }),
    output: Flags.option({ char: 'o', options: ['yaml', 'json'] as const, description: 'Print the result (commit, branch, files, warnings) to stdout.' })(),
    'accept-unordered': Flags.boolean({ description: 'plain flavor: commit a plan with several steps or a maxParallel anyway, every task at once (argocd and flux keep the order).', helpGroup: 'GIT' }),
    'dry-run': Flags.boolean({ description: 'Run every check and print the files that would change (a "# path" line before each), without writing or committing.', helpGroup: 'GIT' }),
    ...connectionFlags,
  };

  async run(): Promise<void> {
    // `--push` followed by nothing or by another flag: the upstream default.
    this.argv = this.argv.map((arg, i, all) => (arg === '--push' && (all[i + 1] === undefined || all[i + 1]!.startsWith('-')) ? `--push=${PUSH_DEFAULT}` : arg));
    const { flags } = await this.parse(GitopsCommit);
    this.machineOutput = flags.output !== undefined;
    const [{ commitSourcesToGit }, { toSafeYaml }] = await Promise.all([import('../../services/gitops-commit.js'), import('../../domain/yaml.js')]);
    const { result, planId } = await commitSourcesToGit({
      source: {
        files: flags.filename ?? [],
        stdin: flags['from-stdin'],
        ...(flags['plan-id'] ? { planId: flags['plan-id'] } : {}),
        ...(flags.set ? { set: flags.set } : {}),
        ...(flags.inputs ? { inputsFile: flags.inputs } : {}),
        ...(flags.fleet ? { fleetFile: flags.fleet } : {}),
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        ...(flags['pod-uid'] ? { podUids: flags['pod-uid'] } : {}),
        connection: connectionOptions(flags),
      },
      onNote: (note) => this.logToStderr(note),
      repo: flags.repo,
      path: flags.path,
      flavor: flags.flavor,
      ...(flags.branch ? { branch: flags.branch } : {}),
      ...(flags.message ? { message: flags.message } : {}),
      ...(flags.push !== undefined ? { push: flags.push === PUSH_DEFAULT ? true : flags.push } : {}),
      ...(flags.author ? { author: flags.author } : {}),
      flux: { sourceName: flags['flux-source'], namespace: flags['flux-namespace'] },
      dryRun: flags['dry-run'],
      acceptUnordered: flags['accept-unordered'],
    });
    for (const warning of result.warnings) this.logToStderr(`Warning: ${warning}`);
    if (flags['dry-run']) {
      this.logToStderr(result.noop ? `dry run: nothing would change on ${result.branch}` : `dry run: ${result.changed?.length ?? 0} files would change on ${result.branch}; nothing was written`);
      if (flags.output === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (flags.output === 'yaml') process.stdout.write(toSafeYaml(result));
      else for (const [file, content] of Object.entries(result.preview ?? {})) process.stdout.write(`# ${file}\n${content}${content.endsWith('\n') ? '' : '\n'}`);
      return;
    }
    this.logToStderr(
      result.noop
        ? `nothing to commit: ${result.branch} already holds these ${result.files.length} files${flags.push !== undefined ? ' (pushed)' : ''}`
        : `committed ${result.commit?.slice(0, 12)} on ${result.branch}${planId ? ` (plan ${planId})` : ''}: ${result.files.length} files under ${flags.path}${flags.push !== undefined ? ', pushed' : ''}`,
    );
    const data = { ...result, ...(planId ? { planId } : {}) };
    if (flags.output === 'json') process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else if (flags.output === 'yaml') process.stdout.write(toSafeYaml(data));
  }
}
