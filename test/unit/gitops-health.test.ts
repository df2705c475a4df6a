/**
 * The health configuration is executed, not just inspected: the ArgoCD Lua runs in fengari (a
 * Lua 5.3 VM in JS, as ArgoCD runs gopher-lua) with `obj` set like ArgoCD sets it, and the Flux
 * CEL expressions run in cel-js with the object's top-level fields as variables, in Flux's
 * order inProgress → failed → current. Both must agree on every sample status.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '@marcbachmann/cel-js';
import { parse as parseYaml } from 'yaml';
import { ARGOCD_HEALTH_KEY, ARGOCD_HEALTH_LUA, ARGOCD_WORKFLOW_HEALTH_KEY, FLUX_HEALTH_CHECK_EXPR, FLUX_HEALTH_CHECK_EXPRS, healthConfig } from '../../src/gitops/health.js';
import { runArgoHealth, runFluxHealth, runLuaInArgoCdVm } from './gitops-health-runners.js';

const meta = (generation: number, statusWritten = true) => ({
  name: 'restart-node-0',
  namespace: 'arctic-1',
  generation,
  // What the apiserver records: the applier's entry, and one with subresource "status" once the controller wrote status.
  managedFields: [
    { manager: 'kustomize-controller', operation: 'Apply', apiVersion: 'sei.io/v1alpha1', fieldsType: 'FieldsV1', fieldsV1: {} },
    ...(statusWritten ? [{ manager: 'sei-k8s-controller', operation: 'Update', apiVersion: 'sei.io/v1alpha1', fieldsType: 'FieldsV1', fieldsV1: {}, subresource: 'status' }] : []),
  ],
});
const base = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', spec: { kind: 'RestartPod', target: { nodeRef: { name: 'node-0' } }, restartPod: { podUID: 'u1' } } };
const cond = (type: string, status: string, reason: string, message = '', observedGeneration = 1) => ({ type, status, reason, message, observedGeneration, lastTransitionTime: '2026-01-01T00:00:00Z' });

const samples: Array<[string, Record<string, unknown>, string, RegExp, string]> = [
  ['Complete', { ...base, metadata: meta(1), status: { phase: 'Complete', observedGeneration: 1, conditions: [cond('TargetReady', 'True', 'PhaseMet'), cond('Ready', 'True', 'TaskComplete', 'task complete')] } }, 'Healthy', /task complete/, 'Current'],
  // upstream 2d670ad writes Ready True/TaskComplete with an empty message (issue 9 item 5)
  ['Complete with the empty message the controller writes', { ...base, metadata: meta(1), status: { phase: 'Complete', observedGeneration: 1, conditions: [cond('Ready', 'True', 'TaskComplete', '')] } }, 'Healthy', /^TaskComplete$/, 'Current'],
  ['Failed with reason Timeout', { ...base, metadata: meta(1), status: { phase: 'Failed', observedGeneration: 1, conditions: [cond('TargetReady', 'True', 'PhaseMet'), cond('Failed', 'True', 'Timeout', 'execution exceeded 600s')] } }, 'Degraded', /^Timeout: execution exceeded 600s$/, 'Failed'],
  ['Failed with an empty message', { ...base, metadata: meta(1), status: { phase: 'Failed', observedGeneration: 1, conditions: [cond('Failed', 'True', 'TaskFailed', '')] } }, 'Degraded', /^TaskFailed$/, 'Failed'],
  ['Failed with ParamsBuildFailed', { ...base, metadata: meta(1), status: { phase: 'Failed', observedGeneration: 1, conditions: [cond('Failed', 'True', 'ParamsBuildFailed', 'node-0 has no spec.peers')] } }, 'Degraded', /^ParamsBuildFailed: node-0 has no spec.peers$/, 'Failed'],
  ['Running', { ...base, metadata: meta(1), status: { phase: 'Running', observedGeneration: 1, conditions: [cond('TargetReady', 'True', 'PhaseMet')] } }, 'Progressing', /Phase Running/, 'InProgress'],
  ['no phase and no conditions yet (the controller writes no Pending)', { ...base, metadata: meta(1), status: { observedGeneration: 1 } }, 'Progressing', /Phase Pending/, 'InProgress'],
  ['a running status of an older generation', { ...base, metadata: meta(2), status: { phase: 'Running', observedGeneration: 1, conditions: [cond('TargetReady', 'True', 'PhaseMet', '', 1)] } }, 'Progressing', /^Status is for generation 1, waiting for generation 2$/, 'InProgress'],
  // Issue 9: the controller never writes a terminal task again, so a latched Ready is final even
  // after a spec edit. Flux's own gate (status_evaluator.go: observedGeneration != generation →
  // InProgress, before any expression) cannot be overridden by healthCheckExprs: README says so.
  ['a latched Ready after a spec edit (older observedGeneration)', { ...base, metadata: meta(2), status: { phase: 'Complete', observedGeneration: 1, conditions: [cond('Ready', 'True', 'TaskComplete', 'done', 1)] } }, 'Healthy', /^done$/, 'InProgress'],
  ['a latched Failed whose condition names an older generation', { ...base, metadata: meta(2), status: { phase: 'Failed', observedGeneration: 2, conditions: [cond('Failed', 'True', 'Timeout', 'late', 1)] } }, 'Degraded', /^Timeout: late$/, 'Failed'],
  ['a seed-era status without any observedGeneration on conditions', { ...base, metadata: meta(1), status: { phase: 'Complete', observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'TaskComplete', message: 'ok' }] } }, 'Healthy', /ok/, 'Current'],
  ['no status at all (nothing written by the controller yet)', { ...base, metadata: meta(1, false) }, 'Progressing', /Waiting for the sei controller/, 'InProgress'],
  ['no status and no managedFields (an object read without them)', { ...base, metadata: { name: 'x', namespace: 'arctic-1', generation: 1 } }, 'Progressing', /Waiting for the sei controller/, 'InProgress'],
];

describe('SeiNodeTask health: ArgoCD Lua and Flux CEL agree', () => {
  it.each(samples)('%s', (_scenario, object, argo, message, flux) => {
    const result = runArgoHealth(object);
    expect(result.status).toBe(argo);
    expect(result.message).toMatch(message);
    expect(runFluxHealth(object)).toBe(flux);
  });

  it('runs in the VM Argo CD gives argocd-cm scripts: no string library, base/table/package and a safe os only', () => {
    // upstream argoproj/argo-cd util/lua/lua.go (37ee0097): SkipOpenLibs, then package, base, table; os preloaded from oslib_safe.go
    expect(() => runLuaInArgoCdVm('return string.format("%d", 1)', {})).toThrow(/string/);
    expect(() => runLuaInArgoCdVm('return ("x"):upper()', {})).toThrow();
    expect(() => runLuaInArgoCdVm('return math.floor(1.5)', {})).toThrow(/math/);
    expect(() => runLuaInArgoCdVm('return io.open("/etc/passwd")', {})).toThrow(/io/);
    expect(() => runLuaInArgoCdVm('local os = require("os"); return os.execute("true")', {})).toThrow(/execute/);
    expect(() => runLuaInArgoCdVm('local os = require("os"); return table.concat({ os.time() > 0 and "ok" or "no" }, "")', {})).not.toThrow();
    expect(ARGOCD_HEALTH_LUA).not.toMatch(/\bstring\.|:format\(|:sub\(|:len\(/);
  });

  it('Flux: an expression reading a field that does not exist is an error there, and none of ours does on any sample', () => {
    // upstream fluxcd/pkg runtime/cel/status_evaluator_test.go "object without status with inProgress expression": an error, not InProgress
    expect(() => runFluxHealth({ ...base, metadata: meta(1, false), spec: {} , kind: 'SeiNodeTask' } as Record<string, unknown>)).not.toThrow();
    const naive = { ...FLUX_HEALTH_CHECK_EXPR, inProgress: "!has(status.observedGeneration)" };
    expect(() => evaluate(naive.inProgress, { ...base, metadata: meta(1, false) })).toThrow();
  });

  it('the Lua is what the argocd-cm patch carries, under the resource.customizations key', () => {
    const patch = parseYaml(healthConfig('argocd'));
    expect(patch).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' } });
    expect(patch.data[ARGOCD_HEALTH_KEY]).toBe(ARGOCD_HEALTH_LUA);
    expect(patch.data[ARGOCD_WORKFLOW_HEALTH_KEY]).toBe(ARGOCD_HEALTH_LUA);
    expect(ARGOCD_HEALTH_KEY).toBe('resource.customizations.health.sei.io_SeiNodeTask');
  });

  it('the Flux fragment carries the three expressions for sei.io/v1alpha1 SeiNodeTask', () => {
    const fragment = parseYaml(healthConfig('flux'));
    expect(fragment.spec.healthCheckExprs).toEqual(FLUX_HEALTH_CHECK_EXPRS);
    // SeiNodeTaskWorkflows latch the same Ready/Failed pair: the same expressions, their kind.
    expect(FLUX_HEALTH_CHECK_EXPRS.map((e) => e.kind)).toEqual(['SeiNodeTask', 'SeiNodeTaskWorkflow']);
    expect(FLUX_HEALTH_CHECK_EXPRS[1]).toEqual({ ...FLUX_HEALTH_CHECK_EXPR, kind: 'SeiNodeTaskWorkflow' });
    expect(Object.keys(fragment.spec.healthCheckExprs[0]).sort()).toEqual(['apiVersion', 'current', 'failed', 'inProgress', 'kind']);
  });
});
