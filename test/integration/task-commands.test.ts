// apply -f / wait / get / describe / delete services against the simulated cluster.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTask, type TaskEvent } from '../../src/output/describe.js';
import { formatObjects } from '../../src/output/printers.js';
import { silentProgress } from '../../src/output/progress.js';
import { applyDocuments, readTaskDocuments } from '../../src/services/apply-tasks.js';
import { followTasks, verdictsToError } from '../../src/services/follow-tasks.js';
import { deleteTasks, getTask, listTasks, taskEvents } from '../../src/services/task-queries.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { NS } from '../support/builders.js';
import { startTestCluster, taskNames, type TestCluster } from '../support/cluster.js';
import { refusal } from '../support/refusal.js';

let cluster: TestCluster;
const catalog = loadCatalog();

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.sim.stop();
});

function task(name: string, kind: string, node: string, payload: string): string {
  return `apiVersion: sei.io/v1alpha1
kind: SeiNodeTask
metadata:
  name: ${name}
  namespace: ${NS}
  labels:
    sei.io/node: ${node}
spec:
  kind: ${kind}
  target:
    nodeRef:
      name: ${node}
${payload}`;
}

function file(name: string, text: string): string {
  const path = join(cluster.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('task apply -f', () => {
  it('writes nothing when any document is invalid, and names the file position of every cause', async () => {
    const path = file('mixed.yaml', `${task('ok-1', 'DiscoverPeers', 'node-0', '  discoverPeers: {}\n')}---\n${task('bad-1', 'RestartPod', 'node-0', '  restartPod:\n    podUID: ""\n')}`);
    const before = await taskNames(cluster.client);
    const error = await refusal(applyDocuments(await readTaskDocuments([path]), { client: cluster.client, catalog, progress: silentProgress() }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('nothing was written');
    expect(error.causes.length).toBeGreaterThan(0);
    for (const cause of error.causes) expect(cause.source?.file).toBe(path);
    expect(error.causes.some((c) => (c.source?.line ?? 0) > 14)).toBe(true);
    expect(await taskNames(cluster.client)).toEqual(before);
  });

  it('writes nothing when a later document fails preflight', async () => {
    const path = file('preflight.yaml', `${task('pf-ok', 'DiscoverPeers', 'node-0', '  discoverPeers: {}\n')}---\n${task('pf-bad', 'DiscoverPeers', 'lonely', '  discoverPeers: {}\n')}`);
    const before = await taskNames(cluster.client);
    const error = await refusal(applyDocuments(await readTaskDocuments([path]), { client: cluster.client, catalog, progress: silentProgress() }));
    expect(error.reason).toBe('NoPeerSources');
    expect(await taskNames(cluster.client)).toEqual(before);
  });

  it('applies every document with the generation recorded, then follows them on one watch', async () => {
    const path = file('two.yaml', `${task('apply-a', 'DiscoverPeers', 'node-0', '  discoverPeers: {}\n')}---\n${task('apply-b', 'DiscoverPeers', 'node-1', '  discoverPeers: {}\n')}`);
    const applied = await applyDocuments(await readTaskDocuments([path]), { client: cluster.client, catalog, progress: silentProgress() });
    expect(applied.map((a) => [a.name, a.action, a.generation])).toEqual([
      ['apply-a', 'created', 1],
      ['apply-b', 'created', 1],
    ]);
    const managers = (applied[0]?.object.metadata.managedFields ?? []).map((m) => m['manager']);
    expect(managers).toContain('kubectl-sei');
    const watchesBefore = cluster.client.stats.watchConnections;
    const verdicts = await followTasks(cluster.client, { namespace: NS, names: ['apply-a', 'apply-b'], timeoutMs: 30_000, minGeneration: { 'apply-a': 1, 'apply-b': 1 }, progress: silentProgress() });
    expect(verdicts.map((v) => v.outcome)).toEqual(['Complete', 'Complete']);
    // At most one stream for both tasks (none when the initial list already decided them).
    expect(cluster.client.stats.watchConnections - watchesBefore).toBeLessThanOrEqual(1);
  });

  it('dry-run=client validates and returns the objects with no cluster at all', async () => {
    const path = file('dry.yaml', task('dry-a', 'DiscoverPeers', 'node-0', '  discoverPeers: {}\n'));
    const applied = await applyDocuments(await readTaskDocuments([path]), { catalog, dryRun: 'client', progress: silentProgress() });
    expect(applied[0]?.action).toBe('dry-run');
    expect(await taskNames(cluster.client)).not.toContain('dry-a');
  });

  it('--no-preflight lets the controller decide: DiscoverPeers without peers fails ParamsBuildFailed (exit 1)', async () => {
    const path = file('forced.yaml', task('dp-forced', 'DiscoverPeers', 'lonely', '  discoverPeers: {}\n'));
    const applied = await applyDocuments(await readTaskDocuments([path]), { client: cluster.client, catalog, targetChecks: false, progress: silentProgress() });
    const verdicts = await followTasks(cluster.client, { namespace: NS, names: ['dp-forced'], timeoutMs: 30_000, minGeneration: { 'dp-forced': applied[0]!.generation }, progress: silentProgress() });
    expect(verdicts[0]?.outcome).toBe('Failed');
    expect(verdicts[0]?.reason).toBe('ParamsBuildFailed');
    const error = verdictsToError(verdicts, NS);
    expect(error?.exitCode).toBe(1);
    expect(error?.toStatus()['reason']).toBe('ParamsBuildFailed');
  });

  it('keeps an explicit stale podUID but warns that the restart will be a no-op', async () => {
    const path = file('stale.yaml', task('rp-stale', 'RestartPod', 'node-2', '  restartPod:\n    podUID: 00000000-0000-0000-0000-000000000000\n'));
    const progress = silentProgress();
    const applied = await applyDocuments(await readTaskDocuments([path]), { client: cluster.client, catalog, progress });
    expect((applied[0]?.object['spec'] as { restartPod: { podUID: string } }).restartPod.podUID).toBe('00000000-0000-0000-0000-000000000000');
    expect(progress.lines.join('\n')).toContain('no-op');
  });
});

describe('task wait', () => {
  it.each([
    ['ready on a Complete task', 'wait-ok', 'node-0', 'ready', undefined],
    ['ready on a Failed task ends at once with exit 1', 'wait-fail', 'flaky', 'ready', 1],
    ['failed on a Failed task', 'wait-fail', 'flaky', 'failed', undefined],
    ['failed on a Complete task', 'wait-ok', 'node-0', 'failed', 1],
  ] as const)('--for %s', async (_scenario, name, node, waitFor, exit) => {
    if (!(await taskNames(cluster.client)).includes(name)) {
      await applyDocuments(await readTaskDocuments([file(`${name}.yaml`, task(name, 'DiscoverPeers', node, '  discoverPeers: {}\n'))]), { client: cluster.client, catalog, progress: silentProgress() });
    }
    const verdicts = await followTasks(cluster.client, { namespace: NS, names: [name], for: waitFor, timeoutMs: 30_000, progress: silentProgress() });
    expect(verdictsToError(verdicts, NS, waitFor)?.exitCode).toBe(exit);
  });

  // upstream internal/controller/nodetask/controller.go:115: a finished task is never written again,
  // so after a spec edit (a GitOps re-sync) its status keeps the old observedGeneration.
  it('editing the spec of a finished task: wait returns its latched verdict at once', async () => {
    const path = file('edit.yaml', task('wait-edit', 'DiscoverPeers', 'node-0', '  discoverPeers: {}\n'));
    await applyDocuments(await readTaskDocuments([path]), { client: cluster.client, catalog, progress: silentProgress() });
    const first = await followTasks(cluster.client, { namespace: NS, names: ['wait-edit'], timeoutMs: 30_000, progress: silentProgress() });
    expect(first.map((v) => v.outcome)).toEqual(['Complete']);
    // The edit comes from outside the plugin (kubectl, a GitOps sync): our own apply refuses a finished name.
    const live = await getTask(cluster.client, 'wait-edit', NS);
    await cluster.client.apply({ apiVersion: live.apiVersion, kind: live.kind, metadata: { name: 'wait-edit', namespace: NS }, spec: { ...(live.spec as object), timeoutSeconds: 600 } });
    const edited = await getTask(cluster.client, 'wait-edit', NS);
    expect(edited?.metadata.generation).toBe(2);
    expect((edited?.status as { observedGeneration?: number }).observedGeneration).toBe(1);
    const verdicts = await followTasks(cluster.client, { namespace: NS, names: ['wait-edit'], timeoutMs: 30_000, progress: silentProgress() });
    expect(verdicts.map((v) => v.outcome)).toEqual(['Complete']);
    expect(verdictsToError(verdicts, NS)).toBeUndefined();
  });

  it('follows many pending tasks on ONE watch connection, and times them all out (exit 3)', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `many-${i}`);
    const path = file('many.yaml', names.map((n) => task(n, 'DiscoverPeers', 'booting', '  discoverPeers: {}\n')).join('---\n'));
    await applyDocuments(await readTaskDocuments([path]), { client: cluster.client, catalog, progress: silentProgress() });
    const before = cluster.client.stats.watchConnections;
    // The timeout must outlast the list and the opening of the watch, or no connection is made to count.
    const verdicts = await followTasks(cluster.client, { namespace: NS, names, timeoutMs: 2_000, progress: silentProgress() });
    expect(verdicts.map((v) => v.outcome)).toEqual(names.map(() => 'Timeout'));
    expect(cluster.client.stats.watchConnections - before).toBe(1);
    expect(verdictsToError(verdicts, NS)?.message).toContain('12 SeiNodeTasks');
  });

  it('a missing name is NotFound (exit 2), not a timeout', async () => {
    // NotFound is the first list's answer; the timeout only has to outlast that list.
    const verdicts = await followTasks(cluster.client, { namespace: NS, names: ['no-such-task'], timeoutMs: 30_000, progress: silentProgress() });
    expect(verdictsToError(verdicts, NS)?.reason).toBe('NotFound');
    expect(verdictsToError(verdicts, NS)?.exitCode).toBe(2);
  });

  it('--timeout 0 checks once and reports a still-running task as a timeout (exit 3)', async () => {
    await applyDocuments(await readTaskDocuments([file('slow.yaml', task('wait-slow', 'DiscoverPeers', 'booting', '  discoverPeers: {}\n'))]), { client: cluster.client, catalog, progress: silentProgress() });
    const verdicts = await followTasks(cluster.client, { namespace: NS, names: ['wait-slow'], timeoutMs: 0, progress: silentProgress() });
    expect(verdictsToError(verdicts, NS)?.exitCode).toBe(3);
  });
});

describe('task get / describe / delete', () => {
  it('get prints kubectl-style aligned columns; -o name / ndjson are machine formats', async () => {
    const tasks = await listTasks(cluster.client, { labelSelector: 'sei.io/node=node-0' });
    expect(tasks.length).toBeGreaterThan(0);
    const table = formatObjects(tasks, 'table');
    const [header, ...rows] = table.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+KIND\s+NODE\s+PHASE\s+REASON\s+AGE$/);
    expect(rows.length).toBe(tasks.length);
    expect(header!.indexOf('KIND')).toBe(rows[0]!.search(/DiscoverPeers|RestartPod/));
    expect(formatObjects(tasks, 'name').trimEnd().split('\n').every((l) => l.startsWith('seinodetask.sei.io/'))).toBe(true);
    expect(formatObjects(tasks, 'ndjson').trimEnd().split('\n').map((l) => JSON.parse(l).kind)).toEqual(tasks.map(() => 'SeiNodeTask'));
  });

  it('get -A lists across namespaces with a NAMESPACE column', async () => {
    const other = file('other-ns.yaml', task('in-default', 'DiscoverPeers', 'node-0', '  discoverPeers: {}\n').replace(`namespace: ${NS}`, 'namespace: default'));
    await applyDocuments(await readTaskDocuments([other]), { client: cluster.client, catalog, targetChecks: false, progress: silentProgress() });
    const tasks = await listTasks(cluster.client, { allNamespaces: true });
    expect(new Set(tasks.map((t) => t.metadata.namespace))).toEqual(new Set(['default', NS]));
    const table = formatObjects(tasks, 'wide', { allNamespaces: true });
    expect(table).toMatch(/^NAMESPACE\s+NAME\s+KIND/);
    expect(table).toMatch(/^default\s+in-default\s+DiscoverPeers/m);
    expect((await listTasks(cluster.client, {})).every((t) => t.metadata.namespace === NS)).toBe(true);
  });

  it('get of a misspelt name suggests the close one (exit 2)', async () => {
    const error = await refusal(getTask(cluster.client, 'apply-c'));
    expect(error.reason).toBe('NotFound');
    expect(error.hints.join(' ')).toContain('apply-a');
  });

  it('describe shows conditions, the sidecar task id, timeline, outputs, Events and the next step for a failure', async () => {
    const task = await getTask(cluster.client, 'dp-forced');
    const events = await taskEvents(cluster.client, task);
    const text = describeTask(task, Date.now(), events as TaskEvent[]);
    expect(text).toContain('ParamsBuildFailed');
    expect(text).toMatch(/Sidecar Task ID:\s+[0-9a-f-]{36}/);
    // upstream internal/controller/nodetask/controller.go:440-442: markFailed records a Warning Event.
    expect(text).toMatch(/Events:\n\s+TYPE\s+REASON\s+COUNT\s+LAST SEEN\s+FROM\s+MESSAGE\n\s+Warning\s+ParamsBuildFailed\s+1\s+\S+\s+seinodetask-controller\s+target SeiNode "lonely" has no usable peer sources/);
    expect(text).toContain('Timeline:');
    expect(text).toContain('Conditions:');
    expect(text).toContain('Next:');
    expect(text).toContain('kubectl edit seinode lonely');
  });

  // upstream internal/controller/nodetask/controller.go:492-501: no finalizer, no cancel path.
  it('delete of an unfinished task warns that its sidecar work continues; loudly for a broadcast or a SIGTERM', async () => {
    const sigterm = task('del-sigterm', 'AwaitCondition', 'node-0', '  awaitCondition:\n    height:\n      targetHeight: 1000000000\n    action: SIGTERM_SEID\n');
    const vote = task('del-vote', 'GovVote', 'booting', '  govVote:\n    chainId: sim-1\n    proposalId: 1\n    option: "yes"\n    fees: 20usei\n    gas: 200000\n');
    const quiet = task('del-quiet', 'DiscoverPeers', 'booting', '  discoverPeers: {}\n');
    await applyDocuments(await readTaskDocuments([file('del.yaml', [sigterm, vote, quiet].join('---\n'))]), { client: cluster.client, catalog, progress: silentProgress(), targetChecks: false });
    const results = await deleteTasks(cluster.client, { names: ['del-sigterm', 'del-vote', 'del-quiet', 'wait-ok'], catalog });
    const warning = (name: string) => results.find((r) => r.name === name)?.warning;
    expect(warning('del-sigterm')).toMatch(/^WARNING: AwaitCondition "del-sigterm" is .*deleting it does not cancel it.*seid WILL STILL BE SIGTERMed/);
    expect(warning('del-vote')).toMatch(/^WARNING: GovVote "del-vote" .*BROADCAST ITS TRANSACTION.*a duplicate vote/);
    expect(warning('del-quiet')).toMatch(/^Warning: DiscoverPeers "del-quiet" .*creating "del-quiet" again runs it again/);
    // A finished task has nothing left running.
    expect(warning('wait-ok')).toBeUndefined();
    expect(results.every((r) => r.deleted)).toBe(true);
  });

  it('delete removes named tasks and refuses unknown names before deleting anything', async () => {
    const error = await refusal(deleteTasks(cluster.client, { names: ['apply-b', 'nope'] }));
    expect(error.reason).toBe('NotFound');
    expect(await taskNames(cluster.client)).toContain('apply-b');
    const results = await deleteTasks(cluster.client, { names: ['apply-b'] });
    expect(results).toEqual([{ name: 'apply-b', namespace: NS, deleted: true }]);
    expect(await taskNames(cluster.client)).not.toContain('apply-b');
  });
});
