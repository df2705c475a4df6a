/**
 * The ONE implementation behind every paved-road command (`task restart-pod NODE`,
 * `task gov-vote NODE …`, …): shared flags, and a run() that maps flags to options and calls
 * the runTask service once. A paved-road command is a subclass that names its kind and maps
 * its own convenience flags (e.g. --image) to the kind's parameters.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import type * as Interfaces from '@oclif/core/interfaces';
import { SeiCommand, connectionFlags, connectionOptions } from './base-command.js';
import { ExitCode, commandExitCodes } from '../errors/exit-codes.js';
import { interruptSignal, ndjsonWriter, outputFlag, reattachFlags, timeoutFlag, writeStdout } from './task-flags.js';
import type { KubeObject } from '../cluster/types.js';

export const PAVED_OUTPUTS = ['yaml', 'json', 'name', 'ndjson'] as const;

export const pavedRoadFlags = {
  ...connectionFlags,
  output: outputFlag(PAVED_OUTPUTS, 'Print the final task as yaml|json|name, or stream every observed object as ndjson. Default: progress on stderr only.'),
  timeout: timeoutFlag("Default: the kind's execution timeout + requirePhaseTimeout + 1m, or 10m for kinds without one."),
  wait: Flags.boolean({ default: true, allowNo: true, description: 'Wait for the verdict (--no-wait: apply and return).' }),
  name: Flags.string({ description: 'Task name (default: derived from node and kind; see `task render`).' }),
  set: Flags.string({ multiple: true, description: 'A kind parameter, key=value, typed by the kind (repeatable).' }),
  values: Flags.string({ description: 'A YAML file of parameters (--set wins).' }),
  'templates-dir': Flags.string({ description: "A directory of users' own kind templates (adds or overrides kinds)." }),
  replace: Flags.boolean({ description: 'Delete a same-named terminal task and create it again (gov kinds broadcast again!).' }),
  'dry-run': Flags.option({ options: ['client', 'server'] as const, description: 'client: print the rendered task, no cluster write; server: preflight + apiserver admission with dryRun=All.' })(),
  'output-env': Flags.string({ multiple: true, description: 'On Complete, KEY={.jsonpath} into --env-file (or stdout), shell-quoted (repeatable).' }),
  'env-file': Flags.string({ aliases: ['output-env-file'], description: "Append KEY='value' lines here on Complete (alone: every output of the kind, e.g. PROPOSAL_ID). Also spelled --output-env-file (the Windows executable's Node takes --env-file for itself)." }),
  'gitops-repo': Flags.string({ description: 'Commit the task to this Git work tree instead of applying it.', helpGroup: 'GITOPS', dependsOn: ['gitops-path'] }),
  'gitops-path': Flags.string({ description: 'Directory inside the repository for the task file.', helpGroup: 'GITOPS', dependsOn: ['gitops-repo'] }),
  'gitops-flavor': Flags.option({ options: ['plain', 'argocd', 'flux'] as const, default: 'plain', helpGroup: 'GITOPS', description: 'Repository layout.' })(),
  'gitops-push': Flags.boolean({ helpGroup: 'GITOPS', description: 'Push the commit to the upstream / origin.' }),
};

export type PavedRoadFlags = Interfaces.InferredFlags<typeof pavedRoadFlags>;

export const nodeArg = { node: Args.string({ required: true, description: 'The target SeiNode (same namespace).' }) };

/** A per-kind convenience flag and the kind parameter it sets, e.g. { image: 'image' }. */
export type ParamFlagMap = Record<string, string>;

/** Every paved-road kind command: render, preflight, apply, follow the one task to its verdict. */
export const PAVED_ROAD_EXIT_CODES = commandExitCodes(
  [ExitCode.Ok, 'Complete (--no-wait: applied; --dry-run: printed; --gitops-repo: committed)'],
  [ExitCode.TaskFailed, 'the task Failed (reason on stderr) or was deleted while waiting'],
  [ExitCode.InvalidInput, 'invalid parameters or flags, a preflight refusal, or a task already terminal without --replace: nothing was written'],
  [ExitCode.Timeout, "--timeout expired (default: the kind's timeout + 1m); the task keeps running"],
  [ExitCode.ClusterError, 'cluster or API error (or git push failed, with --gitops-push)'],
  [ExitCode.Interrupted, 'Ctrl-C or SIGTERM while waiting: the task keeps running (re-attach with task wait)'],
);

export abstract class PavedRoadCommand extends SeiCommand {
  /** kebab-case catalog kind, e.g. 'restart-pod'. */
  static kindName = '';
  static paramFlags: ParamFlagMap = {};
  static override args = nodeArg;
  static override flags = pavedRoadFlags;
  static override exitCodes = PAVED_ROAD_EXIT_CODES;

  async run(): Promise<void> {
    const ctor = this.constructor as typeof PavedRoadCommand;
    // oclif's parse() spreads the class ({...ctor}), which drops inherited statics such as
    // args: pass the concrete class's flags and the shared args explicitly. The cast: oclif
    // infers flag types from a literal, and the extra per-kind flags are read via paramFlags.
    const { args, flags } = (await this.parse({ flags: ctor.flags, args: nodeArg, strict: true })) as unknown as { args: { node: string }; flags: PavedRoadFlags & Record<string, unknown> };
    this.machineOutput = flags.output !== undefined;
    const set = [...(flags.set ?? [])];
    for (const [flag, param] of Object.entries(ctor.paramFlags)) {
      const value = flags[flag];
      if (value !== undefined) set.push(`${param}=${String(value)}`);
    }
    await runPavedRoad(this, ctor.kindName, args.node, flags, set);
  }
}

/** Shared by the kind commands and refresh-peers: flags → options → runTask → print → exit. */
export async function runPavedRoad(command: SeiCommand, kind: string, node: string, flags: PavedRoadFlags, set: string[], refresh = false): Promise<void> {
  const [{ runTask, refreshPeers, defaultWaitTimeoutMs }, { createProgress }, { parseDuration }, { finishTaskWait }, { formatObjects }] = await Promise.all([
    import('../services/run-task.js'),
    import('../output/progress.js'),
    import('../domain/duration.js'),
    import('./finish-wait.js'),
    import('../output/printers.js'),
  ]);
  const progress = await createProgress();
  const interrupt = interruptSignal();
  if (flags.timeout !== undefined) {
    // --timeout bounds the whole command, requests to a server that never answers included.
    const { commandDeadline } = await import('../cluster/command-scope.js');
    commandDeadline(parseDuration(flags.timeout), `${kind} did not end within --timeout ${flags.timeout} (the API server did not answer); the task keeps running`);
  }
  const ndjson = flags.output === 'ndjson' ? ndjsonWriter() : undefined;
  const options = {
    render: {
      kind,
      node,
      set,
      ...(flags.name && !refresh ? { name: flags.name } : {}),
      ...(flags.values ? { valuesFile: flags.values } : {}),
      ...(flags['templates-dir'] ? { templatesDir: flags['templates-dir'] } : {}),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
    },
    connection: connectionOptions(flags),
    replace: flags.replace,
    wait: flags.wait,
    ...(flags['dry-run'] ? { dryRun: flags['dry-run'] } : {}),
    ...(flags.timeout !== undefined ? { timeoutMs: parseDuration(flags.timeout) } : {}),
    ...(flags['output-env'] ? { outputEnv: flags['output-env'] } : {}),
    ...(flags['env-file'] ? { envFile: flags['env-file'] } : {}),
    ...(flags['gitops-repo']
      ? { gitops: { repo: flags['gitops-repo'], path: flags['gitops-path'] as string /* dependsOn makes it present */, flavor: flags['gitops-flavor'], push: flags['gitops-push'] } }
      : {}),
    signal: interrupt.signal,
    waiting: interrupt.arm,
    progress,
    ...(ndjson ? { onObject: ndjson } : {}),
  };
  try {
    const results = refresh ? Object.values(await refreshPeers({ ...options, node, ...(flags.name ? { namePrefix: flags.name } : {}) })).filter((r) => r !== undefined) : [await runTask(options)];
    const last = results[results.length - 1];
    if (!last) return;
    const finalObjects: KubeObject[] = results.map((r) => r.verdict?.object ?? r.applied.object);
    if (last.applied.action === 'dry-run' && !last.gitops) {
      writeStdout(formatObjects(finalObjects, flags.output === 'json' ? 'json' : flags.output === 'name' ? 'name' : 'yaml', { single: true }));
      return;
    }
    const verdicts = results.flatMap((r) => (r.verdict ? [r.verdict] : []));
    const namespace = last.applied.namespace;
    const waited = Math.max(0, ...results.map((r) => r.waitTimeoutMs ?? 0));
    const hintFlags = reattachFlags(flags, waited > 0 ? waited : undefined);
    await finishTaskWait({ verdicts, namespace, output: flags.output, single: true, objects: finalObjects, reattachFlags: hintFlags, ...(last.envLines && !flags['env-file'] ? { trailer: `${last.envLines.join('\n')}\n` } : {}) });
    if (!flags.wait) progress.note(`not waiting (--no-wait); follow it with: ${['kubectl sei task wait', last.applied.name, '-n', namespace, ...reattachFlags(flags, flags.timeout !== undefined ? parseDuration(flags.timeout) : defaultWaitTimeoutMs(last.spec, last.applied.object))].join(' ')}`);
  } finally {
    interrupt.dispose();
  }
}

