/**
 * The behaviour knobs a SeiNode carries as `sim.sei.io/*` annotations, read in one place with
 * their defaults, so tests and rehearsals can shape outcomes. Reading only; never writes.
 */
import type { KubeObject } from '../types.js';

export const KNOBS = {
  podReadyAfterSeconds: 'sim.sei.io/pod-ready-after-seconds',
  podNeverReady: 'sim.sei.io/pod-never-ready',
  failKinds: 'sim.sei.io/fail-kinds',
  blockTimeMs: 'sim.sei.io/block-time-ms',
  phase: 'sim.sei.io/phase',
  /** Number of pods the node's StatefulSet runs; >1 makes RestartPod refuse the target. */
  replicas: 'sim.sei.io/replicas',
  /** Chain height at the node's creation (default 1), to rehearse with a real chain's heights. */
  initialHeight: 'sim.sei.io/initial-height',
  /** How the chain answers a gov tx (latest): committed_ok (default), committed_failed or pending. */
  govTxResult: 'sim.sei.io/gov-tx-result',
  /** The node's sidecar: ready (default), not-ready, or unreachable (submits and polls fail). */
  sidecar: 'sim.sei.io/sidecar',
} as const;

/** Annotation on sim-made pods: when seid last started, at millisecond precision. */
export const POD_STARTED_AT = 'sim.sei.io/container-started-at';

const NODE_PHASES = new Set(['Pending', 'Initializing', 'Running', 'Failed', 'Terminating']);

function annotation(node: KubeObject, key: string): string | undefined {
  const value = node.metadata.annotations?.[key];
  return typeof value === 'string' ? value.trim() : undefined;
}

function positiveNumber(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

export interface NodeKnobs {
  podReadyAfterMs: number;
  podNeverReady: boolean;
  failKinds: Set<string>;
  blockTimeMs: number;
  heldPhase: string | undefined;
  replicas: number;
  initialHeight: number;
  govTxResult: GovTxResult;
  sidecar: 'ready' | 'not-ready' | 'unreachable';
}

export type GovTxResult = 'committed_ok' | 'committed_failed' | 'pending';
const GOV_TX_RESULTS = new Set<string>(['committed_ok', 'committed_failed', 'pending']);
const SIDECAR_STATES = new Set<string>(['ready', 'not-ready', 'unreachable']);

export function readKnobs(node: KubeObject): NodeKnobs {
  const neverReady = annotation(node, KNOBS.podNeverReady);
  const held = annotation(node, KNOBS.phase);
  const blockTime = positiveNumber(annotation(node, KNOBS.blockTimeMs), 100);
  return {
    podReadyAfterMs: positiveNumber(annotation(node, KNOBS.podReadyAfterSeconds), 1) * 1000,
    // Present means on, unless it says false: `sim.sei.io/pod-never-ready: ""` works too.
    podNeverReady: neverReady !== undefined && neverReady.toLowerCase() !== 'false',
    failKinds: new Set(
      (annotation(node, KNOBS.failKinds) ?? '')
        .split(',')
        .map((kind) => kind.trim())
        .filter(Boolean),
    ),
    // A zero block time would mean infinite height; clamp to 1ms.
    blockTimeMs: Math.max(1, blockTime),
    heldPhase: held !== undefined && NODE_PHASES.has(held) ? held : undefined,
    replicas: Math.max(1, Math.floor(positiveNumber(annotation(node, KNOBS.replicas), 1))),
    initialHeight: Math.max(1, Math.floor(positiveNumber(annotation(node, KNOBS.initialHeight), 1))),
    govTxResult: (GOV_TX_RESULTS.has(annotation(node, KNOBS.govTxResult) ?? '') ? annotation(node, KNOBS.govTxResult) : 'committed_ok') as GovTxResult,
    sidecar: (SIDECAR_STATES.has(annotation(node, KNOBS.sidecar) ?? '') ? annotation(node, KNOBS.sidecar) : 'ready') as NodeKnobs['sidecar'],
  };
}
