/**
 * The health configuration that makes a GitOps engine judge a SeiNodeTask by its Ready and
 * Failed conditions. Without it ArgoCD gives the resource no health (sync waves do not wait)
 * and Flux's kstatus calls a running and a failed task alike "Current". Pure data and text;
 * the tests run the Lua with fengari and the CEL with cel-js on the same sample statuses.
 */
import { toSafeYaml } from '../domain/yaml.js';

export const SEI_TASK_API_VERSION = 'sei.io/v1alpha1';
export const SEI_TASK_KIND = 'SeiNodeTask';

/** argocd-cm key: resource.customizations.health.<group>_<kind>. */
export const ARGOCD_HEALTH_KEY = 'resource.customizations.health.sei.io_SeiNodeTask';

/**
 * Healthy on Ready=True, Degraded on Failed=True (reason and message in hs.message),
 * Progressing otherwise. A latched Ready or Failed is final whatever observedGeneration says:
 * the controller never writes a terminal task again (upstream
 * internal/controller/nodetask/controller.go, 2d670ad), so after a spec edit its status stays
 * at the old generation for ever. The generation gate applies only while the task runs.
 *
 * Written for the VM Argo CD gives argocd-cm scripts (util/lua/lua.go @ 37ee0097): gopher-lua
 * with only the package, base and table libraries and a safe `os` — no `string`, so text is
 * joined with `..` only. Numbers print as gopher-lua prints a float64 (1, not 1.0).
 */
export const ARGOCD_HEALTH_LUA = `hs = {}
local function text(value, fallback)
  if value == nil or value == "" then
    return fallback
  end
  return value
end
if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the sei controller to pick up the task"
  return hs
end
local ready = nil
local failed = nil
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Failed" and condition.status == "True" then
      failed = condition
    elseif condition.type == "Ready" and condition.status == "True" then
      ready = condition
    end
  end
end
if failed ~= nil then
  hs.status = "Degraded"
  local reason = text(failed.reason, "Failed")
  local message = text(failed.message, nil)
  if message == nil then
    hs.message = reason
  else
    hs.message = reason .. ": " .. message
  end
  return hs
end
if ready ~= nil then
  hs.status = "Healthy"
  hs.message = text(ready.message, text(ready.reason, "Complete"))
  return hs
end
local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and observed ~= nil and observed < generation then
  hs.status = "Progressing"
  hs.message = "Status is for generation " .. observed .. ", waiting for generation " .. generation
  return hs
end
hs.status = "Progressing"
hs.message = "Phase " .. text(obj.status.phase, "Pending")
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
 * Evaluated by kustomize-controller (>= 1.5) as fluxcd/pkg runtime/cel/status_evaluator.go
 * does: first its own gate (status.observedGeneration present and != metadata.generation →
 * InProgress, before any expression), then inProgress, failed, current, with the object's
 * top-level fields as undeclared variables. A field that does not exist is an evaluation
 * error (the Kustomization reports it), so nothing below reads a missing field:
 * - before the controller writes any status there is no `status` variable at all, and
 *   has(status.x) is itself an error. The apiserver records every status write in
 *   metadata.managedFields with subresource "status", and `||` absorbs an error when the
 *   other side is true, so "no status write yet" is answered from metadata alone;
 * - a latched Ready/Failed is final, whatever generation its conditions name (see the Lua).
 */
const NO_STATUS_YET = `!has(metadata.managedFields) || !metadata.managedFields.exists(f, has(f.subresource) && f.subresource == 'status')`;
const latched = (type: string): string => `(has(status.conditions) && status.conditions.exists(c, c.type == '${type}' && c.status == 'True'))`;

export const FLUX_HEALTH_CHECK_EXPR: FluxHealthCheckExpr = {
  apiVersion: SEI_TASK_API_VERSION,
  kind: SEI_TASK_KIND,
  inProgress: `${NO_STATUS_YET} || !(${latched('Ready')} || ${latched('Failed')})`,
  failed: latched('Failed'),
  current: latched('Ready'),
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
  return toSafeYaml(patch, [
    'Merge into argocd-cm, e.g. kubectl -n argocd patch configmap argocd-cm --type merge --patch-file THIS_FILE',
    'Healthy on Ready=True, Degraded on Failed=True (final, whatever the generation), Progressing otherwise.',
  ]);
}

export function fluxHealthPatch(): string {
  const fragment = { spec: { healthCheckExprs: FLUX_HEALTH_CHECK_EXPRS } };
  return toSafeYaml(fragment, [
    'Add to every Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) that applies SeiNodeTasks or SeiNodeTaskWorkflows.',
    'Needs kustomize-controller >= 1.5 (Flux 2.5): without it kstatus reads no Failed condition and calls a failed task healthy.',
    'Works with wait: true or healthChecks; the gitops commit --flavor flux Kustomizations already carry it.',
  ]);
}

export function healthConfig(flavor: 'argocd' | 'flux'): string {
  return flavor === 'argocd' ? argocdHealthPatch() : fluxHealthPatch();
}
