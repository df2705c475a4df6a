/**
 * What a task kind is, as data: loaded from templates/tasks/<kind>.yaml.hbs, its parameter
 * schema in schemas/kinds/, and a metadata entry. Adding a kind touches no command code.
 */
export type ApiFlavor = 'seed' | 'latest';

/**
 * 'json' is a structured value (an object, an array or any JSON scalar), e.g. GovParamChange's
 * `changes`: on the command line it is JSON text, in a --values file plain YAML.
 */
export type ParamType = 'string' | 'integer' | 'boolean' | 'json';

export interface ParamSpec {
  name: string;
  type: ParamType;
  required: boolean;
  default?: string | number | boolean;
  enum?: string[];
  description: string;
  /** Filled in by preflight right before the write (e.g. RestartPod's podUID). */
  late?: boolean;
  /** Other spellings accepted by --set / --values, e.g. AwaitCondition's `height.targetHeight`. */
  aliases?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

export interface OutputSpec {
  name: string;
  /** JSONPath into the SeiNodeTask, e.g. `{.status.outputs.govSoftwareUpgrade.proposalId}`. */
  jsonPath: string;
  /**
   * The controller versions that write it (the CRD declares more than any version fills: await
   * outputs are published by none, gov outputs only by the latest). Default: both.
   */
  publishedBy: ApiFlavor[];
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
  /** The parameter JSON Schema this spec was read from (schemas/kinds/<name>.schema.json). */
  schemaPath?: string;
  /**
   * How the default task name ends: 'params' = a short hash of node + params (re-running the
   * same operation finds the same task: apply-once), 'time' = a UTC timestamp (an operation
   * meant to be repeated, like a restart, gets a new task each run).
   */
  nameSuffix?: 'params' | 'time';
  /** Alternatives of which at least one group must be fully set (JSON Schema anyOf/required). */
  requireOneOf?: string[][];
  /** Late parameters (meta `late`), each with the resolver that reads it right before the write. */
  lateValues: LateValue[];
  /** The task deletes the target's pod by uid: follow that pod; after a GitOps sync, check it restarted. */
  restartsPod: boolean;
  /** seid reads what this task writes only when it restarts (a restart must complete after it). */
  takesEffectOnRestart: boolean;
  /** On a cluster whose SeiNodeTask CRD does not serve this kind: the kind that does the job there. */
  replacedBy?: string;
  /** Why a cluster may not serve this kind (API skew), for the refusal. */
  unservedBecause?: string;
  /** What a broadcast puts on chain (vote, proposal), for the --replace warning. */
  broadcastNoun?: string;
  /** The controller rolls the change out through the node's plan (UpdateNodeImage): follow that plan while waiting. */
  followsNodePlan: boolean;
  /** The object the template renders: SeiNodeTask (default) or SeiNodeTaskWorkflow. */
  resource?: ResourceKind;
  /** Wipes data or otherwise cannot be undone: the paved road asks for confirmation. */
  destructive?: boolean;
  /** Workflow kinds: the controller's plan task types of the recipe, in order (for narration). */
  steps?: string[];
}

/** Names of the resolvers that read late values from the cluster (src/services/kind-behaviour.ts). */
export const LATE_RESOLVERS = ['live-pod-uid'] as const;
export type LateResolverName = (typeof LATE_RESOLVERS)[number];

export interface LateValue {
  /** The parameter, e.g. podUID. */
  param: string;
  /** How it is read; without one the user must give it (--set) before the write. */
  resolver?: LateResolverName;
}

export type ResourceKind = 'SeiNodeTask' | 'SeiNodeTaskWorkflow';

export interface Catalog {
  kinds(): KindSpec[];
  /** By kebab name or PascalCase kind; undefined when unknown. */
  find(nameOrKind: string): KindSpec | undefined;
  /** Like find, but throws a SeiError (exit 2) naming the known kinds and the closest match. */
  require(nameOrKind: string): KindSpec;
}
