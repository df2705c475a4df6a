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
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** How the server answers: a list, or an error whose message is every header it received. */
let answer: 200 | 401 | 403 | 503 = 200;

function echo(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  const headers = JSON.stringify(req.headers);
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
    ];
    for (const run of runs) {
      answer = run.answer;
      const r = await cli([...run.args, '--kubeconfig', file]);
      if (run.code !== undefined) expect(r.code, `${run.args.join(' ')} → ${r.out}`).toBe(run.code);
      else expect(r.code, r.out).not.toBe(0);
      for (const form of forms) expect(r.out, `${name}: ${run.args.join(' ')} (answer ${run.answer})`).not.toContain(form);
    }
  }, 120_000);
});
