/**
 * Pure rendering of one SeiNodeTask: (kind spec, typed params) -> template text -> object.
 * Handlebars (src/render/templates.ts) runs with noEscape (HTML escaping corrupts values: `=` would become `&#x3D;`), and
 * every value reaches the text through the `v` helper, which writes exactly one YAML scalar
 * (or flow collection) that YAML 1.1 and 1.2 read back as the input. Belt and braces: the
 * template is also rendered with probe tokens, and the real output must parse to exactly the
 * probe's structure with the tokens replaced by the inputs — so a template that substitutes
 * a value raw (`{{params.x}}`) or builds structure from values is refused, not trusted.
 * No I/O besides reading template files once; validation against the CRD is src/validate/.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { SeiError } from '../errors/sei-error.js';
import { LABELS } from '../domain/labels.js';
import type { Catalog, KindSpec } from '../catalog/types.js';
import type { KubeObject } from '../cluster/types.js';
import { coerceParams, rawFromValues, type RawParams } from './params.js';
import { defaultTaskName } from './name.js';
import { yamlFlow } from '../domain/yaml.js';
import { templateFor, withEmitter } from './templates.js';

export { toSafeYaml, yamlFlow, yamlString } from '../domain/yaml.js';
export { parseSetArgs, readValuesFile, mergeRawParams, rawFromValues, coerceParams, emptyRawParams, type RawParams } from './params.js';
export { defaultTaskName } from './name.js';

export const API_VERSION = 'sei.io/v1alpha1';
export const TASK_KIND = 'SeiNodeTask';

export interface RenderTaskInput {
  /** kebab name or PascalCase kind. */
  kind: string;
  node: string;
  name?: string;
  /** '' leaves metadata.namespace out: `task apply` then uses the context's, as kubectl does. */
  namespace: string;
  /** Typed values, or RawParams from --set/--values (typed here from the kind's schema). */
  params: Record<string, unknown> | RawParams;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The clock for 'time'-suffixed default names; pass it for reproducible output. */
  now?: Date;
  /** The random tag of 'time'-suffixed default names; pass it (with now) for reproducible output. */
  runTag?: string;
}

function isRaw(params: RenderTaskInput['params']): params is RawParams {
  return (params as RawParams).fromCommandLine instanceof Set && typeof (params as RawParams).values === 'object';
}

interface Context {
  name: string;
  namespace: string;
  node: string;
  kind: string;
  params: Record<string, unknown>;
  labels: Record<string, string>;
  annotations: Record<string, string> | undefined;
}

/**
 * Replaces every non-empty string by a token, so raw substitutions show. Keys are tokenized
 * where the template iterates (labels) or gets the whole value, not where it looks names up.
 */
function tokenize(value: unknown, tokens: Map<string, string>, keys = true): unknown {
  if (typeof value === 'string') {
    if (value === '') return value; // `{{#if}}` must branch the same way in the probe
    const token = `seiprobe${tokens.size}x`;
    tokens.set(token, value);
    return token;
  }
  if (Array.isArray(value)) return value.map((item) => tokenize(item, tokens));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [keys ? (tokenize(key, tokens) as string) : key, tokenize(item, tokens)]));
  }
  return value;
}

const TOKEN = /seiprobe[0-9]+x/g;
const EMITTED = /^seiemit([0-9]+)x$/;

function untokenize(value: unknown, tokens: Map<string, string>, emitted: unknown[]): unknown {
  if (typeof value === 'string') {
    const whole = EMITTED.exec(value);
    if (whole) return untokenize(emitted[Number(whole[1])], tokens, []);
    return value.replace(TOKEN, (token) => tokens.get(token) ?? token);
  }
  if (Array.isArray(value)) return value.map((item) => untokenize(item, tokens, emitted));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [untokenize(key, tokens, emitted) as string, untokenize(item, tokens, emitted)]));
  }
  return value;
}

function parseRendered(spec: KindSpec, text: string, version: '1.1' | '1.2' = '1.2'): unknown {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, version });
  if (document.errors.length > 0) {
    throw SeiError.invalid(`template ${spec.templatePath} did not render valid YAML: ${document.errors[0]!.message.split('\n')[0]}`, [], ['Substitute values only with {{v ...}} and keep the template a single YAML mapping.']);
  }
  return document.toJS({ maxAliasCount: 0 });
}

function unsafe(spec: KindSpec, detail: string): SeiError {
  return new SeiError(`template ${spec.templatePath} is unsafe: ${detail}`, {
    reason: 'UnsafeTemplate',
    exitCode: 2,
    httpCode: 400,
    hints: ['Substitute every value with {{v ...}} so it lands as exactly one YAML scalar; never build YAML structure from values.'],
  });
}

/** The text and object of one rendered task; the object is what gets validated and applied. */
export function renderTaskDocument(catalog: Catalog, input: RenderTaskInput): { object: KubeObject; text: string; spec: KindSpec } {
  const spec = catalog.require(input.kind);
  const params = coerceParams(spec, isRaw(input.params) ? input.params : rawFromValues(input.params));
  const name = input.name ?? defaultTaskName(spec, input.node, params, input.now ?? new Date(), input.runTag);
  const labels: Record<string, string> = { ...(input.labels ?? {}), [LABELS.managedBy]: 'kubectl-sei', [LABELS.taskKind]: spec.kind };
  // A label value is at most 63 characters; a longer node name is still found by spec.target.
  if (input.node.length <= 63) labels[LABELS.node] = input.node;
  const annotations = input.annotations && Object.keys(input.annotations).length > 0 ? input.annotations : undefined;
  const context: Context = { name, namespace: input.namespace, node: input.node, kind: spec.kind, params, labels, annotations };
  const template = templateFor(spec);

  let text: string;
  try {
    text = withEmitter({ emit: yamlFlow }, () => template(context));
  } catch (error) {
    throw SeiError.invalid(`template ${spec.templatePath} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const object = parseRendered(spec, text);
  // kubectl, ArgoCD and Flux read YAML 1.1: `yes` written raw would be a boolean there.
  if (!isDeepStrictEqual(parseRendered(spec, text, '1.1'), object)) throw unsafe(spec, 'YAML 1.1 readers (kubectl) would read a substituted value differently (a value written without {{v ...}}?)');

  // Probe: the same template over tokens; substituting the inputs back must give `object`.
  const tokens = new Map<string, string>();
  const emitted: unknown[] = [];
  const probeContext = {
    ...(tokenize({ name, namespace: input.namespace, node: input.node, kind: spec.kind }, tokens, false) as object),
    params: tokenize(params, tokens, false),
    labels: tokenize(labels, tokens, true),
    annotations: tokenize(annotations, tokens, true),
  };
  const probeText = withEmitter(
    {
      emit: (value) => {
        emitted.push(value);
        return `seiemit${emitted.length - 1}x`;
      },
    },
    () => template(probeContext),
  );
  let expected: unknown;
  try {
    expected = untokenize(parseRendered(spec, probeText), tokens, emitted);
  } catch {
    throw unsafe(spec, 'its structure depends on the substituted values');
  }
  if (!isDeepStrictEqual(object, expected)) throw unsafe(spec, 'a substituted value changed the YAML structure or type (a value written without {{v ...}}?)');

  if (object === null || typeof object !== 'object' || Array.isArray(object)) throw unsafe(spec, 'it must render one YAML mapping');
  const task = object as KubeObject & { spec?: { kind?: unknown } };
  const resource = spec.resource ?? TASK_KIND;
  if (task.apiVersion !== API_VERSION || task.kind !== resource) throw unsafe(spec, `it must render apiVersion ${API_VERSION}, kind ${resource}`);
  if (task.metadata?.name !== name || (task.metadata?.namespace ?? '') !== input.namespace) throw unsafe(spec, 'metadata must be {{> metadata}} (name and namespace as given)');
  if (task.spec?.kind !== spec.kind) throw unsafe(spec, `spec.kind must be ${spec.kind} (from ${spec.name}.meta.yaml)`);
  return { object: task, text, spec };
}

/** renderTask(catalog, input): the SeiNodeTask object, checked and ready to validate. */
export function renderTask(catalog: Catalog, input: RenderTaskInput): KubeObject {
  return renderTaskDocument(catalog, input).object;
}
