/**
 * One watch stream: replays history from the requested resourceVersion (or synthetic ADDEDs for
 * "" / "0"), then forwards live store events that match the namespace and selectors, with
 * bookmarks and the server-side timeout. A compacted resourceVersion is answered like the
 * apiserver's watch cache does: HTTP 200 and one ERROR event carrying a 410 Expired Status.
 * Must not write to the store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from '../resources.js';
import { apiVersionOf } from '../resources.js';
import type { Matcher } from '../storage/selectors.js';
import type { KubeObject, SimStore, StoreEvent } from '../types.js';
import { Errors } from './status.js';

export interface WatchParams {
  info: ResourceInfo;
  namespace?: string;
  labels: Matcher;
  fields: Matcher;
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  /** Renders an object as the client asked (plain or a one-row Table). */
  render: (object: KubeObject) => unknown;
  /** From fault injection, read per event: end the stream after this many events. */
  closeAfterEvents?: () => number | undefined;
  /** From fault injection: answer as if the resourceVersion were compacted. */
  forceGone?: boolean;
  bookmarkIntervalMs: number;
  /** Oldest resourceVersion still resumable, for the 410 message. */
  oldestResourceVersion: () => string;
}

export interface WatchRegistry {
  add(close: () => void): () => void;
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export function serveWatch(req: IncomingMessage, res: ServerResponse, store: SimStore, p: WatchParams, registry: WatchRegistry): void {
  const { info } = p;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  let sent = 0;
  let closed = false;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let timeoutTimer: NodeJS.Timeout | undefined;
  let unsubscribe: () => void = () => {};
  let unregister: () => void = () => {};

  const finish = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    unregister();
    clearTimeout(bookmarkTimer);
    clearTimeout(timeoutTimer);
    if (!res.writableEnded) res.end();
  };
  unregister = registry.add(finish);
  req.on('close', finish);
  res.on('error', finish);

  const write = (type: string, object: unknown): void => {
    if (closed) return;
    res.write(`${JSON.stringify({ type, object })}\n`);
    if (type !== 'BOOKMARK' && type !== 'ERROR') {
      sent++;
      const limit = p.closeAfterEvents?.();
      if (limit !== undefined && sent >= limit) finish();
    }
  };

  const matches = (o: KubeObject) =>
    (p.namespace === undefined || (o.metadata.namespace ?? '') === p.namespace) && p.labels(o) && p.fields(o);
  // Objects the client currently sees: a selector change turns MODIFIED into ADDED/DELETED.
  const visible = new Set<string>();
  const deliver = (event: StoreEvent) => {
    const o = event.object;
    if (p.namespace !== undefined && (o.metadata.namespace ?? '') !== p.namespace) return;
    const k = keyOf(o);
    const now = p.labels(o) && p.fields(o);
    if (event.type === 'DELETED') {
      if (now || visible.has(k)) write('DELETED', p.render(o));
      visible.delete(k);
      return;
    }
    if (now) {
      const type = event.type === 'ADDED' || visible.has(k) ? event.type : 'ADDED';
      visible.add(k);
      write(type, p.render(o));
    } else if (visible.has(k)) {
      visible.delete(k);
      write('DELETED', p.render(o));
    }
  };

  const rv = p.resourceVersion;
  const gone = (requested: string) =>
    write('ERROR', Errors.gone(`too old resource version: ${requested} (${p.oldestResourceVersion()})`).status);

  if (p.forceGone) {
    gone(rv ?? '0');
    finish();
    return;
  }

  // Subscribe before replaying so nothing committed in between is lost; buffer until replay ends.
  const buffered: StoreEvent[] = [];
  let replaying = true;
  let replayedUpTo = 0;
  unsubscribe = store.onChange((event) => {
    if (event.resource !== info.plural) return;
    if (replaying) buffered.push(event);
    else if (Number(event.object.metadata.resourceVersion ?? 0) > replayedUpTo) deliver(event);
  });

  if (rv === undefined || rv === '' || rv === '0') {
    for (const o of store.list(info.plural, p.namespace)) {
      if (matches(o)) {
        visible.add(keyOf(o));
        write('ADDED', p.render(o));
      }
    }
    replayedUpTo = Number(store.currentResourceVersion());
  } else {
    const history = store.eventsSince(info.plural, rv);
    if (history === undefined) {
      gone(rv);
      finish();
      return;
    }
    // The client listed at rv: what matched then is what it sees now, as far as we can tell.
    for (const o of store.list(info.plural, p.namespace)) {
      if (Number(o.metadata.resourceVersion ?? 0) <= Number(rv) && matches(o)) visible.add(keyOf(o));
    }
    for (const e of history) deliver(e);
    replayedUpTo = Math.max(Number(rv), ...history.map((e) => Number(e.object.metadata.resourceVersion ?? 0)));
  }
  replaying = false;
  for (const e of buffered) if (Number(e.object.metadata.resourceVersion ?? 0) > replayedUpTo) deliver(e);
  buffered.length = 0;
  if (closed) return;

  const bookmark = () =>
    write('BOOKMARK', { kind: info.kind, apiVersion: apiVersionOf(info), metadata: { resourceVersion: store.currentResourceVersion() } });
  if (p.allowBookmarks) {
    const tick = () => {
      bookmark();
      if (!closed) bookmarkTimer = setTimeout(tick, p.bookmarkIntervalMs).unref();
    };
    bookmarkTimer = setTimeout(tick, p.bookmarkIntervalMs).unref();
  }
  if (p.timeoutSeconds !== undefined && p.timeoutSeconds > 0) {
    timeoutTimer = setTimeout(() => {
      if (p.allowBookmarks) bookmark();
      finish();
    }, p.timeoutSeconds * 1000).unref();
  }
}
