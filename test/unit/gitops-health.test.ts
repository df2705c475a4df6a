/**
 * The health configuration is executed, not just inspected: the ArgoCD Lua runs in fengari (a
 * Lua 5.3 VM in JS, as ArgoCD runs gopher-lua) with `obj` set like ArgoCD sets it, and the Flux
 * CEL expressions run in cel-js with the object's top-level fields as variables, in Flux's
 * order inProgress → failed → current. Both must agree on every sample status.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ARGOCD_HEALTH_KEY, ARGOCD_HEALTH_LUA, ARGOCD_WORKFLOW_HEALTH_KEY, FLUX_HEALTH_CHECK_EXPR, FLUX_HEALTH_CHECK_EXPRS, healthConfig } from '../../src/gitops/health.js';
import { runArgoHealth, runFluxHealth } from './gitops-health-runners.js';

const meta = (generation: number) => ({ name: 'restart-node-0', namespace: 'arctic-1', generation });
const base = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask', spec: { kind: 'RestartPod', target: { nodeRef: { name: 'node-0' } }, restartPod: { podUID: 'u1' } } };
const cond = (type: string, status: string, reason: string, message = '', observedGeneration = 1) => ({ type, status, reason, message, observedGeneration, lastTransitionTime: '2026-01-01T00:00:00Z' });

const samples: Array<[string, Record<string, unknown>, string, RegExp, string]> = [
  ['Complete', { ...base, metadata: meta(1), status: { phase: 'Complete', observedGeneration: 1, conditions: [cond('TargetReady', 'True', 'PhaseMet'), cond('Ready', 'True', 'TaskComplete', 'task complete')] } }, 'Healthy', /task complete/, 'Current'],
  ['Failed with reason Timeout', { ...base, metadata: meta(1), status: { phase: 'Failed', observedGeneration: 1, conditions: [cond('TargetReady', 'True', 'PhaseMet'), cond('Failed', 'True', 'Timeout', 'execution exceeded 600s')] } }, 'Degraded', /^Timeout: execution exceeded 600s$/, 'Failed'],
  ['Failed with ParamsBuildFailed', { ...base, metadata: meta(1), status: { phase: 'Failed', observedGeneration: 1, conditions: [cond('Failed', 'True', 'ParamsBuildFailed', 'node-0 has no spec.peers')] } }, 'Degraded', /^ParamsBuildFailed: node-0 has no spec.peers$/, 'Failed'],
  ['Running', { ...base, metadata: meta(1), status: { phase: 'Running', observedGeneration: 1, conditions: [cond('TargetReady', 'True', 'PhaseMet')] } }, 'Progressing', /Phase Running/, 'InProgress'],
  ['Pending with no conditions yet', { ...base, metadata: meta(1), status: { phase: 'Pending', observedGeneration: 1 } }, 'Progressing', /Phase Pending/, 'InProgress'],
  ['a Ready status from an older generation', { ...base, metadata: meta(2), status: { phase: 'Complete', observedGeneration: 1, conditions: [cond('Ready', 'True', 'TaskComplete', 'done', 1)] } }, 'Progressing', /generation 1, waiting for generation 2/, 'InProgress'],
  ['a Ready condition written for an older generation', { ...base, metadata: meta(2), status: { phase: 'Complete', observedGeneration: 2, conditions: [cond('Ready', 'True', 'TaskComplete', 'done', 1)] } }, 'Progressing', /Phase Complete/, 'InProgress'],
  ['a seed-era status without any observedGeneration on conditions', { ...base, metadata: meta(1), status: { phase: 'Complete', observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'TaskComplete', message: 'ok' }] } }, 'Healthy', /ok/, 'Current'],
  ['no status at all', { ...base, metadata: meta(1) }, 'Progressing', /Waiting for the sei controller/, 'InProgress'],
];

describe('SeiNodeTask health: ArgoCD Lua and Flux CEL agree', () => {
  it.each(samples)('%s', (_scenario, object, argo, message, flux) => {
    const result = runArgoHealth(object);
    expect(result.status).toBe(argo);
    expect(result.message).toMatch(message);
    expect(runFluxHealth(object)).toBe(flux);
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
