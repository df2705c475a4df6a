// kubectl's kubeconfig rules: --kubeconfig is one file, $KUBECONFIG merges with "first file
// wins", duplicates are fine, ~/.kube/config is the fallback, then the in-cluster service account.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadKubeconfig } from '../../src/cluster/kubeconfig.js';
import { SeiError } from '../../src/errors/sei-error.js';

const TOKEN = 'sekret-token-7f3a9c';
const KEY_DATA = 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tc2VrcmV0LWtleQ==';
const root = mkdtempSync(path.join(tmpdir(), 'kubeconfig-test-'));
const home = path.join(root, 'home');
mkdirSync(home);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function file(config: Record<string, unknown>, name = `config-${++counter}`): string {
  const target = path.join(root, name);
  writeFileSync(target, stringify(config));
  return target;
}

function config(options: { current?: string; clusters?: Record<string, string>; users?: string[]; contexts?: Record<string, { cluster: string; user: string; namespace?: string }> }) {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    ...(options.current ? { 'current-context': options.current } : {}),
    clusters: Object.entries(options.clusters ?? {}).map(([name, server]) => ({ name, cluster: { server } })),
    users: (options.users ?? []).map((name) => ({ name, user: { token: `${TOKEN}-${name}`, 'client-key-data': KEY_DATA } })),
    contexts: Object.entries(options.contexts ?? {}).map(([name, context]) => ({ name, context })),
  };
}

const first = file(config({
  current: 'alpha',
  clusters: { one: 'https://first.example:6443', shared: 'https://shared-from-first:6443' },
  users: ['u1', 'shared-user'],
  contexts: { alpha: { cluster: 'one', user: 'u1', namespace: 'ns-alpha' }, both: { cluster: 'shared', user: 'shared-user' } },
}));
const second = file(config({
  current: 'beta',
  clusters: { two: 'https://second.example:6443', shared: 'https://shared-from-second:6443' },
  users: ['u2', 'shared-user'],
  contexts: { beta: { cluster: 'two', user: 'u2' }, both: { cluster: 'two', user: 'u2', namespace: 'from-second' } },
}));
const third = file(config({ clusters: { three: 'https://third.example:6443' }, users: ['u3'], contexts: { gamma: { cluster: 'three', user: 'u3' } } }));
const noCurrent = file(config({ clusters: { two: 'https://second.example:6443' }, users: ['u2'], contexts: { beta: { cluster: 'two', user: 'u2' } } }));

const env = (KUBECONFIG?: string): NodeJS.ProcessEnv => (KUBECONFIG === undefined ? {} : { KUBECONFIG });
const join = (...files: string[]) => files.join(path.delimiter);

describe('KUBECONFIG merge (first file wins)', () => {
  it.each([
    { scenario: 'current-context from the first file that sets it', files: [first, second], context: undefined, want: { contextName: 'alpha', server: 'https://first.example:6443', namespace: 'ns-alpha' } },
    { scenario: 'current-context from a later file when earlier ones set none', files: [noCurrent, first], context: undefined, want: { contextName: 'alpha', server: 'https://first.example:6443' } },
    { scenario: 'a duplicated context name resolves to the first file\'s entry', files: [first, second], context: 'both', want: { server: 'https://shared-from-first:6443', namespace: 'default', userName: 'shared-user' } },
    { scenario: 'reversed order flips the winner', files: [second, first], context: 'both', want: { server: 'https://second.example:6443', namespace: 'from-second' } },
    { scenario: 'entries only in the third file are reachable', files: [first, second, third], context: 'gamma', want: { server: 'https://third.example:6443', userName: 'u3' } },
    { scenario: 'missing files in KUBECONFIG are skipped', files: [path.join(root, 'nope'), second], context: undefined, want: { contextName: 'beta' } },
  ])('$scenario', ({ files, context, want }) => {
    const resolved = loadKubeconfig({ context }, { env: env(join(...files)), homeDir: home });
    expect(resolved).toMatchObject(want);
    expect(resolved.kubeConfig.getCurrentCluster()?.server).toBe(resolved.server);
  });

  it('--kubeconfig reads only that file (no merge with KUBECONFIG)', () => {
    const resolved = loadKubeconfig({ kubeconfig: second }, { env: env(join(first)), homeDir: home });
    expect(resolved.contextName).toBe('beta');
    expect(() => loadKubeconfig({ kubeconfig: second, context: 'alpha' }, { env: env(first), homeDir: home })).toThrow(/context "alpha".*contexts: beta, both/);
  });

  it('falls back to ~/.kube/config', () => {
    const fakeHome = path.join(root, 'home-with-config');
    mkdirSync(path.join(fakeHome, '.kube'), { recursive: true });
    writeFileSync(path.join(fakeHome, '.kube', 'config'), stringify(config({ current: 'home', clusters: { h: 'https://home:6443' }, users: ['hu'], contexts: { home: { cluster: 'h', user: 'hu' } } })));
    expect(loadKubeconfig({}, { env: {}, homeDir: fakeHome }).contextName).toBe('home');
  });
});

describe('agrees with the real kubectl (kubectl config view --minify)', () => {
  // kubectl v1.32 is the oracle for the merge rules: same files, same --context, same answer.
  const kubectl = (KUBECONFIG: string, context?: string) => {
    const args = ['config', 'view', '--minify', '-o', 'json', ...(context ? ['--context', context] : [])];
    const view = JSON.parse(execFileSync('kubectl', args, { env: { PATH: process.env.PATH, HOME: home, KUBECONFIG }, encoding: 'utf8' })) as {
      'current-context': string;
      clusters: Array<{ name: string; cluster: { server: string } }>;
      users: Array<{ name: string }>;
      contexts: Array<{ context: { namespace?: string } }>;
    };
    return { contextName: view['current-context'], clusterName: view.clusters[0]?.name, server: view.clusters[0]?.cluster.server, userName: view.users[0]?.name, namespace: view.contexts[0]?.context.namespace ?? 'default' };
  };
  it.each([
    { scenario: 'first file sets current-context', files: [first, second], context: undefined },
    { scenario: 'second file first', files: [second, first], context: undefined },
    { scenario: 'a file without current-context first', files: [noCurrent, second, first], context: undefined },
    { scenario: 'duplicate context name, first file wins', files: [first, second], context: 'both' },
    { scenario: 'duplicate context name, order reversed', files: [second, first], context: 'both' },
    { scenario: 'three files, context only in the last', files: [first, second, third], context: 'gamma' },
  ])('$scenario', ({ files, context }) => {
    const KUBECONFIG = join(...files);
    const ours = loadKubeconfig({ context }, { env: env(KUBECONFIG), homeDir: home });
    expect({ contextName: ours.contextName, clusterName: ours.clusterName, server: ours.server, userName: ours.userName, namespace: ours.namespace }).toEqual(kubectl(KUBECONFIG, context));
  });
});

describe('overrides and namespace', () => {
  it.each([
    { scenario: '-n beats the context namespace', options: { namespace: 'explicit' }, want: { namespace: 'explicit' } },
    { scenario: 'context namespace when no -n', options: {}, want: { namespace: 'ns-alpha' } },
    { scenario: '"default" when the context has none', options: { context: 'beta' }, want: { namespace: 'default' } },
    { scenario: '--cluster replaces the context\'s cluster', options: { cluster: 'two' }, want: { server: 'https://second.example:6443', clusterName: 'two', userName: 'u1' } },
    { scenario: '--user replaces the context\'s user', options: { user: 'u2' }, want: { server: 'https://first.example:6443', userName: 'u2' } },
  ])('$scenario', ({ options, want }) => {
    expect(loadKubeconfig(options, { env: env(join(first, second)), homeDir: home })).toMatchObject(want);
  });

  it('--as impersonates on top of the context\'s credentials', () => {
    const resolved = loadKubeconfig({ as: 'alice' }, { env: env(first), homeDir: home });
    expect(resolved.kubeConfig.getCurrentUser()).toMatchObject({ name: 'u1', impersonateUser: 'alice', token: `${TOKEN}-u1` });
  });
});

describe('file references', () => {
  it('relative paths are relative to the kubeconfig that names them; tokenFile becomes a token-file auth provider', () => {
    const dir = path.join(root, 'nested', 'dir');
    mkdirSync(dir, { recursive: true });
    const target = path.join(dir, 'config');
    writeFileSync(target, stringify({
      'current-context': 'rel',
      clusters: [{ name: 'c', cluster: { server: 'https://rel:6443', 'certificate-authority': 'ca.crt' } }],
      users: [{ name: 'u', user: { 'client-certificate': '../client.crt', 'client-key': 'keys/client.key', tokenFile: 'token' } }],
      contexts: [{ name: 'rel', context: { cluster: 'c', user: 'u' } }],
    }));
    const resolved = loadKubeconfig({}, { env: env(join(first.replace('config-1', 'missing'), target)), homeDir: home });
    expect(resolved.kubeConfig.getCurrentCluster()?.caFile).toBe(path.join(dir, 'ca.crt'));
    const user = resolved.kubeConfig.getCurrentUser();
    expect(user).toMatchObject({ certFile: path.join(root, 'nested', 'client.crt'), keyFile: path.join(dir, 'keys', 'client.key') });
    expect(user?.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: path.join(dir, 'token') } });
  });

  it('an http:// server is allowed (client-node refuses it unless told TLS is skipped)', () => {
    const target = file(config({ current: 'plain', clusters: { p: 'http://127.0.0.1:8001' }, users: ['pu'], contexts: { plain: { cluster: 'p', user: 'pu' } } }));
    expect(loadKubeconfig({ kubeconfig: target }, { env: {}, homeDir: home }).kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(true);
    expect(loadKubeconfig({ kubeconfig: first }, { env: {}, homeDir: home }).kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(false);
  });
});

describe('in-cluster service account', () => {
  const sa = path.join(root, 'sa');
  mkdirSync(sa);
  writeFileSync(path.join(sa, 'token'), TOKEN);
  writeFileSync(path.join(sa, 'namespace'), 'sei-system\n');

  it('is used when no kubeconfig exists and KUBERNETES_SERVICE_HOST is set', () => {
    const resolved = loadKubeconfig({}, { env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, homeDir: home, serviceAccountRoot: sa });
    expect(resolved).toMatchObject({ server: 'https://10.0.0.1:443', namespace: 'sei-system', source: 'in-cluster service account' });
  });

  it('-n still wins over the service account namespace', () => {
    const resolved = loadKubeconfig({ namespace: 'other' }, { env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, homeDir: home, serviceAccountRoot: sa });
    expect(resolved).toMatchObject({ server: 'https://[fd00::1]:6443', namespace: 'other' });
  });

  it('is not used outside a pod', () => {
    expect(() => loadKubeconfig({}, { env: {}, homeDir: home, serviceAccountRoot: sa })).toThrow(/no kubeconfig found/);
  });
});

describe('errors name what exists and never a credential', () => {
  const broken = path.join(root, 'broken');
  writeFileSync(broken, `users:\n- name: u\n  user:\n    token: ${TOKEN}: [oops\n`);
  const cases: Array<{ scenario: string; run: () => unknown; message: RegExp; reason: string; exitCode: number }> = [
    { scenario: 'unknown --context lists the contexts', run: () => loadKubeconfig({ context: 'nope' }, { env: env(join(first, second)), homeDir: home }), message: /context "nope" \(--context\).*contexts: alpha, both, beta/, reason: 'ContextNotFound', exitCode: 2 },
    { scenario: 'unknown --cluster lists the clusters', run: () => loadKubeconfig({ cluster: 'zzz' }, { env: env(first), homeDir: home }), message: /cluster "zzz".*clusters: one, shared/, reason: 'ClusterNotFound', exitCode: 2 },
    { scenario: 'unknown --user lists the users', run: () => loadKubeconfig({ user: 'nobody' }, { env: env(first), homeDir: home }), message: /user "nobody".*users: u1, shared-user/, reason: 'UserNotFound', exitCode: 2 },
    { scenario: 'no current-context and no --context', run: () => loadKubeconfig({}, { env: env(noCurrent), homeDir: home }), message: /no current-context.*contexts: beta/, reason: 'ContextNotFound', exitCode: 2 },
    { scenario: 'missing --kubeconfig file', run: () => loadKubeconfig({ kubeconfig: path.join(root, 'absent') }, { env: {}, homeDir: home }), message: /absent.*does not exist/, reason: 'KubeconfigNotFound', exitCode: 2 },
    { scenario: 'KUBECONFIG with no existing file', run: () => loadKubeconfig({}, { env: env(path.join(root, 'a1')), homeDir: home }), message: /none of the KUBECONFIG files exist/, reason: 'KubeconfigNotFound', exitCode: 2 },
    { scenario: 'YAML error names file:line:column, not the line', run: () => loadKubeconfig({ kubeconfig: broken }, { env: {}, homeDir: home }), message: /broken:4:\d+ is not valid YAML/, reason: 'InvalidKubeconfig', exitCode: 2 },
    { scenario: 'nothing configured outside a pod', run: () => loadKubeconfig({}, { env: {}, homeDir: home }), message: /no kubeconfig found/, reason: 'NoConfiguration', exitCode: 4 },
  ];

  it.each(cases)('$scenario', ({ run, message, reason, exitCode }) => {
    let caught: unknown;
    try {
      run();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SeiError);
    const error = caught as SeiError;
    expect(error.message).toMatch(message);
    expect(error).toMatchObject({ reason, exitCode });
    const everything = JSON.stringify([error.message, error.hints, error.toStatus(), String(error.stack)]);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(KEY_DATA);
  });
});
