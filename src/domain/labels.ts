/**
 * Label and annotation keys kubectl-sei writes on the objects it creates. They are the
 * contract between plan runs, GitOps commits and later commands (status, resume, wait), and are
 * how state is recovered from the cluster alone.
 */
export const FIELD_MANAGER = 'kubectl-sei';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** The SeiNode a task targets (mirrors spec.target.nodeRef.name for selectors). */
  node: 'sei.io/node',
  /** PascalCase task kind. */
  taskKind: 'sei.io/task-kind',
  planId: 'sei.io/plan-id',
  planStep: 'sei.io/plan-step',
  /** Fan-out item index within the step, "0" for a step without forEach. */
  planIndex: 'sei.io/plan-index',
  /** 1-based attempt number (the Run counter); a retry is a new task with attempt + 1. */
  planAttempt: 'sei.io/plan-attempt',
} as const;

export const ANNOTATIONS = {
  /** Position of the plan step in execution order, "0", "1", ...: GitOps ordering reads it. */
  planStepOrder: 'sei.io/plan-step-order',
  planName: 'sei.io/plan-name',
} as const;
