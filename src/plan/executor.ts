/**
 * Runs a plan against the cluster as a reconciler: after every change it re-derives the whole
 * state from the ConfigMap record and the tasks it sees through ONE watch of tasks (label
 * selector sei.io/plan-id=<id>, however many tasks) plus one of the record (cancel, approvals
 * from another terminal), then launches what may start. Because decisions depend only on cluster
 * state, a restarted executor continues exactly where a killed one stopped: an existing task is
 * never re-applied (no duplicates), and attempts are counted from task labels (crash recovery is
 * never an attempt). Owns the loop, launching and the record writes; all logic is in derive.ts.
 */
import type { Catalog } from '../catalog/types.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { ExitCode, SeiError } from '../errors/index.js';
import { setLongTimeout, type LongTimer } from '../domain/timers.js';
import { derive, type Derived, type Launch, type PlanRun } from './derive.js';
import { expandItems } from './graph.js';
import { fleetFromCluster } from './fleet.js';
import { configMapName, planSelector } from './naming.js';
import { fromConfigMap, heartbeatIntervalSeconds, mergeRun, updateRun, type StoredRun } from './run-store.js';
import { buildTask, kindLookup } from './tasks.js';
import type { FleetNode, ItemVerdict, PlanVerdict, StepState } from './types.js';

export type PlanEvent =
  | { event: 'launch'; step: string; index: number; node: string; attempt: number; name: string }
  | { event: 'task'; step: string; index: number; name: string; phase: string; reason?: string }
  | { event: 'step'; step: string; state: StepState; done: number; failed: number; running: number; total: number }
  | { event: 'retry'; step: string; index: number; node: string; nextAttempt: number; at: string };

export interface ExecuteOptions {
  client: ClusterClient;
  catalog: Catalog;
  run: PlanRun;
  stored: StoredRun;
  /** Global cap on tasks in flight and on every step's maxParallel (0 = none). */
  maxParallel?: number;
  /** Negative or undefined = no limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: PlanEvent) => void;
  /** Called after every derivation (progress views). */
  onState?: (derived: Derived) => void;
  now?: () => number;
  /** Checks a rendered task before it is written (the CRD validator). */
  validate?: (object: KubeObject) => Promise<void>;
  /**
   * Tasks already rendered and validated before the run (first attempts whose params need no
   * outputs), by name: launching them skips a second render and validation.
   */
  prevalidated?: Map<string, KubeObject>;
  /** Reads late values right before a write (RestartPod: the live pod UID). */
  lateValues?: (kind: string, node: string) => Promise<Record<string, unknown> | undefined>;
}

const TASK_API = 'sei.io/v1alpha1';


export async function executePlan(options: ExecuteOptions): Promise<PlanVerdict> {
  const { client, catalog, run, stored } = options;
  const now = options.now ?? Date.now;
  const kinds = kindLookup(catalog);
  const namespace = run.namespace;
  const selector = planSelector(run.planId);
  const tasks = new Map<string, KubeObject>();
  // The resources the run creates: SeiNodeTasks, and SeiNodeTaskWorkflows for workflow steps.
  const resources = planResources(run.manifest.spec.steps.map((s) => s.kind), kinds);
  // State from the cluster before any write (crash recovery starts here).
  for (const resource of resources) {
    for (const task of (await client.list(TASK_API, resource, { namespace, labelSelector: selector })).items) tasks.set(task.metadata.name ?? '', task);
  }

  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort();
  options.signal?.addEventListener('abort', onOuterAbort);
  let fleet: FleetNode[] | undefined;
  const lastStepState = new Map<string, string>();
  const lastPhase = new Map<string, string>();
  let inFlightLaunches = 0;
  let ticking = false;
  let dirty = false;
  let wakeTimer: LongTimer | undefined;
  let finished = false;
  let lastTickCost = 0;

  // The driver's heartbeat in the record (conflict-checked merge): `plan status` tells a run
  // nobody drives any more from one that is running. Best effort: a missed beat only ages it.
  const intervalSeconds = heartbeatIntervalSeconds();
  const beat = (): void => {
    if (finished) return;
    const driver = { lastSeen: new Date().toISOString(), intervalSeconds };
    updateRun(client, run.planId, namespace, (current) => mergeRun(current, { driver })).catch(() => undefined);
  };
  beat();
  const heartbeat = setInterval(beat, intervalSeconds * 1000);

  return await new Promise<PlanVerdict>((resolvePlan, rejectPlan) => {
    let timeoutTimer: LongTimer | undefined;
    const finish = (error: unknown, verdict?: PlanVerdict): void => {
      if (finished) return;
      finished = true;
      clearInterval(heartbeat);
      wakeTimer?.clear();
      timeoutTimer?.clear();
      options.signal?.removeEventListener('abort', onOuterAbort);
      abort.abort();
      if (error) rejectPlan(error);
      else resolvePlan(verdict!);
    };
    if (options.timeoutMs !== undefined && options.timeoutMs >= 0) {
      timeoutTimer = setLongTimeout(() => {
        const d = derive(run, [...tasks.values()], now(), kinds, options.maxParallel ?? 0);
        const running = d.verdict.steps.filter((s) => s.state === 'running').map((s) => `${s.id} ${s.counts.done}/${s.counts.total}`);
        const error = SeiError.timeout(`plan ${run.planId} did not finish within the timeout (${running.join(', ') || d.verdict.phase}); its tasks keep running`, [
          `continue following it: kubectl sei plan resume ${run.planId} -n ${namespace}`,
          `see where it is: kubectl sei plan status ${run.planId} -n ${namespace}`,
        ]);
        finish(error);
      }, options.timeoutMs);
    }
    if (options.signal?.aborted) {
      finish(SeiError.interrupted(`interrupted before plan ${run.planId} started`, [`continue: kubectl sei plan resume ${run.planId} -n ${namespace}`]));
      return;
    }
    options.signal?.addEventListener('abort', () => finish(SeiError.interrupted(`interrupted: plan ${run.planId} stopped launching; tasks in flight keep running`, [`continue: kubectl sei plan resume ${run.planId} -n ${namespace}`])));

    const emitChanges = (d: Derived): void => {
      for (const step of d.verdict.steps) {
        const sig = `${step.state}|${step.counts.done}|${step.counts.failed}|${step.counts.running}`;
        if (lastStepState.get(step.id) !== sig) {
          lastStepState.set(step.id, sig);
          options.onEvent?.({ event: 'step', step: step.id, state: step.state, done: step.counts.done, failed: step.counts.failed, running: step.counts.running, total: step.counts.total });
        }
        for (const item of step.items) {
          if (!item.task) continue;
          const phase = String(((item.task['status'] ?? {}) as { phase?: string }).phase ?? 'Pending');
          const key = item.task.metadata.name ?? '';
          const sig2 = `${phase}|${item.reason ?? ''}`;
          if (lastPhase.get(key) !== sig2) {
            lastPhase.set(key, sig2);
            options.onEvent?.({ event: 'task', step: step.id, index: item.index, name: key, phase, ...(item.reason ? { reason: item.reason } : {}) });
            if (item.state === 'pending' && item.nextAttemptAt !== undefined) {
              options.onEvent?.({ event: 'retry', step: step.id, index: item.index, node: item.node, nextAttempt: item.attempts + 1, at: new Date(item.nextAttemptAt).toISOString() });
            }
          }
        }
      }
      options.onState?.(d);
    };

    /** Takes what the record holds now (other writers' cancel, approvals, items, verdicts). */
    const adopt = (record: StoredRun): void => {
      if (record.cancelled) run.cancelled = stored.cancelled = true;
      for (const [step, approval] of Object.entries(record.approvals)) {
        run.approvals[step] ??= approval;
        stored.approvals[step] ??= approval;
      }
      for (const [step, items] of Object.entries(record.items)) run.items[step] = items;
      stored.items = run.items;
      const verdicts = (run.verdicts ??= {});
      for (const [step, byIndex] of Object.entries(record.verdicts)) verdicts[step] = { ...byIndex, ...(verdicts[step] ?? {}) };
      stored.verdicts = verdicts;
    };

    /** Items that reached a final verdict since the record last heard of them. */
    const newVerdicts = (d: Derived): Record<string, Record<string, ItemVerdict>> | undefined => {
      let out: Record<string, Record<string, ItemVerdict>> | undefined;
      for (const step of d.verdict.steps) {
        for (const item of step.items) {
          if ((item.state !== 'succeeded' && item.state !== 'failed') || run.verdicts?.[step.id]?.[String(item.index)]) continue;
          const verdict: ItemVerdict = { state: item.state, attempts: item.attempts, task: item.taskName, ...(item.reason ? { reason: item.reason } : {}), ...(item.message ? { message: item.message } : {}), ...(item.outputs && Object.keys(item.outputs).length > 0 ? { outputs: item.outputs } : {}) };
          ((out ??= {})[step.id] ??= {})[String(item.index)] = verdict;
        }
      }
      return out;
    };

    const launch = async (l: Launch): Promise<void> => {
      const spec = catalog.require(l.step.step.kind!);
      const late = await options.lateValues?.(spec.kind, l.item.node);
      const candidate = options.prevalidated?.get(l.name);
      // Only while it still targets the same node (the fleet may have changed since rendering).
      const prevalidated = candidate && ((candidate['spec'] as { target?: { nodeRef?: { name?: string } } }).target?.nodeRef?.name === l.item.node) ? candidate : undefined;
      let object: KubeObject;
      if (prevalidated) {
        // Rendered and validated before the first write; only late values (read now) change.
        object = structuredClone(prevalidated);
        const payload = (object['spec'] as Record<string, Record<string, unknown>>)[spec.payloadField];
        if (late && payload) Object.assign(payload, late);
      } else {
        object = buildTask({ catalog, planName: run.manifest.metadata.name, planId: run.planId, namespace, step: l.step, item: l.item, attempt: l.attempt, name: l.name, context: l.context, ...(late ? { late } : {}) });
        await options.validate?.(object);
      }
      // Re-check just before the write: the watch may have delivered it meanwhile.
      if (tasks.has(l.name)) return;
      const applied = await client.apply(object);
      if (!tasks.has(l.name) || Number(tasks.get(l.name)!.metadata.resourceVersion ?? 0) < Number(applied.metadata.resourceVersion ?? 0)) tasks.set(l.name, applied);
      options.onEvent?.({ event: 'launch', step: l.step.step.id, index: l.item.index, node: l.item.node, attempt: l.attempt, name: l.name });
    };

    const tick = async (): Promise<void> => {
      if (ticking) {
        dirty = true;
        return;
      }
      ticking = true;
      try {
        do {
          dirty = false;
          if (finished) return;
          const deriveStarted = performance.now();
          const d = derive(run, [...tasks.values()], now(), kinds, options.maxParallel ?? 0);
          emitChanges(d);
          lastTickCost = Math.min(performance.now() - deriveStarted, 250);
          const phase = d.verdict.phase;
          const decided = newVerdicts(d);
          if (decided) {
            adopt(await updateRun(client, run.planId, namespace, (current) => mergeRun(current, { verdicts: decided })));
            if (run.cancelled) {
              dirty = true;
              continue;
            }
          }
          if ((phase === 'Failed' && d.running === 0) || phase === 'Complete' || phase === 'WaitingApproval' || phase === 'Cancelled') {
            finish(undefined, d.verdict);
            return;
          }
          if (d.toResolve.length > 0) {
            for (const g of d.toResolve) {
              // forEach.step of a step that was skipped (so never resolved) still means its items.
              const chain = [g.step];
              for (let ref = g.step.forEach?.step; ref && !run.items[ref]; ) {
                const refStep = run.manifest.spec.steps.find((s) => s.id === ref)!;
                chain.unshift(refStep);
                ref = refStep.forEach?.step;
              }
              for (const step of chain) {
                if (step.forEach?.selector && !fleet) fleet = await fleetFromCluster(client, namespace);
                run.items[step.id] = expandItems(step, { inputs: run.inputs, plan: { id: run.planId, name: run.manifest.metadata.name, namespace } }, fleet, (id) => run.items[id]);
              }
            }
            const resolved = Object.fromEntries(d.toResolve.map((g) => [g.step.id, run.items[g.step.id]!]));
            for (const g of d.toResolve) {
              for (let ref = g.step.forEach?.step; ref; ref = run.manifest.spec.steps.find((s) => s.id === ref)?.forEach?.step) if (run.items[ref]) resolved[ref] = run.items[ref]!;
            }
            // Another driver may have resolved the same step first: its list wins, everywhere.
            adopt(await updateRun(client, run.planId, namespace, (current) => mergeRun(current, { items: resolved })));
            dirty = true;
            continue;
          }
          const cap = options.maxParallel && options.maxParallel > 0 ? Math.max(0, options.maxParallel - d.running - inFlightLaunches) : Number.POSITIVE_INFINITY;
          const batch = d.launchable.filter((l) => !tasks.has(l.name)).slice(0, cap);
          if (batch.length > 0) {
            inFlightLaunches += batch.length;
            try {
              await Promise.all(batch.map(launch));
            } finally {
              inFlightLaunches -= batch.length;
            }
            dirty = true;
            continue;
          }
          if (d.nextWakeAt !== undefined) {
            wakeTimer?.clear();
            // Chained past 2^31 ms: a huge backoff waits instead of firing at once in a loop.
            wakeTimer = setLongTimeout(() => void tick(), Math.max(0, d.nextWakeAt - now()) + 5);
          }
        } while (dirty);
      } catch (error) {
        finish(error);
      } finally {
        ticking = false;
      }
    };

    // A burst of watch events gives one derivation, and derivations are spaced by their own cost
    // (at most about half the CPU), so following 1,000 tasks stays linear rather than quadratic.
    let scheduled = false;
    let lastTickEnd = 0;
    const schedule = (): void => {
      if (scheduled) return;
      scheduled = true;
      const delay = Math.max(0, lastTickEnd + lastTickCost - performance.now());
      const fire = (): void => {
        scheduled = false;
        void tick().finally(() => {
          lastTickEnd = performance.now();
        });
      };
      if (delay > 0) setTimeout(fire, delay);
      else setImmediate(fire);
    };

    // ONE watch per resource for every object of the run, however many.
    for (const resource of resources) client
      .watch({
        apiVersion: TASK_API,
        kind: resource,
        namespace,
        labelSelector: selector,
        signal: abort.signal,
        onEvent: (event) => {
          const name = event.object.metadata.name ?? '';
          if (event.type === 'DELETED') {
            // Deleted under us: count it as a failed attempt rather than re-creating the same
            // name (for a gov kind that would broadcast the transaction again).
            const status = (event.object['status'] ?? {}) as { phase?: string };
            if (status.phase !== 'Complete' && status.phase !== 'Failed') {
              tasks.set(name, { ...event.object, metadata: { ...event.object.metadata, generation: 0 }, status: { phase: 'Failed', conditions: [{ type: 'Failed', status: 'True', reason: 'Deleted', message: 'the task was deleted before it finished', lastTransitionTime: new Date(now()).toISOString() }] } });
            }
          } else if (event.type !== 'BOOKMARK') tasks.set(name, event.object);
          schedule();
        },
      })
      .catch((error: unknown) => finish(error));
    // And one for the run record: `plan cancel` and `plan approve` from another terminal.
    client
      .watch({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace,
        labelSelector: selector,
        signal: abort.signal,
        onEvent: (event) => {
          if (event.type === 'DELETED' || event.type === 'BOOKMARK' || event.object.metadata.name !== configMapName(run.planId)) return;
          adopt(fromConfigMap(event.object));
          schedule();
        },
      })
      .catch((error: unknown) => finish(error));
    void tick();
  });
}

/** The object kinds a plan's steps create, SeiNodeTask first; approval steps create none. */
export function planResources(stepKinds: ReadonlyArray<string | undefined>, kinds: { find(kind: string): { resource?: string } | undefined }): string[] {
  const found = new Set<string>(['SeiNodeTask']);
  for (const kind of stepKinds) if (kind) found.add(kinds.find(kind)?.resource ?? 'SeiNodeTask');
  return [...found];
}
