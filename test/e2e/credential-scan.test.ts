// The credential scan across auth kinds, through the built binary: a bearer token, basic auth,
// a tokenFile user, an exec plugin (and one that fails printing the secret on its stderr); client
// keys need TLS and are scanned against the sim in reliability-cli.test.ts. Each runs succeeding and failing commands, with and without
// -v=9, against a server that echoes every request header (Authorization included) into its
// error messages. The secret must never reach stdout or stderr.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeBreach } from '../support/exit-code-contract.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kubectl-sei');
const SECRET = 'S3cr3t-credential-that-must-never-print-7f2e';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

interface Ran {
  code: number | null;
  out: string;
}

function cli(args: string[]): Promise<Ran> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // Held to the exit codes the command's --help lists, as every runCli run is.
    child.on('close', (code) => {
      const breach = exitCodeBreach(ROOT, args, code);
      if (breach) reject(new Error(`${breach}\noutput: ${out}`));
      else resolve({ code, out });
    });
  });
}

/**
 * How the server answers: a list, or an error whose message is every header it received;
 * 'watch': a list of one Running task, and a watch stream whose event completes it with every
 * header in an annotation (printed by nothing but the -v=9 event lines, which must redact it);
 * 'watch-403': the same list, and the watch refused with the headers in its message.
 */
let answer: 200 | 401 | 403 | 503 | 'watch' | 'watch-403' = 200;

function echoTask(headers: string, done: boolean): Record<string, unknown> {
  return {
    apiVersion: 'sei.io/v1alpha1',
    kind: 'SeiNodeTask',
    metadata: { name: 'echo-task', namespace: 'sei', uid: 'u-1', generation: 1, resourceVersion: done ? '3' : '2', annotations: { echo: headers } },
    spec: { kind: 'MarkReady', target: { nodeRef: { name: 'node-0' } }, markReady: {} },
    status: done
      ? { observedGeneration: 1, phase: 'Complete', conditions: [{ type: 'Ready', status: 'True', reason: 'TaskComplete', lastTransitionTime: '2026-01-01T00:00:00Z' }] }
      : { observedGeneration: 1, phase: 'Running', conditions: [] },
  };
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  const headers = JSON.stringify(req.headers);
  if (answer === 'watch' || answer === 'watch-403') {
    res.setHeader('x-echo', headers);
    const watching = new URL(req.url ?? '/', 'http://x').searchParams.get('watch') === 'true';
    if (!watching) {
      res.end(JSON.stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTaskList', metadata: { resourceVersion: '2' }, items: [echoTask(headers, false)] }));
      return;
    }
    if (answer === 'watch-403') {
      res.statusCode = 403;
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 403, reason: 'Forbidden', message: `you sent ${headers}` }));
      return;
    }
    res.end(`${JSON.stringify({ type: 'MODIFIED', object: echoTask(headers, true) })}\n`);
    return;
  }
  // Echoed in a response header too (what -v=8 prints), and in every error message.
  res.setHeader('x-echo', headers);
  if (answer === 200) {
    res.end(JSON.stringify({ apiVersion: 'sei.io/v1alpha1', kind: 'SeiNodeTaskList', metadata: { resourceVersion: '1' }, items: [] }));
    return;
  }
  res.statusCode = answer;
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: answer, reason: answer === 503 ? 'ServiceUnavailable' : answer === 401 ? 'Unauthorized' : 'Forbidden', message: `you sent ${headers}` }));
}

describe.skipIf(!existsSync(join(ROOT, 'dist', 'bundle', 'cli.cjs')))('credential scan across auth kinds (built binary, header-echoing server)', () => {
  let dir: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sei-credential-scan-'));
    server = createServer(echo);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const kubeconfig = (name: string, user: string): string => {
    const file = join(dir, `kubeconfig-${name}`);
    writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${url}"}}]
users: [{name: u, user: ${user}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: sei}}]
current-context: x
`);
    return file;
  };

  const tokenFile = (): string => {
    const file = join(dir, 'token');
    writeFileSync(file, `${SECRET}\n`);
    return file;
  };
  const execCredential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: SECRET } });

  const kinds: Array<[string, () => string, boolean]> = [
    ['bearer token', () => `{token: ${SECRET}}`, true],
    ['basic auth', () => `{username: admin, password: ${SECRET}}`, true],
    ['tokenFile', () => `{tokenFile: ${tokenFile()}}`, true],
    ['exec plugin', () => `{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/sh, args: ["-c", ${JSON.stringify(`echo '${execCredential}'`)}]}}`, true],
    // These never authenticate: the failure must not quote what the plugin printed or the key.
    ['exec plugin that fails printing the secret', () => `{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/sh, args: ["-c", ${JSON.stringify(`echo ${SECRET}; echo ${SECRET} >&2; exit 1`)}]}}`, false],
  ];
  const forms = [SECRET, b64(`admin:${SECRET}`), b64(SECRET)];

  it.each(kinds)('%s: succeeding and failing commands, with and without -v=9, never print the secret', async (name, user, authenticates) => {
    const file = kubeconfig(name.replaceAll(' ', '-'), user());
    const runs: Array<{ answer: typeof answer; args: string[]; code?: number }> = [
      { answer: 200, args: ['task', 'get', '-o', 'json'], ...(authenticates ? { code: 0 } : {}) },
      { answer: 200, args: ['-v=9', 'task', 'get', '-o', 'json'], ...(authenticates ? { code: 0 } : {}) },
      { answer: 401, args: ['-v=9', 'task', 'get', '-o', 'json'], code: 4 },
      { answer: 403, args: ['task', 'get', 'some-task', '-o', 'yaml'], code: 4 },
      { answer: 503, args: ['-v=9', 'task', 'get', '--request-timeout', '1s', '-o', 'json'], code: 4 },
      // Watch streams: their -v=6/8/9 lines (request headers, events echoing the headers) and a refused watch.
      { answer: 'watch', args: ['-v=9', 'task', 'wait', 'echo-task', '-n', 'sei'], ...(authenticates ? { code: 0 } : {}) },
      { answer: 'watch', args: ['-v=8', 'task', 'wait', 'echo-task', '-n', 'sei', '-o', 'name'], ...(authenticates ? { code: 0 } : {}) },
      { answer: 'watch-403', args: ['-v=9', 'task', 'wait', 'echo-task', '-n', 'sei'], code: 4 },
    ];
    for (const run of runs) {
      answer = run.answer;
      const r = await cli([...run.args, '--kubeconfig', file]);
      if (run.code !== undefined) expect(r.code, `${run.args.join(' ')} → ${r.out}`).toBe(run.code);
      else expect(r.code, r.out).not.toBe(0);
      for (const form of forms) expect(r.out, `${name}: ${run.args.join(' ')} (answer ${run.answer})`).not.toContain(form);
      // The watch runs did log their stream, so the scan above covered its lines.
      if (run.answer === 'watch' && authenticates) expect(r.out).toMatch(/round_trippers: GET http:\/\/127\.0\.0\.1:\d+\/apis\/sei\.io\/v1alpha1\/namespaces\/sei\/seinodetasks\?\S*watch=true\S* 200 OK in \d+ milliseconds/);
      if (run.answer === 'watch' && authenticates && run.args[0] === '-v=9') expect(r.out).toMatch(/watch: event MODIFIED SeiNodeTask sei\/echo-task/);
      if (run.answer === 'watch-403' && authenticates) expect(r.out).toMatch(/watch=true\S* 403 Forbidden in \d+ milliseconds/);
    }
  }, 120_000);
});
