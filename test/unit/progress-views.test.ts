// The pieces the progress of a wait is built from: the height a task waits for and the status
// line that shows it, the node's height read from a Tendermint /status answer, a plan step's
// items in flight, and the -v log lines of a watch stream (credentials masked at every level).
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/types.js';
import { progressParts, progressText, targetHeight } from '../../src/output/task-view.js';
import { latestHeight } from '../../src/services/node-height.js';
import { inFlight, stepLine } from '../../src/output/plan-view.js';
import { enableHttpLog, logStreamEnd, logStreamEvent, logStreamOpen } from '../../src/cluster/http-log.js';
import { route } from '../../src/sim/http/routing.js';
import type { StepStatus } from '../../src/plan/types.js';

const task = (spec: Record<string, unknown>, status: Record<string, unknown> = { phase: 'Running' }): KubeObject => ({
  apiVersion: 'sei.io/v1alpha1',
  kind: 'SeiNodeTask',
  metadata: { name: 't', namespace: 'sei' },
  spec: { target: { nodeRef: { name: 'node-0' } }, ...spec },
  status,
});

describe('the height a task waits for', () => {
  it('AwaitNodesAtHeight and AwaitCondition(height) name their target height; other kinds none', () => {
    expect(targetHeight(task({ kind: 'AwaitNodesAtHeight', awaitNodesAtHeight: { targetHeight: 1200 } }))).toBe(1200);
    expect(targetHeight(task({ kind: 'AwaitCondition', awaitCondition: { height: { targetHeight: 77 }, action: 'SIGTERM_SEID' } }))).toBe(77);
    expect(targetHeight(task({ kind: 'RestartPod', restartPod: { podUID: 'u' } }))).toBeUndefined();
  });

  it('the status line shows current/target, "?" while the current height is unknown', () => {
    const waiting = task({ kind: 'AwaitNodesAtHeight', awaitNodesAtHeight: { targetHeight: 1200 } });
    expect(progressText(waiting, 1000)).toBe('t: Running, height 1000/1200');
    expect(progressText(waiting)).toBe('t: Running, height ?/1200');
    expect(progressText(task({ kind: 'RestartPod' }), 1000)).toBe('t: Running');
    // The height is the part that moves on its own (throttled without a terminal); "?" is part of the state.
    expect(progressParts(waiting, 1000)).toEqual({ status: 't: Running', live: 'height 1000/1200' });
    expect(progressParts(waiting)).toEqual({ status: 't: Running, height ?/1200' });
  });

  it('latestHeight reads sync_info.latest_block_height (Tendermint sends int64 as a string)', () => {
    expect(latestHeight({ result: { sync_info: { latest_block_height: '1234' } } })).toBe(1234);
    expect(latestHeight({ result: { sync_info: { latest_block_height: 99 } } })).toBe(99);
    expect(latestHeight({ result: { sync_info: { latest_block_height: 'x' } } })).toBeUndefined();
    expect(latestHeight(undefined)).toBeUndefined();
    expect(latestHeight({ kind: 'Status', code: 503 })).toBeUndefined();
  });
});

describe('a plan step in flight', () => {
  const step = (running: number): StepStatus => ({
    id: 'climb',
    order: 0,
    state: 'running',
    items: Array.from({ length: running + 1 }, (_, i) => ({ index: i, node: `n-${i}`, state: i < running ? 'running' : 'pending', attempts: i < running ? 1 : 0, maxAttempts: 1, taskName: `p-climb-${i}` })),
    counts: { total: running + 1, done: 0, failed: 0, running, pending: 1 },
  });

  it('names each running item by node and task, and counts what it does not name', () => {
    expect(stepLine(step(2))).toBe('climb: running 0/3 done, 0 failed, 2 running: n-0 (p-climb-0), n-1 (p-climb-1)');
    expect(inFlight(step(6))).toBe('n-0 (p-climb-0), n-1 (p-climb-1), n-2 (p-climb-2), n-3 (p-climb-3), +2 more');
    expect(stepLine(step(0))).toBe('climb: running 0/1 done, 0 failed');
  });
});

describe('-v logging of watch streams', () => {
  afterEach(() => enableHttpLog(0));
  const open = { url: 'https://h/apis/sei.io/v1alpha1/namespaces/sei/seinodetasks?watch=true', requestHeaders: { Authorization: 'Bearer SECRET-TOKEN-123456', Accept: 'application/json' }, status: 200, statusText: 'OK', durationMs: 3.2 };

  it('-v=6: the GET line with status and duration, no headers, no events', () => {
    enableHttpLog(6);
    const out: string[] = [];
    logStreamOpen(open, (t) => out.push(t));
    logStreamEvent('ADDED', { kind: 'SeiNodeTask', metadata: { name: 'x', namespace: 'sei', resourceVersion: '5' } }, '{}', (t) => out.push(t));
    logStreamEnd(open.url, 10, 1, 'closed', (t) => out.push(t));
    expect(out.join('')).toMatch(/^I\d{4} \d\d:\d\d:\d\d\.\d{6} \d+ round_trippers: GET https:\/\/h\/apis\/sei\.io\/v1alpha1\/namespaces\/sei\/seinodetasks\?watch=true 200 OK in 3 milliseconds\n$/);
  });

  it('-v=8 adds the request headers (credential masked) and the end of the stream; -v=9 each event', () => {
    enableHttpLog(9);
    const out: string[] = [];
    logStreamOpen(open, (t) => out.push(t));
    logStreamEvent('MODIFIED', { kind: 'SeiNodeTask', metadata: { name: 'x', namespace: 'sei', resourceVersion: '5' } }, '{"type":"MODIFIED"}', (t) => out.push(t));
    logStreamEnd(open.url, 1500, 1, 'closed', (t) => out.push(t));
    const text = out.join('');
    expect(text).toContain('Authorization: Bearer <masked>');
    expect(text).not.toContain('SECRET-TOKEN-123456');
    expect(text).toContain('watch: event MODIFIED SeiNodeTask sei/x resourceVersion=5');
    expect(text).toContain('watch: Event Body: {"type":"MODIFIED"}');
    expect(text).toContain('ended after 1500 milliseconds, 1 event: closed');
  });

  it('a stream that got no HTTP answer logs no status', () => {
    enableHttpLog(6);
    const out: string[] = [];
    const { status: _status, ...unanswered } = open;
    logStreamOpen({ ...unanswered, statusText: '' }, (t) => out.push(t));
    expect(out.join('')).toMatch(/seinodetasks\?watch=true in 3 milliseconds\n$/);
  });
});

describe('the sim routes the pod proxy', () => {
  it('/api/v1/namespaces/NS/pods/NAME:PORT/proxy/PATH', () => {
    const registry = { find: () => undefined } as unknown as Parameters<typeof route>[1];
    expect(route('/api/v1/namespaces/sei/pods/node-0-0:26657/proxy/status', registry)).toEqual({ kind: 'pod-proxy', namespace: 'sei', pod: 'node-0-0', port: '26657', path: 'status' });
  });
});
