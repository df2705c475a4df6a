/**
 * The health configuration that makes a GitOps engine judge a SeiNodeTask by its Ready and
 * Failed conditions. Without it ArgoCD gives the resource no health (sync waves do not wait)
 * and Flux's kstatus calls a running and a failed task alike "Current". Pure data and text;
 * the tests run the Lua with fengari and the CEL with cel-js on the same sample statuses.
 */
import { stringify } from 'yaml';

export const SEI_TASK_API_VERSION = 'sei.io/v1alpha1';
export const SEI_TASK_KIND = 'SeiNodeTask';

/** argocd-cm key: resource.customizations.health.<group>_<kind>. */
export const ARGOCD_HEALTH_KEY = 'resource.customizations.health.sei.io_SeiNodeTask';

/**
 * Healthy on Ready=True, Degraded on Failed=True (reason and message in hs.message),
 * Progressing otherwise. A status (or condition) written for an older generation is not
 * judged: it describes a spec the controller has not seen yet.
 */
export const ARGOCD_HEALTH_LUA = `hs = {}
if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the sei controller to pick up the task"
  return hs
end
local generation = obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= nil and obj.status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = string.format("Status is for generation %d, waiting for generation %d", obj.status.observedGeneration, generation)
  return hs
end
local ready = nil
local failed = nil
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    local current = generation == nil or condition.observedGeneration == nil or condition.observedGeneration >= generation
    if current and condition.type == "Failed" and condition.status == "True" then
      failed = condition
    elseif current and condition.type == "Ready" and condition.status == "True" then
      ready = condition
    end
  end
end
if failed ~= nil then
  hs.status = "Degraded"
  hs.message = (failed.reason or "Failed") .. ": " .. (failed.message or "the task failed")
  return hs
end
if ready ~= nil then
  hs.status = "Healthy"
  hs.message = ready.message or "Complete"
  return hs
end
hs.status = "Progressing"
hs.message = "Phase " .. (obj.status.phase or "Pending")
return hs
`;

export interface FluxHealthCheckExpr {
  apiVersion: string;
  kind: string;
  current: string;
  inProgress: string;
  failed: string;
}

/**
 * Evaluated by kustomize-controller (>= 1.5) in the order inProgress, failed, current, with the
 * object's top-level fields as variables. Every field access is guarded with has(): Flux waits
 * out the whole timeout on an expression that reads a missing field.
 */
/** A condition counts only when it was written for the current generation (when it says). */
const CURRENT_CONDITION = '(!has(c.observedGeneration) || c.observedGeneration >= metadata.generation)';

export const FLUX_HEALTH_CHECK_EXPR: FluxHealthCheckExpr = {
  apiVersion: SEI_TASK_API_VERSION,
  kind: SEI_TASK_KIND,
  inProgress: `!has(status.observedGeneration) || status.observedGeneration < metadata.generation || !has(status.conditions) || !status.conditions.exists(c, (c.type == 'Ready' || c.type == 'Failed') && c.status == 'True' && ${CURRENT_CONDITION})`,
  failed: `status.conditions.exists(c, c.type == 'Failed' && c.status == 'True' && ${CURRENT_CONDITION})`,
  current: `status.conditions.exists(c, c.type == 'Ready' && c.status == 'True' && ${CURRENT_CONDITION})`,
};

/**
 * SeiNodeTaskWorkflows latch the same Ready/Failed pair (upstream
 * internal/controller/node/workflow.go:190-199, 633-646 at 2d670ad), so the same checks judge them.
 */
export const SEI_WORKFLOW_KIND = 'SeiNodeTaskWorkflow';
export const ARGOCD_WORKFLOW_HEALTH_KEY = 'resource.customizations.health.sei.io_SeiNodeTaskWorkflow';
export const FLUX_HEALTH_CHECK_EXPRS: FluxHealthCheckExpr[] = [FLUX_HEALTH_CHECK_EXPR, { ...FLUX_HEALTH_CHECK_EXPR, kind: SEI_WORKFLOW_KIND }];

export function argocdHealthPatch(): string {
  const patch = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': 'argocd' } },
    data: { [ARGOCD_HEALTH_KEY]: ARGOCD_HEALTH_LUA, [ARGOCD_WORKFLOW_HEALTH_KEY]: ARGOCD_HEALTH_LUA },
  };
  return (
    '# Merge into argocd-cm, e.g. kubectl -n argocd patch configmap argocd-cm --type merge --patch-file THIS_FILE\n' +
    '# Healthy on Ready=True, Degraded on Failed=True, Progressing otherwise (and while the status is for an older generation).\n' +
    stringify(patch, { lineWidth: 0, blockQuote: 'literal' })
  );
}

export function fluxHealthPatch(): string {
  const fragment = { spec: { healthCheckExprs: FLUX_HEALTH_CHECK_EXPRS } };
  return (
    '# Add to every Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) that applies SeiNodeTasks.\n' +
    '# Needs kustomize-controller >= 1.5 (Flux 2.5): without it kstatus reads no Failed condition and calls a failed task healthy.\n' +
    '# Works with wait: true or healthChecks; the gitops commit --flavor flux Kustomizations already carry it.\n' +
    stringify(fragment, { lineWidth: 0 })
  );
}

export function healthConfig(flavor: 'argocd' | 'flux'): string {
  return flavor === 'argocd' ? argocdHealthPatch() : fluxHealthPatch();
}
