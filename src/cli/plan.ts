/**
 * What the `plan` commands share: their flags, and following a run with one live progress view
 * (an ora spinner with a line per running step in a TTY, plain lines otherwise, NDJSON events on
 * stdout with -o ndjson). Imports only @oclif/core and types; services load lazily.
 */
import * as Flags from '@oclif/core/flags';
import { ExitCode, commandExitCodes } from '../errors/exit-codes.js';
import type { PlanEvent } from '../plan/executor.js';
import type { Derived } from '../plan/derive.js';
import type { PlanOutcome } from '../services/plan-run.js';
import type { ClusterClient, ConnectionOptions } from '../cluster/types.js';
import type { FleetNode, PlanSource, PlanVerdict } from '../plan/types.js';

export const planFileFlags = {
  filename: Flags.string({ char: 'f', description: 'The plan manifest, or the name of a built-in plan (refresh-peers).', required: true }),
  set: Flags.string({ multiple: true, description: 'An input, name=value (typed by the plan\'s inputs); repeatable.' }),
  inputs: Flags.string({ description: 'A YAML/JSON file of input values.' }),
  'templates-dir': Flags.string({ description: 'Extra task templates (user kinds) on top of the built-in catalog.' }),
  'controller-version': Flags.option({
    options: ['seed', 'latest'] as const,
    description: "The sei-k8s-controller version the plan targets when no cluster is read (which task outputs exist): seed = 204c1c0, latest = 2d670ad (default). Connected, the cluster's CRD decides.",
  })(),
};

export const fleetFlags = {
  offline: Flags.boolean({ description: 'Do not contact a cluster; forEach selectors use --fleet.' }),
  fleet: Flags.string({ description: 'A YAML file of SeiNodes (kubectl get seinodes -o yaml) for offline fan-out.' }),
};

/** plan apply and plan resume: they run the plan and follow it to its verdict. */
export const PLAN_RUN_EXIT_CODES = commandExitCodes(
  [ExitCode.Ok, 'the plan is Complete (plan apply --gitops-repo: committed)'],
  [ExitCode.TaskFailed, 'the plan Failed (failedStep, failedIndex and failedTaskDetail on stderr) or was cancelled'],
  [ExitCode.InvalidInput, 'invalid plan, inputs or flags, or a preflight refusal: nothing was written'],
  [ExitCode.Timeout, 'not finished: --timeout expired, or the run waits for approval (reason WaitingApproval): plan approve, then plan resume'],
  ExitCode.ClusterError,
  [ExitCode.Interrupted, 'Ctrl-C or SIGTERM: no new task is launched, tasks in flight keep running (plan resume continues)'],
);
export interface FollowView {
  onEvent: (event: PlanEvent) => void;
  onState: (derived: Derived) => void;
  finish: (verdict: PlanVerdict) => void;
  stop: () => void;
  note: (text: string) => void;
}

/**
 * One live view for a run; NDJSON events go to stdout, people's lines to stderr. In a terminal
 * the spinner shows every started step with its items in flight; without one, a line is printed
 * for each step whose status changed (state, counts or the items in flight), never per tick.
 */
export async function followView(ndjson: boolean): Promise<FollowView> {
  const { createProgress, progressIsLive } = await import('../output/progress.js');
  const { progressLines, activeSteps, stepLine } = await import('../output/plan-view.js');
  const live = progressIsLive();
  const progress = await createProgress();
  const told = new Map<string, string>();
  return {
    onEvent(event) {
      if (ndjson) process.stdout.write(`${JSON.stringify(event)}\n`);
      if (event.event === 'retry') progress.event(`${event.step}[${event.index}] ${event.node}: retry ${event.nextAttempt} at ${event.at}`);
    },
    onState(derived) {
      if (live) return progress.update(progressLines(derived));
      for (const step of activeSteps(derived)) {
        const line = stepLine(step);
        if (told.get(step.id) === line) continue;
        told.set(step.id, line);
        progress.event(line);
      }
    },
    finish(verdict) {
      const text = `plan ${verdict.planName} ${verdict.planId}: ${verdict.phase} (${verdict.tasks.created} tasks)`;
      if (verdict.phase === 'Complete') progress.succeed(text);
      else progress.fail(text);
      if (ndjson) process.stdout.write(`${JSON.stringify({ event: 'verdict', ...verdict, steps: verdict.steps.map(({ items: _items, ...s }) => s) })}\n`);
    },
    stop: () => progress.stop(),
    note: (text) => progress.note(text),
  };
}

/** The verdict without per-item task objects (machine output). */
export function compactVerdict(verdict: PlanVerdict): unknown {
  return {
    ...verdict,
    steps: verdict.steps.map((s) => ({ ...s, items: s.items.map(({ task: _task, ...i }) => i) })),
  };
}

export function printOutcome(outcome: PlanOutcome, format: string | undefined, write: (text: string) => void, yamlStringify: (v: unknown) => string, table: (v: PlanVerdict) => string): void {
  if (format === 'json') write(`${JSON.stringify(compactVerdict(outcome.verdict), null, 2)}\n`);
  else if (format === 'yaml') write(yamlStringify(compactVerdict(outcome.verdict)));
  else if (format !== 'ndjson') write(table(outcome.verdict));
}

/** What a followed run is given: where to report, and the signal Ctrl-C / SIGTERM aborts. */
export interface FollowHooks {
  signal: AbortSignal;
  onEvent: FollowView['onEvent'];
  onState: FollowView['onState'];
  note: FollowView['note'];
}

/**
 * `plan apply` and `plan resume` share this: one live view, SIGINT/SIGTERM stop following (the
 * tasks keep running), the verdict printed in the chosen format, and a Failed/unfinished verdict
 * thrown as its SeiError so the base command turns it into the exit code.
 */
export async function runFollowed(
  output: string | undefined,
  start: (hooks: FollowHooks) => Promise<PlanOutcome>,
  afterVerdict?: (outcome: PlanOutcome) => Promise<void>,
): Promise<void> {
  const [{ verdictError }, { verdictTable, toYaml }, { finishWait }] = await Promise.all([import('../plan/verdict-error.js'), import('../output/plan-view.js'), import('./finish-wait.js')]);
  const view = await followView(output === 'ndjson');
  const { interruptSignal } = await import('./task-flags.js');
  const interrupt = interruptSignal();
  interrupt.arm(true);
  try {
    const outcome = await start({ signal: interrupt.signal, onEvent: view.onEvent, onState: view.onState, note: view.note });
    view.finish(outcome.verdict);
    if (afterVerdict) await afterVerdict(outcome);
    let printed = '';
    printOutcome(outcome, output, (text) => (printed += text), toYaml, verdictTable);
    const error = verdictError(outcome.verdict);
    finishWait({ stdout: printed, ...(error ? { error } : {}) });
  } finally {
    view.stop();
    interrupt.dispose();
  }
}

/** The plan source every plan command reads from -f, --set, --inputs and --templates-dir. */
export function planSource(flags: { filename: string; set?: string[]; inputs?: string; 'templates-dir'?: string; 'controller-version'?: 'seed' | 'latest' }): PlanSource {
  return {
    file: flags.filename,
    ...(flags.set ? { set: flags.set } : {}),
    ...(flags.inputs ? { inputsFile: flags.inputs } : {}),
    ...(flags['templates-dir'] ? { templatesDir: flags['templates-dir'] } : {}),
    ...(flags['controller-version'] ? { controllerVersion: flags['controller-version'] } : {}),
  };
}

/**
 * Where fan-out nodes come from: the --fleet file (no cluster is contacted), nothing with
 * --offline, else the cluster. The result spreads into a plan service's options.
 */
export async function fleetOrClient(
  flags: { fleet?: string; offline?: boolean },
  connection: ConnectionOptions,
): Promise<{ fleet?: FleetNode[]; client?: ClusterClient }> {
  if (flags.fleet) return { fleet: (await import('../plan/fleet.js')).readFleetFile(flags.fleet) };
  if (flags.offline) return {};
  return { client: await (await import('../cluster/index.js')).connect(connection) };
}
