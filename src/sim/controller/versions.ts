/**
 * What differs between the two controller versions the sim reproduces, as data: `--crd seed` is
 * sei-k8s-controller at 204c1c0, `--crd latest` at 2d670ad. The reconcile flow reads these flags
 * instead of branching on the flavor.
 */
import type { CrdFlavor } from '../types.js';

export interface ControllerVersion {
  commit: string;
  /**
   * status.task.status goes Pending → Running after the first successful submit (latest:
   * internal/controller/nodetask/controller.go:280); seed keeps Pending until terminal and so
   * re-submits on every reconcile (controller.go:264 at 204c1c0).
   */
  runningAfterSubmit: boolean;
  /**
   * Gov kinds read the sidecar's GovTxResult: Ready reason Confirmed, outputs
   * {txHash, height, proposalId}, TxFailed and InclusionUndetermined (latest controller.go:305-354,
   * govoutputs.go). Seed publishes no gov outputs and knows only TaskComplete / TaskFailed.
   */
  govResults: boolean;
  /** RestartPod copies spec.restartPod.podUID to status.task.restartedPodUID (seed controller.go:149-159). */
  recordsRestartedPodUID: boolean;
}

export const CONTROLLER_VERSIONS: Readonly<Record<CrdFlavor, ControllerVersion>> = {
  seed: { commit: '204c1c0', runningAfterSubmit: false, govResults: false, recordsRestartedPodUID: true },
  latest: { commit: '2d670ad', runningAfterSubmit: true, govResults: true, recordsRestartedPodUID: false },
};
