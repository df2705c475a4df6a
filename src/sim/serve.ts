/**
 * The use-case behind `kubectl sei sim serve`: start the sim from typed options, report where it
 * listens, serve until the abort signal, then stop cleanly (watches closed, state flushed).
 * Turns bad input (seed, faults, port) into SeiErrors with exit code 2; never prints the token.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeiError } from '../errors/index.js';
import { startSim, type RunningSim, type SimOptions } from './index.js';

export interface ServeOptions extends SimOptions {
  kubeconfigOut?: string;
}

export interface ServeReady {
  url: string;
  /** Always written (0600): --kubeconfig-out, else <state-dir>/kubeconfig, else a fresh temp dir. */
  kubeconfig: string;
  namespace: string;
  crd: string;
  /**
   * What the sim holds once ready, counted in its store (--fleet, --validators, --seed and
   * --state-dir together): every SeiNode, those that are validators, and the rest.
   */
  nodes: number;
  fleet: number;
  validators: number;
  stateDir?: string;
}

/** Where the kubeconfig goes when --kubeconfig-out is not given: the sim must be reachable as printed. */
function defaultKubeconfigPath(options: ServeOptions): string {
  if (options.stateDir) return join(options.stateDir, 'kubeconfig');
  return join(mkdtempSync(join(tmpdir(), 'kubectl-sei-sim-')), 'kubeconfig');
}

export async function serveSim(options: ServeOptions, hooks: { signal: AbortSignal; onReady: (ready: ServeReady) => void }): Promise<void> {
  let sim: RunningSim;
  try {
    sim = await startSim(options);
  } catch (error) {
    throw asInputError(error, options);
  }
  try {
    const kubeconfig = writeKubeconfigOrRefuse(sim, options);
    // The real count, not the flag: a --seed or a --state-dir brings nodes of its own.
    const nodes = sim.store.list('seinodes');
    const validators = nodes.filter((n) => (n['spec'] as Record<string, unknown> | undefined)?.['validator'] !== undefined).length;
    hooks.onReady({
      url: sim.url,
      kubeconfig,
      namespace: sim.namespace,
      crd: sim.crd,
      nodes: nodes.length,
      fleet: nodes.length - validators,
      validators,
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    });
    if (!hooks.signal.aborted) await new Promise<void>((resolve) => hooks.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    await sim.stop();
  }
}

/** The kubeconfig file, written; a path that cannot be written is bad input (exit 2), not a bug. */
function writeKubeconfigOrRefuse(sim: RunningSim, options: ServeOptions): string {
  let kubeconfig = options.kubeconfigOut ?? (options.stateDir ? join(options.stateDir, 'kubeconfig') : tmpdir());
  try {
    kubeconfig = options.kubeconfigOut ?? defaultKubeconfigPath(options);
    sim.writeKubeconfig(kubeconfig);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw SeiError.preflight('InvalidKubeconfigOut', `cannot write the kubeconfig to ${kubeconfig} (${code})`, ['Choose a writable path for --kubeconfig-out (its directory is created when missing).']);
  }
  return kubeconfig;
}

function asInputError(error: unknown, options: ServeOptions): unknown {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') {
    return SeiError.preflight('PortInUse', `port ${options.port} is already in use`, ['Choose another --port, or --port 0 to pick a free one.']);
  }
  if (e?.code === 'ENOENT' && typeof e.path === 'string') {
    return SeiError.preflight('FileNotFound', `${e.path}: no such file`, ['Check the path given to --seed or --faults.']);
  }
  const message = e instanceof Error ? e.message : String(e);
  if (message.startsWith('faults file ')) return SeiError.preflight('InvalidFaults', message.slice('faults file '.length), ['Fix the YAML at that line; see `kubectl sei sim serve --help` for the fault fields.']);
  if (message.includes('identity.json')) return SeiError.preflight('InvalidStateDir', message);
  if (message.startsWith('faults')) return SeiError.preflight('InvalidFaults', `${options.faults}: ${message}`, ['See `kubectl sei sim serve --help` for the fault fields.']);
  if (options.seedFile && message.startsWith(options.seedFile)) return SeiError.preflight('InvalidSeed', message, ['A seed is multi-document YAML of served objects (SeiNodes, SeiNodeTasks, pods, configmaps, namespaces).']);
  return error;
}
