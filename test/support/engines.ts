/**
 * The engines' own definitions, as tests check exports and committed trees against them:
 * Argo's JSON schema (ajv) and full CRD (openAPIV3Schema + x-kubernetes-validations CEL through
 * the project's validation engine), the Chaos Mesh Workflow CRD, the Flux Kustomization CRD,
 * and the rules that no schema states but the engines' code enforces (names, references).
 * The files are read from ../shared/engines/ (see its README for the upstream commits).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse, parseAllDocuments } from 'yaml';
import { compileCrdValidator, type ObjectValidator } from '../../src/validate/crd-validator.js';
import type { CrdDocument } from '../../src/validate/crd-types.js';

export const ENGINES_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'engines');

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- engine objects are untyped JSON

let argoSchema: ((value: unknown) => string[]) | undefined;
/** ajv against api/jsonschema/schema.json#/definitions/io.argoproj.workflow.v1alpha1.Workflow. */
export function argoSchemaErrors(workflow: unknown): string[] {
  if (!argoSchema) {
    const schema = JSON.parse(readFileSync(join(ENGINES_DIR, 'argo-workflows.schema.json'), 'utf8')) as Rec;
    const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(schema);
    const validate = ajv.getSchema(`${schema['$id']}#/definitions/io.argoproj.workflow.v1alpha1.Workflow`)!;
    argoSchema = (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  }
  return argoSchema(workflow);
}

const validators = new Map<string, ObjectValidator>();
function crdValidator(file: string, version: string): ObjectValidator {
  const key = `${file}@${version}`;
  if (!validators.has(key)) {
    const crd = parseAllDocuments(readFileSync(join(ENGINES_DIR, file), 'utf8')).map((d) => d.toJS()).find((d) => d?.kind === 'CustomResourceDefinition') as CrdDocument;
    validators.set(key, compileCrdValidator(crd, version));
  }
  return validators.get(key)!;
}

/** The CRD's openAPIV3Schema and CEL rules, as the apiserver would admit the object (metadata.name may be a generateName). */
export function crdErrors(file: 'argo-workflows.crd-full.yaml' | 'chaos-mesh.workflows.crd.yaml' | 'flux.kustomizations.crd.yaml', object: unknown, version = 'v1alpha1'): string[] {
  return crdValidator(file, version).validate(object, { checkMetadata: false }).causes.map((c) => `${c.field}: ${c.message}`);
}

const ARGO_FIELD_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const ARGO_PARAM_NAME = /^[-a-zA-Z0-9_]+$/;

/**
 * What workflow/validate/validate.go (argo lint, the controller) refuses beyond the schema:
 * template names unique and well formed (≤ 128, isValidWorkflowFieldName), every referenced
 * template defined, DAG task names unique, not starting with a digit when they have
 * dependencies, dependencies naming tasks of the same DAG, parameter names well formed.
 */
export function argoLint(workflow: Rec): string[] {
  const errors: string[] = [];
  const templates: Rec[] = workflow.spec.templates;
  const names = templates.map((t) => t.name as string);
  if (new Set(names).size !== names.length) errors.push(`duplicate template names: ${names.filter((n, i) => names.indexOf(n) !== i).join(', ')}`);
  for (const name of names) if (!ARGO_FIELD_NAME.test(name) || name.length > 128) errors.push(`template name ${name} is invalid`);
  if (!names.includes(workflow.spec.entrypoint)) errors.push(`entrypoint ${workflow.spec.entrypoint} is not a template`);
  for (const t of templates) {
    for (const p of t.inputs?.parameters ?? []) if (!ARGO_PARAM_NAME.test(p.name)) errors.push(`${t.name}: parameter name ${p.name}`);
    for (const group of t.steps ?? []) for (const s of group) if (!names.includes(s.template)) errors.push(`${t.name}: step ${s.name} references undefined template ${s.template}`);
    if (t.dag) {
      const tasks: Rec[] = t.dag.tasks;
      const taskNames = tasks.map((k) => k.name as string);
      if (new Set(taskNames).size !== taskNames.length) errors.push(`${t.name}: duplicate task names`);
      for (const k of tasks) {
        if (!names.includes(k.template)) errors.push(`${t.name}: task ${k.name} references undefined template ${k.template}`);
        if (!ARGO_FIELD_NAME.test(k.name)) errors.push(`${t.name}: task name ${k.name} is invalid`);
        if ((k.dependencies ?? k.depends) && /^[0-9]/.test(k.name)) errors.push(`templates.${t.name}.tasks.${k.name} name cannot begin with a digit when using either 'depends' or 'dependencies'`);
        for (const dep of k.dependencies ?? []) if (!taskNames.includes(dep)) errors.push(`${t.name}: task ${k.name} depends on unknown task ${dep}`);
      }
    }
  }
  return errors;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** api/v1alpha1/workflow_webhook.go: entry exists, names DNS-1123 subdomains and unique, children exist, Task-only fields. */
export function chaosLint(workflow: Rec): string[] {
  const errors: string[] = [];
  const templates: Rec[] = workflow.spec.templates;
  const names = templates.map((t) => t.name as string);
  if (new Set(names).size !== names.length) errors.push(`template name must be unique, duplicated names: ${names.filter((n, i) => names.indexOf(n) !== i).join(', ')}`);
  if (!names.includes(workflow.spec.entry)) errors.push(`can not find a template with name ${workflow.spec.entry}`);
  for (const t of templates) {
    if (!DNS1123_SUBDOMAIN.test(t.name) || t.name.length > 253) errors.push(`field name must be DNS-1123 subdomain: ${t.name}`);
    for (const child of t.children ?? []) if (!names.includes(child)) errors.push(`${t.name}: can not find a template with name ${child}`);
    if (t.templateType !== 'Task' && t.conditionalBranches) errors.push(`${t.name}: this template should not contain ConditionalBranches`);
    if (t.templateType !== 'Task' && t.task) errors.push(`${t.name}: this template should not contain Task`);
    for (const branch of t.conditionalBranches ?? []) if (!names.includes(branch.target)) errors.push(`${t.name}: branch target ${branch.target} does not exist`);
  }
  return errors;
}

/** A YAML text that YAML 1.1 (kubectl's sigs.k8s.io/yaml, Argo's executor) and YAML 1.2 read as the same data. */
export function yamlReadersAgree(text: string): { same: boolean; yaml11: unknown; yaml12: unknown } {
  const yaml12 = parseAllDocuments(text).map((d) => d.toJS());
  const yaml11 = parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS());
  return { same: JSON.stringify(yaml11) === JSON.stringify(yaml12), yaml11, yaml12 };
}

export { parse };
