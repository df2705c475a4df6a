/**
 * Kubernetes Events the simulated controller records, as client-go's EventRecorder does: one
 * core/v1 Event per (object, type, reason, message), named `<object>.<16 hex>`, whose count and
 * lastTimestamp go up when the same event is recorded again (the recorder's aggregation), so a
 * reconcile repeating an event does not flood `kubectl get events`. Writing only; never reads
 * other kinds.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../types.js';
import type { ReconcileContext } from './context.js';
import { toTime } from './time.js';

export type EventType = 'Normal' | 'Warning';

/** The reporting component upstream registers its recorders under (cmd/main.go). */
export const SEINODE_COMPONENT = 'seinode-controller';

function eventKey(object: KubeObject, type: EventType, reason: string, message: string): string {
  return `${object.metadata.uid ?? ''}\u0000${type}\u0000${reason}\u0000${message}`;
}

/** Records (or re-counts) an Event about `object` in its namespace. */
export function recordEvent(ctx: ReconcileContext, object: KubeObject, type: EventType, reason: string, message: string, component = SEINODE_COMPONENT): void {
  const namespace = object.metadata.namespace ?? 'default';
  const now = ctx.now();
  const stamp = toTime(now);
  // The name is derived from what aggregates (client-go uses a timestamp and a cache): the same
  // event finds its object again after a controller restart, with no memory kept here.
  const name = `${object.metadata.name ?? 'object'}.${createHash('sha256').update(eventKey(object, type, reason, message)).digest('hex').slice(0, 16)}`;
  const existing = ctx.store.get('events', namespace, name);
  if (existing) {
    ctx.store.update('events', { ...existing, count: Number(existing.count ?? 1) + 1, lastTimestamp: stamp });
    return;
  }
  ctx.store.create('events', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
    },
    reason,
    message,
    type,
    count: 1,
    firstTimestamp: stamp,
    lastTimestamp: stamp,
    source: { component },
    reportingComponent: component,
    reportingInstance: '',
  });
}
