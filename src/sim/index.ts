/**
 * startSim: the simulated cluster as a library (tests start it in-process on port 0) and the
 * engine of `kubectl sei sim serve`. Wires the store (optionally persisted to a state dir), the
 * served CRDs, admission, the controller, fault injection and the HTTP server, then seeds the
 * fleet. Owns lifecycle only: every behaviour lives in the modules it wires.
 */
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createStore, type SimStoreHandle } from './storage/store.js';
import type { CrdFlavor, KubeObject } from './types.js';
import { CORE_RESOURCES, CRD_RESOURCE, ResourceRegistry, resourcesFromCrd } from './resources.js';
import { loadServedCrds } from './crds.js';
import { createApiServer, type SimStats } from './http/server.js';
import { FaultInjector, loadFaultFile, type FaultConfig } from './faults.js';
import { createOpenApi } from './http/openapi.js';
import { kubeconfigYaml, writeKubeconfigFile } from './http/kubeconfig.js';
import { applySeed, ensureNamespace, fleetNodes, loadSeedFile, prepareSeed } from './seed.js';
import type { SchemaValidator } from './admission/admission.js';
import { createSchemaValidator } from './admission/schema-validator.js';
import { servedTaskKinds, startController, type SimControllerHandle } from './controller/index.js';
import { servingCert } from './http/tls.js';
import { loadIdentity, saveIdentity } from './storage/identity.js';
import { systemClock, type SimClock } from './clock.js';

export interface SimOptions {
  port?: number;
  host?: string;
  /** Create this many SeiNodes node-0 … in `namespace`. */
  fleet?: number;
  /** Also create this many validator SeiNodes validator-0 … (workflows refuse them: TargetRejected). */
  validators?: number;
  namespace?: string;
  seedFile?: string;
  seedObjects?: KubeObject[];
  stateDir?: string;
  crd?: CrdFlavor;
  faults?: FaultConfig | string;
  /** Bearer token; random when absent. */
  token?: string;
  /** Run the simulated controller (default true). */
  controller?: boolean;
  /** Interval of watch BOOKMARK events (default 60s, as the apiserver). */
  bookmarkIntervalMs?: number;
  /** Watch history length before resourceVersions compact (default: the store's). */
  historyLimit?: number;
  /** Serve https with a self-signed certificate (default true; kubectl sends tokens only over TLS). */
  tls?: boolean;
  /** Override the schema validator (tests); default: the project's CRD validator. */
  validator?: SchemaValidator;
  /**
   * The cluster's time and the controller's timers (default: the system clock). Tests pass a
   * manualClock() and advance it instead of sleeping.
   */
  clock?: SimClock;
}

export interface RunningSim {
  url: string;
  token: string;
  namespace: string;
  crd: CrdFlavor;
  clock: SimClock;
  /** The serving certificate (PEM) when https; put it in a client's trust store. */
  caPem?: string;
  store: SimStoreHandle;
  kubeconfigYaml(): string;
  writeKubeconfig(path: string): void;
  setFaults(config: FaultConfig): void;
  stats(): SimStats;
  /** Resolves once the controller has nothing queued (timers may remain): pairs with a manual clock. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSim(options: SimOptions = {}): Promise<RunningSim> {
  const namespace = options.namespace ?? 'sei';
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const crd = options.crd ?? 'seed';
  // A state dir keeps the identity too: clients configured before a restart still connect.
  const saved = options.stateDir ? loadIdentity(options.stateDir) : undefined;
  const token = options.token ?? saved?.token ?? randomBytes(24).toString('base64url');
  // Every input is read and checked before anything is written: bad input has no effect.
  const faults = new FaultInjector(typeof options.faults === 'string' ? loadFaultFile(options.faults) : options.faults);
  const crds = loadServedCrds(crd);
  const taskKinds = servedTaskKinds(crds);
  const registry = new ResourceRegistry([...CORE_RESOURCES, CRD_RESOURCE, ...crds.flatMap(resourcesFromCrd)]);
  const validator = options.validator ?? createSchemaValidator(crds);
  const seeds = [
    { objects: fleetNodes(options.fleet ?? 0, namespace, options.validators ?? 0), file: 'fleet' },
    { objects: options.seedFile ? loadSeedFile(options.seedFile) : [], file: options.seedFile ?? 'seed' },
    { objects: options.seedObjects ?? [], file: 'seedObjects' },
  ].map((seed) => ({ file: seed.file, objects: prepareSeed(registry, seed.objects, namespace, seed.file, validator) }));
  const tls = options.tls === false ? undefined : (saved?.cert ?? servingCert());

  const groups = Object.fromEntries(registry.all.filter((r) => r.group !== '').map((r) => [r.plural, r.group]));
  const store = createStore({ stateDir: options.stateDir, groups, historyLimit: options.historyLimit, now });
  const api = createApiServer({ store, registry, token, faults, validator, openapi: createOpenApi(registry), bookmarkIntervalMs: options.bookmarkIntervalMs, tls, now });
  const sockets = new Set<import('node:net').Socket>();
  api.server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  try {
    // Listen before seeding, so a busy port leaves a state dir untouched.
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        api.server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await store.close();
    throw error;
  }

  if (options.stateDir && (!saved || saved.token !== token || (tls && !saved.cert))) saveIdentity(options.stateDir, { token, ...(tls ? { cert: tls } : {}) });
  installCrds(store, crds, now());
  ensureNamespace(store, 'default');
  ensureNamespace(store, namespace);
  const controller: SimControllerHandle | undefined = options.controller === false ? undefined : startController(store, { crd, clock, taskKinds });
  for (const seed of seeds) applySeed(store, registry, seed.objects, namespace, seed.file);

  const address = api.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;
  const config = () => kubeconfigYaml(url, token, namespace, tls?.certPem);
  let stopped: Promise<void> | undefined;

  return {
    url,
    token,
    namespace,
    crd,
    clock,
    store,
    caPem: tls?.certPem,
    kubeconfigYaml: config,
    writeKubeconfig: (path) => writeKubeconfigFile(path, config()),
    setFaults: (config) => faults.set(config),
    stats: () => api.stats(),
    settled: async () => {
      // A write through the API wakes the controller on the next turn: let it enqueue first.
      await new Promise((resolve) => setImmediate(resolve));
      await controller?.idle();
    },
    stop() {
      stopped ??= (async () => {
        controller?.stop();
        api.closeWatches();
        await new Promise<void>((resolve) => {
          api.server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
        await store.close();
      })();
      return stopped;
    },
  };
}

/** The served CRDs live in the store too, so `kubectl get crd` lists and watches them. */
function installCrds(store: SimStoreHandle, crds: KubeObject[], nowMs: number): void {
  for (const c of crds) {
    const live = store.get('customresourcedefinitions', undefined, c.metadata.name!);
    const established = {
      type: 'Established',
      status: 'True',
      reason: 'InitialNamesAccepted',
      message: 'the initial names have been accepted',
      lastTransitionTime: new Date(nowMs).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const served = { ...c, status: { acceptedNames: (c.spec as { names: unknown }).names, conditions: [established], storedVersions: ['v1alpha1'] } };
    if (!live) store.create('customresourcedefinitions', served);
    else if (JSON.stringify(live.spec) !== JSON.stringify(c.spec)) store.update('customresourcedefinitions', { ...served, metadata: { ...live.metadata, ...c.metadata } });
  }
}

export type { FaultConfig } from './faults.js';
export { manualClock, systemClock, type ManualClock, type SimClock } from './clock.js';
export type { SimStats } from './http/server.js';
