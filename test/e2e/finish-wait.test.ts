// How waiting commands end, the same for every one of them (src/cli/finish-wait.ts): Ctrl-C is
// exit 130 with a Status line in machine mode (plan apply too), and a flag that does not parse
// still ends with the Status line that -o json promised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { NS, planFleet } from '../support/builders.js';
import { startPlanCluster, type PlanCluster } from '../support/cluster.js';
import { lastStatus, requireBuiltCli, runCli } from '../support/cli.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'plans');

describe('the end of a wait (built binary)', () => {
  let cluster: PlanCluster;
  beforeAll(async () => {
    requireBuiltCli();
    cluster = await startPlanCluster(planFleet(1));
  }, 60_000);
  afterAll(async () => {
    await cluster?.sim.stop();
  });

  it('Ctrl-C during plan apply: exit 130 with the resume command and a Status reason Interrupted', async () => {
    let sent = false;
    const run = await runCli(['plan', 'apply', '-f', join(FIXTURES, 'await-forever.yaml'), '-n', NS, '--kubeconfig', cluster.kubeconfig, '-o', 'json'], {
      onStderr: (stderr, child) => {
        if (!sent && stderr.includes('started plan run')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toMatch(/kubectl sei plan resume [0-9a-f-]{36} -n sei/);
    expect(lastStatus(run.stderr)).toMatchObject({ kind: 'Status', reason: 'Interrupted', code: 499 });
  });

  it.each([
    [['task', 'wait', 'x', '--for', 'bogus', '-o', 'json']],
    [['task', 'get', '--no-such-flag', '-ojson']],
    [['plan', 'status', 'x', '--output=yaml', '--bogus']],
  ])('a flag that does not parse under machine output: exit 2 and a Status line (%j)', async (args) => {
    const run = await runCli([...args, '--kubeconfig', cluster.kubeconfig]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lastStatus(run.stderr)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
  });

  it('a flag that does not parse without -o: exit 2, a human error and no Status line', async () => {
    const run = await runCli(['task', 'wait', 'x', '--for', 'bogus', '--kubeconfig', cluster.kubeconfig]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).not.toContain('"kind":"Status"');
  });
});
