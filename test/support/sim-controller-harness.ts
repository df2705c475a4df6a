/**
 * A real store + real controller in-process for controller tests, with event-driven waits:
 * `until` re-checks its predicate on every store event (never a sleep loop). The safety timeout
 * only turns a hang into a readable failure; no assertion depends on elapsed time.
 */
import { createStore, type SimStoreHandle } from '../../src/sim/storage/store.js';
import { servedTaskKinds, startController, type SimControllerHandle } from '../../src/sim/controller/index.js';
import { loadServedCrds } from '../../src/sim/crds.js';
import type { CrdFlavor, KubeObject } from '../../src/sim/types.js';

export const NS = 'sei';

export interface Harness {
  store: SimStoreHandle;
  controller: SimControllerHandle;
  until<T>(what: string, probe: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  node(name: string, options?: { annotations?: Record<string, string>; labels?: Record<string, string>; spec?: Record<string, unknown> }): KubeObject;
  task(name: string, kind: string, payload: Record<string, unknown>, extra?: { target?: Record<string, unknown>; timeoutSeconds?: number; node?: string }): KubeObject;
  get(resource: string, name: string): KubeObject | undefined;
  status(name: string): Record<string, unknown>;
  condition(name: string, type: string): Record<string, unknown> | undefined;
  stop(): Promise<void>;
}

/** Fast knobs so tests run in milliseconds. */
export const FAST = { 'sim.sei.io/pod-ready-after-seconds': '0.05', 'sim.sei.io/block-time-ms': '20' };

export function startHarness(options: { crd?: CrdFlavor; stateDir?: string; store?: SimStoreHandle; now?: () => number } = {}): Harness {
  const store = options.store ?? createStore({ stateDir: options.stateDir });
  const controller = startController(store, { crd: options.crd ?? 'seed', taskKinds: servedTaskKinds(loadServedCrds(options.crd ?? 'seed')), now: options.now });
  const harness: Harness = {
    store,
    controller,
    // 30 s: a loaded 2-core runner can take several seconds for a 50-task wait; still under the 60 s test timeout.
    until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let off = () => {};
        const timer = setTimeout(() => {
          off();
          reject(new Error(`timed out waiting for ${what}; last task statuses: ${JSON.stringify(store.list('seinodetasks').map((t) => [t.metadata.name, t.status]))}`));
        }, timeoutMs);
        const check = (): boolean => {
          const value = probe();
          if (value === undefined || value === false) return false;
          clearTimeout(timer);
          off();
          resolve(value);
          return true;
        };
        if (check()) return;
        off = store.onChange(() => {
          check();
        });
      });
    },
    node(name, opts = {}) {
      return store.create('seinodes', {
        apiVersion: 'sei.io/v1alpha1',
        kind: 'SeiNode',
        metadata: { name, namespace: NS, annotations: { ...FAST, ...opts.annotations }, labels: opts.labels },
        spec: { chainId: 'sim-1', image: 'ghcr.io/sei-protocol/seid:v1', fullNode: {}, ...opts.spec },
      });
    },
    task(name, kind, payload, extra = {}) {
      const field = kind.charAt(0).toLowerCase() + kind.slice(1);
      return store.create('seinodetasks', {
        apiVersion: 'sei.io/v1alpha1',
        kind: 'SeiNodeTask',
        metadata: { name, namespace: NS },
        spec: {
          kind,
          target: { nodeRef: { name: extra.node ?? 'node-0' }, requirePhase: 'Running', requirePhaseTimeout: '5m', ...extra.target },
          [field]: payload,
          ...(extra.timeoutSeconds !== undefined ? { timeoutSeconds: extra.timeoutSeconds } : {}),
        },
      });
    },
    get(resource, name) {
      return store.get(resource, NS, name);
    },
    status(name) {
      return (store.get('seinodetasks', NS, name)?.status ?? {}) as Record<string, unknown>;
    },
    condition(name, type) {
      const conditions = (harness.status(name).conditions ?? []) as Array<Record<string, unknown>>;
      return conditions.find((c) => c.type === type);
    },
    async stop() {
      controller.stop();
      if (!options.store) await store.close();
    },
  };
  return harness;
}

export function phaseOf(h: Harness, name: string, phases: string[] = ['Complete', 'Failed']): string | undefined {
  const phase = h.status(name).phase;
  return typeof phase === 'string' && phases.includes(phase) ? phase : undefined;
}

export async function runningNode(h: Harness, name: string, options?: Parameters<Harness['node']>[1]): Promise<KubeObject> {
  h.node(name, options);
  await h.until(`${name} Running with a Ready pod`, () => {
    const node = h.get('seinodes', name);
    const pod = h.get('pods', `${name}-0`);
    const ready = ((pod?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    );
    const neverReady = options?.annotations?.['sim.sei.io/pod-never-ready'] !== undefined;
    // Settled: Running with no plan left (the image roll that stamps currentImage after init has finished).
    const status = node?.status as { phase?: string; plan?: unknown } | undefined;
    return status?.phase === 'Running' && status.plan === undefined && (ready || neverReady) ? node : undefined;
  });
  return h.get('seinodes', name)!;
}
