// Issue 11: what `plan export` hands Argo Workflows and Chaos Mesh is checked against the
// engines' own definitions (../shared/engines/: Argo's JSON schema and full CRD with CEL, the
// Chaos Mesh Workflow CRD) and against the rules their code enforces
// (argo-workflows workflow/validate/validate.go @ f016ad89, chaos-mesh
// api/v1alpha1/workflow_webhook.go @ 608b61e7), and means what `plan apply` means.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { exportPlanWorkflow } from '../../src/services/plan-export.js';
import { renderPlan } from '../../src/services/plan-render.js';
import type { FleetNode } from '../../src/plan/types.js';
import { KUBECTL_SEI_IMAGE, KUBECTL_SEI_VERSION } from '../../src/domain/image.js';
import { taskDeadlineSeconds } from '../../src/domain/task-timeouts.js';
import { taskName } from '../../src/plan/naming.js';
import { argoLint, argoSchemaErrors, chaosLint, crdErrors, yamlReadersAgree } from '../support/engines.js';
import { compileCrdValidator, loadProjectCrd } from '../../src/validate/index.js';

const TASK_VALIDATORS = { seed: compileCrdValidator(loadProjectCrd('seinodetasks', 'seed')), latest: compileCrdValidator(loadProjectCrd('seinodetasks', 'latest')) };
/** Sample values for the engine's placeholders, as Argo substitutes them before kubectl reads the manifest. */
function argoSubstitute(text: string): string {
  return text.replace(/\{\{([^{}]+)\}\}/g, (_tag, name: string) => {
    if (name === 'inputs.parameters.node') return 'node-00';
    if (name === 'inputs.parameters.index' || name === 'inputs.parameters.attempt' || name === '=sprig.int(retries) + 1') return '1';
    if (name === 'inputs.parameters.name-prefix') return 'x-';
    if (name === 'workflow.uid' || name === 'inputs.parameters.late-value') return '6f1c1e0a-5e1d-4c3b-9a57-5e1000000001';
    return '7'; // an output passed between steps (proposalId)
  });
}
/** The project's SeiNodeTask CRD of the version that serves the kind (MarkReady: latest only). */
const taskErrors = (manifest: Rec) => {
  const seed = TASK_VALIDATORS.seed.validate(manifest, { checkMetadata: false }).causes;
  const causes = seed.some((c) => c.field === 'spec.kind') ? TASK_VALIDATORS.latest.validate(manifest, { checkMetadata: false }).causes : seed;
  return causes.map((c) => `${c.field}: ${c.message}`);
};

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- structural assertions over engine YAML

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'plans');
const ROOT = join(import.meta.dirname, '..', '..');
const ID = '3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7a8b9c';
const NS = 'arctic-1';
const fleet: FleetNode[] = Array.from({ length: 7 }, (_, i) => ({ name: `node-0${i}`, labels: { 'sei.io/chain': 'arctic-1' }, phase: 'Running', hasPeers: true }));
const dir = mkdtempSync(join(tmpdir(), 'sei-engines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function planFile(name: string, text: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

async function exported(to: 'argo-workflows' | 'chaos-mesh', file: string, set: string[] = []) {
  return exportPlanWorkflow({ to, file, fleet, namespace: NS, planId: ID, ...(set.length ? { set } : {}) });
}

const ARGO_PLANS = ['refresh-peers', join(FIXTURES, 'gov-upgrade.yaml'), join(FIXTURES, 'approval.yaml'), join(FIXTURES, 'restarts.yaml'), join(FIXTURES, 'two-steps.yaml'), join(FIXTURES, 'discover-retry.yaml')];
const CHAOS_PLANS = ['refresh-peers', join(FIXTURES, 'restarts.yaml'), join(FIXTURES, 'two-steps.yaml'), join(FIXTURES, 'discover-retry.yaml')];

function resources(wf: Rec): Rec[] {
  return wf.spec.templates.filter((t: Rec) => t.resource);
}

describe('every export passes the engine definitions', () => {
  it.each(ARGO_PLANS)('argo-workflows %s: JSON schema, full CRD with CEL, argo lint rules; manifests admitted by the SeiNodeTask CRD shape', async (file) => {
    const { object, text } = await exported('argo-workflows', file);
    expect(argoSchemaErrors(object)).toEqual([]);
    expect(crdErrors('argo-workflows.crd-full.yaml', object)).toEqual([]);
    expect(argoLint(object as Rec)).toEqual([]);
    expect(yamlReadersAgree(text).same).toBe(true);
    for (const r of resources(object as Rec)) {
      expect(yamlReadersAgree(r.resource.manifest).same).toBe(true);
      expect(taskErrors(parse(argoSubstitute(r.resource.manifest))), r.name).toEqual([]);
    }
  });

  it.each(CHAOS_PLANS)('chaos-mesh %s: Workflow CRD and webhook rules', async (file) => {
    const { object, text } = await exported('chaos-mesh', file);
    expect(crdErrors('chaos-mesh.workflows.crd.yaml', object)).toEqual([]);
    expect(chaosLint(object as Rec)).toEqual([]);
    expect(yamlReadersAgree(text).same).toBe(true);
    for (const t of (object as Rec).spec.templates.filter((x: Rec) => x.task?.container?.env?.some((e: Rec) => e.name === 'SEI_TASK'))) {
      const manifest = t.task.container.env.find((e: Rec) => e.name === 'SEI_TASK').value;
      expect(yamlReadersAgree(manifest).same).toBe(true);
      expect(taskErrors(parse(manifest)), t.name).toEqual([]);
    }
  });
});

describe('item 1: YAML every reader reads the same', () => {
  it('a vote option "yes" stays a string for kubectl (YAML 1.1) in the export, its resource manifest, and plan render', async () => {
    const { object, text } = await exported('argo-workflows', join(FIXTURES, 'gov-upgrade.yaml'));
    const vote = resources(object as Rec).find((t) => t.name.endsWith('vote-create'))!;
    const agree = yamlReadersAgree(vote.resource.manifest);
    expect(agree.same).toBe(true);
    expect((agree.yaml11 as Rec[])[0]!.spec.govVote.option).toBe('yes');
    expect(text).toContain('option: "yes"');
    const plain = planFile('vote-yes', `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: vote-yes}
spec:
  steps:
    - id: vote
      kind: GovVote
      node: node-00
      params: {chainId: arctic-1, proposalId: 3, option: "yes", fees: 4000usei, gas: 200000}
`);
    const rendered = await renderPlan({ file: plain, fleet, namespace: NS, planId: ID });
    const read = yamlReadersAgree(rendered.text);
    expect(read.same).toBe(true);
    expect((read.yaml11 as Rec[])[0]!.spec.govVote.option).toBe('yes');
  });
});

describe('item 2: template names never collide and satisfy the engines', () => {
  const odd = `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: odd}
spec:
  steps:
    - {id: plan, kind: DiscoverPeers, node: node-00}
    - {id: x, kind: DiscoverPeers, node: node-01}
    - {id: x-task, kind: DiscoverPeers, node: node-02}
    - {id: 1st, kind: DiscoverPeers, node: node-03}
    - {id: x-create, kind: RestartPod, forEach: {nodes: [node-00, node-01]}}
`;
  it('argo: a step `plan`, `x` next to `x-task`, a step starting with a digit: unique templates, lint-clean DAG', async () => {
    const { object } = await exported('argo-workflows', planFile('odd', odd));
    expect(argoLint(object as Rec)).toEqual([]);
    expect(crdErrors('argo-workflows.crd-full.yaml', object)).toEqual([]);
    const dag = (object as Rec).spec.templates.find((t: Rec) => t.name === (object as Rec).spec.entrypoint).dag.tasks as Rec[];
    expect(dag.map((t) => t.name)).toEqual(['s0-plan', 's1-x', 's2-x-task', 's3-1st', 's4-x-create']);
  });
  it('chaos-mesh: the same plan, DNS-1123 unique names', async () => {
    const { object } = await exported('chaos-mesh', planFile('odd', odd));
    expect(chaosLint(object as Rec)).toEqual([]);
  });
});

describe('item 3: a failed fan-out item stops the step, as plan apply does', () => {
  it('argo: the withItems template has failFast unless the step has continueOnError', async () => {
    const { object } = await exported('argo-workflows', 'refresh-peers');
    const fanOuts = (object as Rec).spec.templates.filter((t: Rec) => t.steps?.[0]?.[0]?.withItems);
    expect(fanOuts.map((t: Rec) => [t.name, t.failFast, t.parallelism])).toEqual([['s0-discover-items', true, 10], ['s1-restart-items', true, 1]]);
    const tolerant = planFile('tolerant', `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: tolerant}
spec:
  steps:
    - {id: discover, kind: DiscoverPeers, forEach: {nodes: [node-00, node-01]}, continueOnError: true, maxParallel: 1}
`);
    const tol = (await exported('argo-workflows', tolerant)).object as Rec;
    const items = tol.spec.templates.find((t: Rec) => t.name === 's0-discover-items');
    expect(items.failFast).toBeUndefined();
    expect(items.steps[0][0].continueOn).toEqual({ failed: true });
  });
});

describe('item 4: when is decided at export from the inputs', () => {
  const gated = `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: gated}
spec:
  inputs:
    upgrade: {type: string, default: "no"}
    image: {type: string, default: "ghcr.io/sei-protocol/seid:v7.0.0"}
  steps:
    - {id: discover, kind: DiscoverPeers, node: node-00}
    - {id: upgrade, kind: UpdateNodeImage, node: node-00, when: "{{ inputs.upgrade }}", params: {image: "{{ inputs.image }}"}}
    - {id: restart, kind: RestartPod, node: node-00}
`;
  it.each(['no', '0', 'false', 'off', ''])('when %j is false in plan apply: the step is left out, with a comment, in both engines', async (value) => {
    const file = planFile('gated', gated);
    for (const to of ['argo-workflows', 'chaos-mesh'] as const) {
      const { object, text, notes } = await exported(to, file, [`upgrade=${value}`]);
      expect(JSON.stringify(object)).not.toContain('upgrade-');
      expect(JSON.stringify(object)).not.toMatch(/"when"/);
      expect(notes).toEqual([expect.stringMatching(/^step upgrade: left out, when/)]);
      expect(text.startsWith('# step upgrade: left out')).toBe(true);
    }
    const dag = ((await exported('argo-workflows', file, [`upgrade=${value}`])).object as Rec).spec.templates[0].dag.tasks as Rec[];
    // The skipped step's dependents follow what it followed.
    expect(dag.map((t) => [t.name, t.dependencies ?? []])).toEqual([['s0-discover', []], ['s2-restart', ['s0-discover']]]);
  });
  it("a quote in the input does not break it, and 'yes' runs the step", async () => {
    const { object } = await exported('argo-workflows', planFile('gated', gated), ["upgrade=it's"]);
    expect((object as Rec).spec.templates[0].dag.tasks.map((t: Rec) => t.name)).toEqual(['s0-discover', 's1-upgrade', 's2-restart']);
  });
  it('a when that reads step outputs is refused (exit 2), naming the step', async () => {
    const file = planFile('late-when', `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: late-when}
spec:
  steps:
    - {id: img, kind: UpdateNodeImage, node: node-00, params: {image: "ghcr.io/sei-protocol/seid:v7.0.0"}}
    - {id: again, kind: DiscoverPeers, node: node-00, dependsOn: [img], when: "{{ steps.img.outputs.appliedImage }}"}
`);
    await expect(exported('argo-workflows', file)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/step again: when .* reads step outputs/) });
  });
});

describe('item 5: re-submitting, resubmit and retry create new tasks', () => {
  it('tasks use generateName (≤ 58 characters, shortened like plan render), plan id = the workflow run, attempt from the retry', async () => {
    const { object } = await exported('argo-workflows', 'refresh-peers');
    for (const r of resources(object as Rec)) {
      const manifest = parse(r.resource.manifest);
      expect(manifest.metadata.name).toBeUndefined();
      expect(manifest.metadata.labels['sei.io/plan-id']).toBe('{{workflow.uid}}');
      expect(Object.keys(manifest.metadata.labels)).toContain('sei.io/plan-attempt');
    }
    const restart = resources(object as Rec).find((t) => t.name === 's1-restart-create')!;
    expect(parse(restart.resource.manifest).metadata.labels['sei.io/plan-attempt']).toBe('{{inputs.parameters.attempt}}');
    const item = (object as Rec).spec.templates.find((t: Rec) => t.name === 's1-restart-item');
    // upstream workflow/controller/operator_test.go:1489 (f016ad89) uses sprig.int(retries) in an expression tag
    expect(item.steps[1][0].arguments.parameters).toContainEqual({ name: 'attempt', value: '{{=sprig.int(retries) + 1}}' });
    const items = (object as Rec).spec.templates.find((t: Rec) => t.name === 's1-restart-items').steps[0][0].withItems as Rec[];
    expect(items[3]).toEqual({ node: 'node-03', index: '3', 'name-prefix': `${taskName('refresh-peers', ID, 'restart', 3)}-` });
  });
  it('a long plan name and step id: the prefix is shortened to 58 characters with a hash, a DNS-1123 label', async () => {
    const long = planFile('long', `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: refresh-every-validator-of-pacific-chain}
spec:
  steps:
    - {id: discover-peers-every-validator, kind: DiscoverPeers, forEach: {nodes: [node-00, node-01]}}
`);
    const wf = (await exported('argo-workflows', long)).object as Rec;
    const prefixes = wf.spec.templates.find((t: Rec) => t.name.endsWith('-items')).steps[0][0].withItems.map((i: Rec) => i['name-prefix']) as string[];
    for (const prefix of prefixes) {
      expect(prefix.length).toBeLessThanOrEqual(58);
      expect(`${prefix}abcde`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(new Set(prefixes).size).toBe(2);
  });
});

describe('item 6: Chaos Mesh tasks run commands that exist and stop the plan on a failure', () => {
  it('each task applies the rendered manifest with kubectl-sei task apply --wait: kind, timeoutSeconds, requirePhase, labels as plan apply', async () => {
    const file = planFile('cm', `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: cm}
spec:
  steps:
    - {id: img, kind: UpdateNodeImage, node: node-00, timeoutSeconds: 900, requirePhase: Running, params: {image: "ghcr.io/sei-protocol/seid:v7.0.0"}}
    - {id: restart, kind: RestartPod, forEach: {nodes: [node-00, node-01]}, maxParallel: 1}
`);
    const wf = (await exported('chaos-mesh', file)).object as Rec;
    const byName = new Map<string, Rec>(wf.spec.templates.map((t: Rec) => [t.name, t]));
    const img = byName.get('s0-img-0')!;
    expect(img.task.container.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(img.task.container.command[2]).toContain('kubectl-sei task apply -f - -n "$SEI_NAMESPACE" --wait --timeout "$SEI_TIMEOUT"');
    const env = Object.fromEntries(img.task.container.env.map((e: Rec) => [e.name, e.value]));
    const task = parse(env.SEI_TASK);
    expect(task).toMatchObject({ kind: 'SeiNodeTask', metadata: { name: taskName('cm', ID, 'img', 0), labels: { 'sei.io/plan-id': ID, 'sei.io/plan-step': 'img', 'sei.io/plan-attempt': '1' } }, spec: { kind: 'UpdateNodeImage', timeoutSeconds: 900, target: { requirePhase: 'Running' } } });
    expect(env.SEI_TIMEOUT).toBe(`${taskDeadlineSeconds('UpdateNodeImage', 900)}s`);
    expect(img.deadline).toBe(`${taskDeadlineSeconds('UpdateNodeImage', 900) + 60}s`);
    // The pod UID is read right before the apply, in the same container.
    const restart = byName.get('s1-restart-1')!;
    const restartEnv = Object.fromEntries(restart.task.container.env.map((e: Rec) => [e.name, e.value]));
    expect(restartEnv.SEI_POD).toBe('node-01-0');
    expect(restart.task.container.command[2]).toMatch(/kubectl get pod "\$SEI_POD".*\n.*sed "s\/@LATE_VALUE@\/\$late\/"/s);
    expect(parse(restartEnv.SEI_TASK).spec.restartPod.podUID).toBe('@LATE_VALUE@');
    // The commands exist: task apply with these flags, and the image has kubectl.
    const applySource = readFileSync(join(ROOT, 'src', 'commands', 'task', 'apply.ts'), 'utf8');
    for (const flag of ['filename', 'wait', 'timeout']) expect(applySource).toMatch(new RegExp(`\\b${flag}: (Flags|timeoutFlag)`));
  });

  it('a gate after each batch branches to the rest of the plan only on exit code 0; continueOnError has none', async () => {
    const file = planFile('cm2', `apiVersion: cli.sei.io/v1alpha1
kind: SeiTaskPlan
metadata: {name: cm2}
spec:
  steps:
    - {id: discover, kind: DiscoverPeers, forEach: {nodes: [node-00, node-01, node-02]}, maxParallel: 2}
    - {id: tolerant, kind: DiscoverPeers, node: node-03, continueOnError: true}
    - {id: last, kind: DiscoverPeers, node: node-04}
`);
    const wf = (await exported('chaos-mesh', file)).object as Rec;
    const byName = new Map<string, Rec>(wf.spec.templates.map((t: Rec) => [t.name, t]));
    // Walk the chain from the entry: what runs, in order, and what decides to go on.
    const walk: string[] = [];
    let at: Rec | undefined = byName.get(byName.get(wf.spec.entry)!.children[0]);
    while (at) {
      const [run, next] = at.children as string[];
      walk.push(run!);
      const nextTemplate = next ? byName.get(next) : undefined;
      if (nextTemplate?.templateType === 'Task') {
        expect(nextTemplate.conditionalBranches).toHaveLength(1);
        expect(nextTemplate.conditionalBranches[0].expression).toBe('exitCode == 0');
        walk.push(`gate(${nextTemplate.task.container.env.find((e: Rec) => e.name === 'SEI_SELECTOR').value})`);
        at = byName.get(nextTemplate.conditionalBranches[0].target);
      } else {
        at = nextTemplate;
      }
    }
    expect(walk).toEqual([
      's0-discover-batch-0', `gate(sei.io/plan-id=${ID},sei.io/plan-step=discover)`,
      's0-discover-batch-1', `gate(sei.io/plan-id=${ID},sei.io/plan-step=discover)`,
      's1-tolerant-batch-0',
      's2-last-batch-0',
    ]);
    expect(byName.get('s0-discover-batch-0')!.children).toEqual(['s0-discover-0', 's0-discover-1']);
  });

  it('refuses --service-account, which Chaos Mesh Task pods cannot have', async () => {
    await expect(exportPlanWorkflow({ to: 'chaos-mesh', file: 'refresh-peers', fleet, namespace: NS, planId: ID, serviceAccount: 'ops' })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/default service account/) });
  });

  it('names the RBAC the Task pods need: they run as the namespace default service account (pkg/workflow/task/pod.go)', async () => {
    const { rbac } = await exported('chaos-mesh', 'refresh-peers');
    const binding = rbac.find((o) => o.kind === 'RoleBinding') as Rec;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'default', namespace: NS }]);
    const rules = (rbac.find((o) => o.kind === 'Role') as Rec).rules as Rec[];
    expect(rules).toContainEqual({ apiGroups: ['sei.io'], resources: ['seinodetasks'], verbs: expect.arrayContaining(['create', 'get', 'watch', 'patch']) });
  });
});

describe('item 9: Argo exports name a service account and its Role, a real kubectl image, deadlines per kind', () => {
  it('serviceAccountName, a Role with workflowtaskresults create/patch, the RoleBinding, the kubectl-sei image for the uid reader', async () => {
    const { object, rbac, text } = await exportPlanWorkflow({ to: 'argo-workflows', file: 'refresh-peers', fleet, namespace: NS, planId: ID, withRbac: true });
    const wf = object as Rec;
    expect(wf.spec.serviceAccountName).toBe('kubectl-sei-plan');
    expect(rbac.map((o) => o.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding']);
    expect((rbac[1] as Rec).rules).toContainEqual({ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] });
    expect((rbac[2] as Rec).subjects).toEqual([{ kind: 'ServiceAccount', name: 'kubectl-sei-plan', namespace: NS }]);
    expect(text.split('\n---\n').length).toBe(4);
    const reader = wf.spec.templates.find((t: Rec) => t.script);
    expect(reader.script.image).toBe(KUBECTL_SEI_IMAGE);
  });
  it('every resource template has activeDeadlineSeconds from the kind timeout (spec.timeoutSeconds, else the controller default)', async () => {
    for (const file of ARGO_PLANS) {
      const wf = (await exported('argo-workflows', file)).object as Rec;
      for (const r of resources(wf)) {
        const manifest = parse(r.resource.manifest);
        expect(r.activeDeadlineSeconds, r.name).toBe(String(taskDeadlineSeconds(manifest.spec.kind, manifest.spec.timeoutSeconds)));
      }
    }
    expect(taskDeadlineSeconds('RestartPod')).toBe(600 + 300 + 60);
    expect(taskDeadlineSeconds('GovVote')).toBe(24 * 3600);
  });
});

describe('item 10: the default image is the one the project builds', () => {
  it('the Containerfile installs kubectl and kubectl-sei, documents the tag the exports use, pinned to the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(KUBECTL_SEI_VERSION).toBe(pkg.version);
    expect(KUBECTL_SEI_IMAGE).toBe(`ghcr.io/sei-protocol/kubectl-sei:${pkg.version}`);
    const containerfile = readFileSync(join(ROOT, 'Containerfile'), 'utf8');
    expect(containerfile).toContain(`ARG KUBECTL_SEI_VERSION=${pkg.version}`);
    // kubectl of the minor the project tests against (/usr/bin/kubectl 1.32), checksum-verified.
    expect(containerfile).toMatch(/^ARG KUBECTL_VERSION=v1\.32\.\d+$/m);
    expect(containerfile).toContain('https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl"');
    expect(containerfile).toContain('sha256sum -c -');
    expect(containerfile).toContain('npm install -g --omit=dev /tmp/kubectl-sei-${KUBECTL_SEI_VERSION}.tgz');
    expect(containerfile).toContain(`podman build -t ${KUBECTL_SEI_IMAGE} .`);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(KUBECTL_SEI_IMAGE);
  });
});
