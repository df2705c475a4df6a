/**
 * The SeiNodeTask as kubectl-sei reads it (sei-k8s-controller api/v1alpha1 SeiNodeTask): its
 * kind, its target node, the kind's payload under spec, and where it is in its life. One typed
 * reading instead of a plain-object guard in every module; what differs per kind is catalog data
 * (templates/tasks/*.meta.yaml), not branches here.
 */

export const TASK_API_VERSION = 'sei.io/v1alpha1';
export const TASK_KIND = 'SeiNodeTask';

/** The phases in which the controller never touches a task again. */
export const TERMINAL_PHASES = ['Complete', 'Failed'] as const;
export type TerminalPhase = (typeof TERMINAL_PHASES)[number];

/** The one plain-object guard: JSON objects decoded from YAML or the API. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value as an object, or an empty one (reading optional nested fields without guards). */
export function asRecord(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : {};
}

export interface SeiNodeTaskTarget {
  /** spec.target.nodeRef.name */
  node: string;
  /** spec.target.requirePhase; the controller's default is Running. */
  requirePhase: string;
}

export interface SeiNodeTask {
  name: string;
  namespace?: string;
  /** spec.kind, e.g. RestartPod. */
  kind: string;
  target: SeiNodeTaskTarget;
  /** spec.<payloadField>: the kind's parameters (e.g. spec.restartPod for RestartPod). */
  payloadField: string;
  payload: Record<string, unknown>;
  /** status.phase; Pending until the controller writes one. */
  phase: string;
  /** Complete or Failed: the verdict is in. */
  terminal: boolean;
  terminalPhase?: TerminalPhase;
}

/** The spec field that holds a kind's payload: the kind in camelCase (RestartPod → restartPod). */
export function payloadFieldOf(kind: string): string {
  return kind.charAt(0).toLowerCase() + kind.slice(1);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Reads an object as a SeiNodeTask; undefined when it is not one (another kind, or no spec.kind).
 * `payloadField` overrides the camelCase convention (a catalog entry may name another field).
 */
export function readSeiNodeTask(object: unknown, payloadField?: string): SeiNodeTask | undefined {
  if (!isPlainObject(object) || object['kind'] !== TASK_KIND) return undefined;
  const spec = asRecord(object['spec']);
  const kind = text(spec['kind']);
  if (!kind) return undefined;
  const metadata = asRecord(object['metadata']);
  const target = asRecord(spec['target']);
  const phase = text(asRecord(object['status'])['phase']) ?? 'Pending';
  const terminalPhase = (TERMINAL_PHASES as readonly string[]).includes(phase) ? (phase as TerminalPhase) : undefined;
  const field = payloadField ?? payloadFieldOf(kind);
  const namespace = text(metadata['namespace']);
  return {
    name: text(metadata['name']) ?? '',
    ...(namespace ? { namespace } : {}),
    kind,
    target: { node: text(asRecord(target['nodeRef'])['name']) ?? '', requirePhase: text(target['requirePhase']) ?? 'Running' },
    payloadField: field,
    payload: asRecord(spec[field]),
    phase,
    terminal: terminalPhase !== undefined,
    ...(terminalPhase ? { terminalPhase } : {}),
  };
}

/** A copy of the object with values merged into its payload (late values filled right before a write). */
export function withPayloadValues<T extends object>(object: T, payloadField: string, values: Record<string, unknown>): T {
  const spec = asRecord((object as { spec?: unknown }).spec);
  return { ...object, spec: { ...spec, [payloadField]: { ...asRecord(spec[payloadField]), ...values } } };
}
