/**
 * Plain-text views of plans for people: the verdict table, the simulation table and the live
 * progress lines. Pure string building; the commands decide where the text goes.
 */
import { maxOf } from '../domain/arrays.js';
import { toSafeYaml } from '../domain/yaml.js';
import type { Derived } from '../plan/derive.js';
import type { SimulationResult } from '../plan/simulate.js';
import type { PlanVerdict, StepStatus } from '../plan/types.js';

export function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => maxOf(rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export function verdictTable(verdict: PlanVerdict): string {
  const rows = [['STEP', 'KIND', 'STATE', 'DONE', 'FAILED', 'RUNNING', 'TOTAL', 'MESSAGE']];
  for (const s of verdict.steps) {
    rows.push([s.id, s.kind ?? 'approval', s.state, String(s.counts.done), String(s.counts.failed), String(s.counts.running), String(s.counts.total), s.message ?? '']);
  }
  const notDriven = verdict.driver && !verdict.driver.driven ? verdict.driver : undefined;
  const phase = notDriven ? 'NotDriven' : verdict.phase;
  const head = `PLAN ${verdict.planName}  ID ${verdict.planId}  NAMESPACE ${verdict.namespace}  PHASE ${phase}  TASKS ${verdict.tasks.created}\n`;
  let tail = '';
  if (notDriven) {
    tail += `NOT DRIVEN: no plan apply or plan resume has driven this run since ${notDriven.lastSeen} (its driver stopped or died); tasks already created keep running, no further task starts\n`;
    tail += `continue: ${notDriven.resume}\n`;
  }
  if (verdict.failedTaskDetail) {
    const d = verdict.failedTaskDetail;
    tail += `FAILED step ${verdict.failedStep} item ${verdict.failedIndex}: ${d.name} (${d.kind} on ${d.node}) ${d.reason}${d.message ? `: ${d.message}` : ''} [attempts ${d.attempts}/${d.maxAttempts}]\n`;
  }
  if (verdict.waitingFor) tail += `WAITING for approval of step ${verdict.waitingFor.step}: ${verdict.waitingFor.message}\n`;
  for (const t of verdict.toleratedFailures ?? []) tail += `TOLERATED ${t.name} (${t.kind} on ${t.node}) ${t.reason} [attempts ${t.attempts}/${t.maxAttempts}]\n`;
  return head + columns(rows) + tail;
}

export function simulationTable(result: SimulationResult): string {
  const rows = [['STEP', 'KIND', 'ITEM', 'NODE', 'CLASS', 'REASON']];
  for (const s of result.steps) {
    if (s.items.length === 0) rows.push([s.id, s.kind ?? 'approval', '-', '-', s.class, s.message ?? '']);
    for (const i of s.items) rows.push([s.id, s.kind ?? '', String(i.index), i.node, i.class, [i.reason, i.message ?? (i.index === 0 ? s.message : undefined)].filter(Boolean).join(': ')]);
  }
  const sum = result.summary;
  return columns(rows) + `\n${sum.pending} pending, ${sum.skipped} skipped, ${sum['requires-approval']} requires-approval, ${sum.blocked} blocked\n`;
}

/** How many in-flight items a status line names before it says "+N more". */
const IN_FLIGHT_SHOWN = 4;

/** The items of a step in flight now, by node and task name: "node-0 (node-0-discover-peers-1a2b3c4d)". */
export function inFlight(step: StepStatus): string {
  const running = step.items.filter((i) => i.state === 'running');
  const named = running.slice(0, IN_FLIGHT_SHOWN).map((i) => (i.taskName ? `${i.node} (${i.taskName})` : i.node));
  return [...named, ...(running.length > IN_FLIGHT_SHOWN ? [`+${running.length - IN_FLIGHT_SHOWN} more`] : [])].join(', ');
}

/** A step's live status: counts, then what is in flight. */
export function stepLine(step: StepStatus): string {
  const c = step.counts;
  if (step.state === 'waiting-approval') return `${step.id}: waiting for approval`;
  if (step.state === 'approved' || step.state === 'skipped') return `${step.id}: ${step.state}`;
  const flying = inFlight(step);
  return `${step.id}: ${step.state} ${c.done}/${c.total} done, ${c.failed} failed${c.running ? `, ${c.running} running` : ''}${flying ? `: ${flying}` : ''}`;
}

/** The steps that have started (anything else is not worth a line yet). */
export function activeSteps(d: Derived): StepStatus[] {
  return d.verdict.steps.filter((s) => s.state !== 'pending' || s.counts.done + s.counts.failed + s.counts.running > 0);
}

/** One line per step that has started, with counts and items in flight; the plan phase first. */
export function progressLines(d: Derived): string {
  return [`plan ${d.verdict.planName} ${d.verdict.planId.slice(0, 8)}: ${d.verdict.phase}`, ...activeSteps(d).map((s) => `  ${stepLine(s)}`)].join('\n');
}

export function toYaml(value: unknown): string {
  return toSafeYaml(value);
}
