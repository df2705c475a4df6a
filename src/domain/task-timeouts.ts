/**
 * How long a SeiNodeTask can take, as the controller bounds it: the kind's execution timeout
 * (spec.timeoutSeconds, or the kind's default when unset or 0) plus the wait for the target's
 * phase. Engines that run tasks (Argo's activeDeadlineSeconds, Chaos Mesh's deadline, Flux's
 * Kustomization timeout) derive their bound from it. Per-kind data only.
 */

/**
 * The controller's execution bound when spec.timeoutSeconds is unset or 0 (upstream
 * internal/task/*.go: seed 204c1c0 RestartPod 10m, DiscoverPeers 2m; 2d670ad adds RestartSeid
 * 10m, MarkReady 2m). Other kinds (gov, await) run unbounded.
 */
export const CONTROLLER_DEFAULT_TIMEOUT_SECONDS: Readonly<Record<string, number>> = { RestartPod: 600, DiscoverPeers: 120, RestartSeid: 600, MarkReady: 120 };

/** The longest the controller waits for spec.target.requirePhase before it fails the task. */
export const REQUIRE_PHASE_WAIT_SECONDS = 300;
/** Slack for the engine's own polling and the controller's requeue. */
const MARGIN_SECONDS = 60;
/** The bound an engine gets for a kind the controller never times out. */
export const UNBOUNDED_TASK_DEADLINE_SECONDS = 24 * 3600;

/** Seconds an engine should wait for one task before it gives up on it. */
export function taskDeadlineSeconds(kind: string, timeoutSeconds?: number): number {
  const bound = typeof timeoutSeconds === 'number' && timeoutSeconds > 0 ? timeoutSeconds : CONTROLLER_DEFAULT_TIMEOUT_SECONDS[kind] ?? 0;
  return bound > 0 ? bound + REQUIRE_PHASE_WAIT_SECONDS + MARGIN_SECONDS : UNBOUNDED_TASK_DEADLINE_SECONDS;
}
