/**
 * waitForTasks: follow any number of SeiNodeTasks in one namespace with ONE client.watch, and
 * give each its verdict as soon as it is known (Complete, Failed, Deleted), the rest Timeout or
 * Interrupted. What is watched:
 *   - one name, no selector      → fieldSelector metadata.name=<name> (only that object's events);
 *   - a label selector           → that selector (names, if also given, filter client-side);
 *   - several names, no selector → the whole namespace, filtered client-side: still one
 *     connection, and cheaper than N watches (the apiserver filters nothing for a name list).
 * With neither names nor a selector, every task of the namespace is followed. The followed set
 * is fixed by the first list (as kubectl wait); tasks created later are ignored.
 * Must not: write to the cluster, print, or poll.
 */
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { SeiError } from '../errors/sei-error.js';
import type { TaskOutcome, TaskVerdict, WaitRequest } from './types.js';
import { satisfies, taskVerdict } from './verdict.js';
import { waitDeadline } from './wait-deadline.js';

export const TASK_API = { apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTask' } as const;

export function watchScope(request: Pick<WaitRequest, 'names' | 'labelSelector'>): { labelSelector?: string; fieldSelector?: string } {
  if (request.labelSelector) return { labelSelector: request.labelSelector };
  if (request.names?.length === 1) return { fieldSelector: `metadata.name=${request.names[0]}` };
  return {};
}

export async function waitForTasks(client: ClusterClient, request: WaitRequest): Promise<TaskVerdict[]> {
  const started = Date.now();
  const explicit = request.names !== undefined && request.names.length > 0;
  const followed = new Set<string>(explicit ? request.names : []);
  const last = new Map<string, KubeObject>();
  const verdicts = new Map<string, TaskVerdict>();
  let synced = false;

  const finish = (name: string, outcome: TaskOutcome, reason?: string, message?: string): void => {
    if (verdicts.has(name)) return;
    const verdict: TaskVerdict = {
      name,
      namespace: request.namespace,
      outcome,
      ...(reason !== undefined ? { reason } : {}),
      ...(message !== undefined ? { message } : {}),
      ...(last.has(name) ? { object: last.get(name) } : {}),
      durationMs: Date.now() - started,
      satisfied: satisfies(outcome, request.for),
    };
    verdicts.set(name, verdict);
    if (followed.has(name)) undecided--;
    request.onVerdict?.(verdict);
  };
  // A counter, not a scan: this runs on every event of a 1,000-task wait.
  let undecided = followed.size;
  const follow = (name: string) => {
    followed.add(name);
    if (!verdicts.has(name)) undecided++;
  };
  const allDecided = () => synced && undecided === 0;

  // Ctrl-C or --timeout, chained past 2^31 ms: a long --timeout (or one derived from a large timeoutSeconds) waits.
  const deadline = waitDeadline(request.signal, request.timeoutMs);
  const timeoutMs = deadline.timeoutMs;

  try {
    if (!deadline.signal.aborted) {
      await client.watch({
        ...TASK_API,
        namespace: request.namespace,
        ...watchScope(request),
        signal: deadline.signal,
        onEvent: (event) => {
          const object = event.object;
          const name = object.metadata.name ?? '';
          if (!followed.has(name)) {
            if (explicit || synced) return;
            follow(name);
          }
          last.set(name, object);
          request.onObject?.(object);
          if (verdicts.has(name)) return allDecided() ? 'stop' : undefined;
          if (event.type === 'DELETED') {
            finish(name, 'Deleted', 'Deleted', `seinodetask ${request.namespace}/${name} was deleted while waiting`);
          } else {
            const verdict = taskVerdict(object, { for: request.for, minGeneration: request.minGeneration?.[name] });
            if (verdict.state !== 'pending') finish(name, verdict.state, verdict.reason, verdict.message);
          }
          return allDecided() ? 'stop' : undefined;
        },
        onSynced: () => {
          if (!synced) {
            synced = true;
            if (!explicit && followed.size === 0) {
              throw SeiError.preflight('NotFound', `no SeiNodeTasks match${request.labelSelector ? ` -l ${request.labelSelector}` : ''} in namespace ${request.namespace}`, [
                'check the selector and -n; kubectl sei task get lists the tasks',
              ]);
            }
            if (!request.awaitCreation) {
              for (const name of followed) {
                if (!last.has(name)) finish(name, 'Deleted', 'NotFound', `seinodetask ${request.namespace}/${name} not found`);
              }
            }
          }
          if (allDecided()) return 'stop';
          // --timeout=0: one look at the listed state, as kubectl wait.
          if (timeoutMs === 0) {
            deadline.expire();
            return 'stop';
          }
          return undefined;
        },
      });
    }
  } finally {
    deadline.dispose();
  }

  for (const name of followed) {
    if (verdicts.has(name)) continue;
    const object = last.get(name);
    const pending = object ? taskVerdict(object, { for: request.for, minGeneration: request.minGeneration?.[name] }) : undefined;
    if (deadline.ended() === 'interrupted') {
      finish(name, 'Interrupted', 'Interrupted', `stopped waiting; the task keeps running (re-attach: kubectl sei task wait ${name} -n ${request.namespace})`);
    } else {
      const waited = timeoutMs === 0 ? 'checked once' : `timed out after ${formatMs(timeoutMs)}`;
      finish(name, 'Timeout', 'Timeout', `${waited} waiting for ${name}${pending?.waitingFor ? ` (waiting for ${pending.waitingFor})` : object ? '' : ' (not created yet)'}`);
    }
  }
  const order = explicit ? [...new Set(request.names)] : [...followed].sort();
  return order.map((name) => verdicts.get(name) as TaskVerdict);
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
