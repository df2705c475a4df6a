/**
 * What a task kind is, as data: loaded from templates/tasks/<kind>.yaml.hbs, its parameter
 * schema in schemas/kinds/, and a metadata entry. Adding a kind touches no command code.
 */
export type ApiFlavor = 'seed' | 'latest';

export type ParamType = 'string' | 'integer' | 'boolean';

export interface ParamSpec {
  name: string;
  type: ParamType;
  required: boolean;
  default?: string | number | boolean;
  enum?: string[];
  description: string;
  /** Filled in by preflight right before the write (e.g. RestartPod's podUID). */
  late?: boolean;
}

export interface OutputSpec {
  name: string;
  /** JSONPath into the SeiNodeTask, e.g. `{.status.outputs.govSoftwareUpgrade.proposalId}`. */
  jsonPath: string;
}

export interface KindSpec {
  /** PascalCase, as in spec.kind: "RestartPod". */
  kind: string;
  /** kebab-case CLI name: "restart-pod". */
  name: string;
  /** camelCase payload field under spec: "restartPod". */
  payloadField: string;
  /** The CRD versions whose spec.kind enum contains this kind. */
  apis: ApiFlavor[];
  description: string;
  params: ParamSpec[];
  /** The controller's per-kind default execution timeout when spec.timeoutSeconds is unset. */
  defaultTimeoutSeconds?: number;
  outputs: OutputSpec[];
  /** Named preflight checks run before the write, e.g. "target-exists", "target-has-peers". */
  preflight: string[];
  /** Gov kinds broadcast a transaction: a retry or re-creation broadcasts again. */
  broadcasts: boolean;
  /** Where the template came from (built-in or --templates-dir), for messages. */
  templatePath: string;
}

export interface Catalog {
  kinds(): KindSpec[];
  /** By kebab name or PascalCase kind; undefined when unknown. */
  find(nameOrKind: string): KindSpec | undefined;
  /** Like find, but throws a SeiError (exit 2) naming the known kinds and the closest match. */
  require(nameOrKind: string): KindSpec;
}
