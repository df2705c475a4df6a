/**
 * The plan manifest (cli.sei.io/v1alpha1 SeiTaskPlan) and the run model derived from it. Types
 * only: loading, graph building, naming and execution live in their own modules.
 */
import type { Catalog } from '../catalog/types.js';
import type { KubeObject } from '../cluster/types.js';
import type { KindLookup } from './load.js';

export const PLAN_API_VERSION = 'cli.sei.io/v1alpha1';
export const PLAN_KIND = 'SeiTaskPlan';

export type InputType = 'string' | 'integer' | 'number' | 'boolean';
export type Scalar = string | number | boolean;

export interface PlanInput {
  type: InputType;
  default?: Scalar;
  required?: boolean;
  enum?: Scalar[];
  description?: string;
}

export interface FailurePolicy {
  maxAttempts?: number;
  backoffSeconds?: number;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ForEach {
  selector?: LabelSelector;
  nodes?: string[];
  step?: string;
  /** With selector: only SeiNodes of this mode (fullNode, validator, …); '' = any. */
  mode?: string;
}

export interface PlanStep {
  id: string;
  kind?: string;
  description?: string;
  node?: string;
  forEach?: ForEach;
  maxParallel?: number;
  continueOnError?: boolean;
  failurePolicy?: FailurePolicy;
  approval?: { message: string };
  when?: string | boolean;
  params?: Record<string, unknown>;
  requirePhase?: string;
  timeoutSeconds?: number;
  dependsOn?: string[];
}

export interface PlanManifest {
  apiVersion: typeof PLAN_API_VERSION;
  kind: typeof PLAN_KIND;
  metadata: { name: string; namespace?: string; description?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    inputs?: Record<string, PlanInput>;
    failurePolicy?: FailurePolicy;
    steps: PlanStep[];
  };
}

/** A loaded plan: the manifest, its source text (stored in the run's ConfigMap) and where it came from. */
export interface LoadedPlan {
  manifest: PlanManifest;
  source: string;
  file: string;
}

/** A SeiNode as the plan sees it: enough to select, target and simulate. */
export interface FleetNode {
  name: string;
  labels: Record<string, string>;
  phase?: string;
  hasPeers: boolean;
  /** UID of pod <name>-0 when known (RestartPod). */
  podUid?: string;
  /** The SeiNode mode sub-struct that is set (fullNode, validator, archive, …), when known. */
  mode?: string;
  paused?: boolean;
  /** How many state syncers the node resolved (status.resolvedStateSyncers), when known. */
  stateSyncers?: number;
  /** The workflow the node adopted; failedHeld when it failed and holds the node. */
  workflow?: { name: string; failedHeld: boolean };
}

/** One fan-out item of a step: the node and its position. */
export interface PlanItem {
  index: number;
  node: string;
}

/** An item's decided outcome, kept in the run record so a deleted task cannot undecide it. */
export interface ItemVerdict {
  state: 'succeeded' | 'failed';
  attempts: number;
  task: string;
  reason?: string;
  message?: string;
  outputs?: Record<string, unknown>;
}

/** The options that shape a run, recorded at apply and honoured by every resume. */
export interface RunShape {
  /** Global cap on tasks in flight (0 or absent = none). */
  maxParallel?: number;
}

/** The step with its defaults applied and its dependencies made explicit. */
export interface GraphStep {
  step: PlanStep;
  /** Position in the manifest: the sei.io/plan-step-order annotation. */
  order: number;
  dependsOn: string[];
  maxAttempts: number;
  backoffSeconds: number;
  /** 0 = unbounded. */
  maxParallel: number;
  continueOnError: boolean;
  approval: boolean;
}

export type ItemState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface ItemStatus {
  index: number;
  node: string;
  state: ItemState;
  /** Attempts started so far (tasks created), 0 before the first. */
  attempts: number;
  maxAttempts: number;
  /** The latest attempt's task name (or the name the next attempt will get). */
  taskName: string;
  task?: KubeObject;
  reason?: string;
  message?: string;
  /** Epoch ms before which a retry must not start. */
  nextAttemptAt?: number;
  outputs?: Record<string, unknown>;
}

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'waiting-approval' | 'approved';

export interface StepStatus {
  id: string;
  kind?: string;
  order: number;
  state: StepState;
  items: ItemStatus[];
  /** Item resolution has not happened yet (the step has not started). */
  unresolved?: boolean;
  counts: { total: number; done: number; failed: number; running: number; pending: number };
  message?: string;
}

export type PlanPhase = 'Pending' | 'Running' | 'WaitingApproval' | 'Complete' | 'Failed' | 'Cancelled';

export interface FailedTaskDetail {
  name: string;
  kind: string;
  node: string;
  reason: string;
  message: string;
  attempts: number;
  maxAttempts: number;
}

export interface PlanVerdict {
  planId: string;
  planName: string;
  namespace: string;
  phase: PlanPhase;
  steps: StepStatus[];
  failedStep?: string;
  failedIndex?: number;
  failedTaskDetail?: FailedTaskDetail;
  /** The approval step the run waits for. */
  waitingFor?: { step: string; message: string };
  /** Failures tolerated by continueOnError steps. */
  toleratedFailures?: FailedTaskDetail[];
  tasks: { total: number; created: number };
  /**
   * `plan status` of an unfinished run: whether a `plan apply` / `plan resume` still drives it
   * (its heartbeat in the run record is recent), when it was last seen, and how to drive it again.
   */
  driver?: { driven: boolean; lastSeen: string; resume: string };
}

/** Where a plan comes from, as the plan commands take it. */
export interface PlanSource {
  /** Path or built-in plan name. */
  file: string;
  set?: string[];
  inputsFile?: string;
  templatesDir?: string;
  /**
   * The controller version the plan targets (which outputs exist): read from the cluster's CRD
   * when connected, else the --controller-version flag; default latest.
   */
  controllerVersion?: 'seed' | 'latest';
}

/** A plan loaded with its catalog, kind lookup and resolved inputs. */
export interface Prepared {
  catalog: Catalog;
  kinds: KindLookup;
  loaded: LoadedPlan;
  inputs: Record<string, Scalar>;
}
