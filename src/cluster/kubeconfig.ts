/**
 * Loads the kubeconfig the way kubectl does and resolves the connection flags to one context.
 * Owns: --kubeconfig (that one file, no merge), $KUBECONFIG (files merged, the FIRST file to set
 * a value or a map key wins, duplicates are fine), ~/.kube/config, the in-cluster service
 * account, and --context/--cluster/--user/-n. client-node's loadFromDefault() merges the other
 * way round (last current-context wins, duplicate names throw), so the YAML is merged here and
 * handed to KubeConfig as one document.
 * Must not: open connections, or put any credential (token, key, password) into an error —
 * messages name files, contexts, clusters and users only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
// Deep path: the package root also loads informers, exec, cp, metrics... (see transport.ts).
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js';
import { ExitCode } from '../errors/exit-codes.js';
import { SeiError } from '../errors/sei-error.js';
import { readYaml } from './kubeconfig-yaml.js';
import type { ConnectionOptions } from './types.js';

/** Where configuration comes from; injectable so tests never read the real home or /var/run. */
export interface KubeconfigEnvironment {
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Directory holding token, ca.crt and namespace. */
  serviceAccountRoot?: string;
}

export const SERVICE_ACCOUNT_ROOT = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ResolvedKubeconfig {
  kubeConfig: KubeConfig;
  contextName: string;
  clusterName: string;
  userName: string;
  namespace: string;
  server: string;
  /** Human description of where the configuration came from (file paths or "in-cluster"). */
  source: string;
}

type NamedEntry = { name?: unknown; [key: string]: unknown };
interface RawKubeconfig {
  clusters: NamedEntry[];
  users: NamedEntry[];
  contexts: NamedEntry[];
  'current-context'?: string;
}

const PATH_FIELDS: Record<'clusters' | 'users', { section: 'cluster' | 'user'; fields: string[] }> = {
  clusters: { section: 'cluster', fields: ['certificate-authority'] },
  users: { section: 'user', fields: ['client-certificate', 'client-key', 'tokenFile'] },
};

export function loadKubeconfig(options: ConnectionOptions = {}, environment: KubeconfigEnvironment = {}): ResolvedKubeconfig {
  const env = environment.env ?? process.env;
  const files = configFiles(options, env, environment.homeDir ?? homedir());
  if (files.length === 0) {
    const inCluster = inClusterConfig(env, environment.serviceAccountRoot ?? SERVICE_ACCOUNT_ROOT);
    if (inCluster) return resolve(inCluster, options, 'in-cluster service account');
    throw new SeiError('no kubeconfig found: KUBECONFIG is unset, ~/.kube/config does not exist and this is not a pod', {
      reason: 'NoConfiguration',
      exitCode: ExitCode.ClusterError,
      hints: ['pass --kubeconfig FILE or set KUBECONFIG', 'to try the simulated cluster: kubectl sei sim serve --fleet 3 --kubeconfig-out sim.kubeconfig, then --kubeconfig sim.kubeconfig'],
    });
  }
  const merged = mergeFiles(files);
  return resolve(merged, options, files.join(':'));
}

/** The files to read, in precedence order. Missing $KUBECONFIG entries are skipped, as kubectl does. */
function configFiles(options: ConnectionOptions, env: NodeJS.ProcessEnv, home: string): string[] {
  if (options.kubeconfig !== undefined && options.kubeconfig !== '') {
    const file = path.resolve(options.kubeconfig);
    if (!existsSync(file)) {
      throw new SeiError(`kubeconfig file ${file} (--kubeconfig) does not exist`, {
        reason: 'KubeconfigNotFound',
        exitCode: ExitCode.InvalidInput,
        hints: ['check the path given to --kubeconfig'],
      });
    }
    return [file];
  }
  const fromEnv = env.KUBECONFIG;
  if (fromEnv !== undefined && fromEnv !== '') {
    const listed = [...new Set(fromEnv.split(path.delimiter).filter((entry) => entry !== '').map((entry) => path.resolve(entry)))];
    const present = listed.filter((file) => existsSync(file));
    if (present.length === 0) {
      throw new SeiError(`none of the KUBECONFIG files exist: ${listed.join(', ')}`, {
        reason: 'KubeconfigNotFound',
        exitCode: ExitCode.InvalidInput,
        hints: ['fix KUBECONFIG or pass --kubeconfig FILE'],
      });
    }
    return present;
  }
  const fallback = path.join(home, '.kube', 'config');
  return existsSync(fallback) ? [fallback] : [];
}

/** kubectl's merge: the first file to define a named entry or current-context wins. */
export function mergeFiles(files: string[]): RawKubeconfig {
  const merged: RawKubeconfig = { clusters: [], users: [], contexts: [] };
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  for (const file of files) {
    const raw = readKubeconfigFile(file);
    for (const section of ['clusters', 'users', 'contexts'] as const) {
      const entries = raw[section];
      if (entries === undefined || entries === null) continue;
      if (!Array.isArray(entries)) throw invalidFile(file, `"${section}" must be a list`);
      for (const entry of entries as unknown[]) {
        if (entry === null || typeof entry !== 'object' || typeof (entry as NamedEntry).name !== 'string') {
          throw invalidFile(file, `every entry of "${section}" needs a name`);
        }
        const named = entry as NamedEntry;
        const name = named.name as string;
        if (seen[section].has(name)) continue;
        seen[section].add(name);
        merged[section].push(section === 'contexts' ? named : absolutePaths(named, section, path.dirname(file)));
      }
    }
    const current = raw['current-context'];
    if (merged['current-context'] === undefined && typeof current === 'string' && current !== '') {
      merged['current-context'] = current;
    }
  }
  return merged;
}

function readKubeconfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SeiError(`cannot read kubeconfig ${file}: ${code}`, { reason: 'KubeconfigNotFound', exitCode: ExitCode.InvalidInput });
  }
  const read = readYaml(text);
  if ('problem' in read) {
    // Only yaml's error code and the position: its messages quote the line, which may hold a token.
    const { line, col, code } = read.problem;
    const where = line === undefined ? file : `${file}:${line}:${col}`;
    throw new SeiError(`kubeconfig ${where} is not valid YAML (${code})`, {
      reason: 'InvalidKubeconfig',
      exitCode: ExitCode.InvalidInput,
      hints: [`fix the YAML at ${where}`],
    });
  }
  const { value } = read;
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidFile(file, 'the document must be a mapping');
  return value as Record<string, unknown>;
}

function invalidFile(file: string, problem: string): SeiError {
  return new SeiError(`kubeconfig ${file} is invalid: ${problem}`, { reason: 'InvalidKubeconfig', exitCode: ExitCode.InvalidInput });
}

/** Relative file references are relative to the kubeconfig that holds them (kubectl's rule). */
function absolutePaths(entry: NamedEntry, section: 'clusters' | 'users', dir: string): NamedEntry {
  const { section: key, fields } = PATH_FIELDS[section];
  const body = entry[key];
  if (body === null || typeof body !== 'object') return entry;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === 'string' && value !== '' && !path.isAbsolute(value)) copy[field] = path.join(dir, value);
  }
  return { ...entry, [key]: copy };
}

function inClusterConfig(env: NodeJS.ProcessEnv, root: string): RawKubeconfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = path.join(root, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const namespaceFile = path.join(root, 'namespace');
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
  const caFile = path.join(root, 'ca.crt');
  return {
    clusters: [{ name: 'in-cluster', cluster: { server: `https://${hostPart}:${port}`, ...(existsSync(caFile) ? { 'certificate-authority': caFile } : {}) } }],
    // client-node's tokenFile auth provider re-reads the projected token when it rotates.
    users: [{ name: 'in-cluster', user: { 'auth-provider': { name: 'tokenFile', config: { tokenFile } } } }],
    contexts: [{ name: 'in-cluster', context: { cluster: 'in-cluster', user: 'in-cluster', ...(namespace ? { namespace } : {}) } }],
    'current-context': 'in-cluster',
  };
}

function names(entries: NamedEntry[]): string {
  const list = entries.map((entry) => String(entry.name));
  return list.length === 0 ? '(none)' : list.join(', ');
}

function body(entry: NamedEntry | undefined, key: string): Record<string, unknown> {
  const value = entry?.[key];
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/**
 * client-node refuses an http:// server unless insecure-skip-tls-verify is set; kubectl just
 * talks plain HTTP to it. There is no TLS to skip on http://, so setting the flag changes nothing
 * else (the sim and `kubectl proxy` serve http).
 */
function plainHttpAllowed(cluster: NamedEntry): NamedEntry {
  const fields = body(cluster, 'cluster');
  if (typeof fields.server !== 'string' || !fields.server.startsWith('http:')) return cluster;
  return { ...cluster, cluster: { ...fields, 'insecure-skip-tls-verify': true } };
}

/** --as overrides the kubeconfig user's own `as` (client-node sends it as Impersonate-User). */
function impersonating(user: NamedEntry, as: string | undefined): NamedEntry {
  if (!as) return user;
  return { ...user, user: { ...body(user, 'user'), as } };
}

/** kubectl's `tokenFile` user field is unknown to client-node; its tokenFile auth provider is the same thing. */
function withTokenFile(user: NamedEntry): NamedEntry {
  const fields = body(user, 'user');
  if (typeof fields.tokenFile !== 'string' || fields.token !== undefined || fields['auth-provider'] !== undefined) return user;
  return { ...user, user: { ...fields, 'auth-provider': { name: 'tokenFile', config: { tokenFile: fields.tokenFile } } } };
}

/** Applies --context/--cluster/--user/-n to the merged configuration. */
function resolve(raw: RawKubeconfig, options: ConnectionOptions, source: string): ResolvedKubeconfig {
  const contextName = options.context || raw['current-context'];
  let context: NamedEntry | undefined;
  if (contextName) {
    context = raw.contexts.find((entry) => entry.name === contextName);
    if (!context) {
      throw new SeiError(`context "${contextName}"${options.context ? ' (--context)' : ' (current-context)'} does not exist in ${source}; contexts: ${names(raw.contexts)}`, {
        reason: 'ContextNotFound',
        exitCode: ExitCode.InvalidInput,
        hints: ['pass --context with one of the contexts listed'],
      });
    }
  } else if (!options.cluster) {
    throw new SeiError(`no current-context is set in ${source} and no --context was given; contexts: ${names(raw.contexts)}`, {
      reason: 'ContextNotFound',
      exitCode: ExitCode.InvalidInput,
      hints: ['pass --context NAME, or run kubectl config use-context NAME'],
    });
  }
  const contextBody = body(context, 'context');
  const clusterName = options.cluster || (typeof contextBody.cluster === 'string' ? contextBody.cluster : '');
  const userName = options.user || (typeof contextBody.user === 'string' ? contextBody.user : '');
  const cluster = raw.clusters.find((entry) => entry.name === clusterName);
  if (!cluster) {
    throw new SeiError(`cluster "${clusterName}"${options.cluster ? ' (--cluster)' : ` (context "${contextName}")`} does not exist in ${source}; clusters: ${names(raw.clusters)}`, {
      reason: 'ClusterNotFound',
      exitCode: ExitCode.InvalidInput,
      hints: ['pass --cluster with one of the clusters listed, or fix the context'],
    });
  }
  const server = body(cluster, 'cluster').server;
  if (typeof server !== 'string' || server === '') {
    throw new SeiError(`cluster "${clusterName}" in ${source} has no server`, { reason: 'InvalidKubeconfig', exitCode: ExitCode.InvalidInput });
  }
  const user = userName ? raw.users.find((entry) => entry.name === userName) : undefined;
  if (userName && !user) {
    throw new SeiError(`user "${userName}"${options.user ? ' (--user)' : ` (context "${contextName}")`} does not exist in ${source}; users: ${names(raw.users)}`, {
      reason: 'UserNotFound',
      exitCode: ExitCode.InvalidInput,
      hints: ['pass --user with one of the users listed, or fix the context'],
    });
  }
  const namespaceFromContext = typeof contextBody.namespace === 'string' && contextBody.namespace !== '' ? contextBody.namespace : undefined;
  const namespace = options.namespace || namespaceFromContext || 'default';
  const effectiveName = contextName ?? `${clusterName}/${userName}`;
  // One synthetic document holding only what is used: KubeConfig then never sees duplicates.
  const effective = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [plainHttpAllowed(cluster)],
    users: [impersonating(user ? withTokenFile(user) : { name: '(anonymous)', user: {} }, options.as)],
    contexts: [{ name: effectiveName, context: { cluster: clusterName, user: user ? userName : '(anonymous)', namespace } }],
    'current-context': effectiveName,
  };
  const kubeConfig = new KubeConfig();
  try {
    // What loadFromString does after its YAML parse, without the second parse of a document
    // this file already parsed (client-node 1.3 dist/config.js loadFromString).
    kubeConfig.loadFromOptions({ clusters: newClusters(effective.clusters), contexts: newContexts(effective.contexts), users: newUsers(effective.users), currentContext: effective['current-context'] });
  } catch (error) {
    // client-node's message may quote entries; report only that the shape was wrong.
    throw new SeiError(`kubeconfig ${source}: context "${effectiveName}" is malformed (${error instanceof Error ? error.name : 'error'})`, {
      reason: 'InvalidKubeconfig',
      exitCode: ExitCode.InvalidInput,
      cause: undefined,
    });
  }
  return { kubeConfig, contextName: effectiveName, clusterName, userName: user ? userName : '', namespace, server, source };
}
