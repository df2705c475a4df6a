/**
 * Deterministic fault injection: a seeded PRNG decides, request by request, whether to add
 * latency, answer 429/500/503, drop the connection, answer a watch with 410 Gone, or close a
 * watch stream after N events. The same seed and request order give the same faults. Owns the
 * decision only; the server carries it out. /sim/* and discovery are never faulted unless a
 * configured `paths` prefix names them.
 */
import { parseDocument } from 'yaml';
import { readFileSync } from 'node:fs';

export interface FaultConfig {
  seed?: number;
  /** Close every watch stream after this many events (the client must resume). */
  closeWatchAfterEvents?: number;
  /** Fraction [0,1] of watch requests answered with 410 Gone. */
  watchGoneRate?: number;
  /** Fraction [0,1] of requests answered with one of errorCodes. */
  errorRate?: number;
  errorCodes?: number[];
  retryAfterSeconds?: number;
  latencyMs?: number;
  /** Fraction [0,1] of requests whose connection is destroyed without an answer. */
  dropConnectionRate?: number;
  /** Only requests whose path starts with one of these are faulted (default: every API path). */
  paths?: string[];
}

export interface FaultDecision {
  latencyMs: number;
  error?: number;
  retryAfterSeconds?: number;
  drop: boolean;
  gone: boolean;
}

const NONE: FaultDecision = { latencyMs: 0, drop: false, gone: false };
const KNOWN = new Set(['seed', 'closeWatchAfterEvents', 'watchGoneRate', 'errorRate', 'errorCodes', 'retryAfterSeconds', 'latencyMs', 'dropConnectionRate', 'paths']);

/** mulberry32: tiny, fast and good enough to make fault sequences reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rate(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`faults.${name}: must be a number between 0 and 1, got ${JSON.stringify(v)}`);
  return v;
}

function count(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`faults.${name}: must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks a parsed config, naming the offending field. */
export function validateFaultConfig(raw: unknown): FaultConfig {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error('faults: must be a mapping');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KNOWN.has(k)) throw new Error(`faults.${k}: unknown field (known: ${[...KNOWN].join(', ')})`);
  const codes = r.errorCodes;
  if (codes !== undefined && (!Array.isArray(codes) || !codes.every((c) => [429, 500, 502, 503, 504].includes(c as number)))) {
    throw new Error('faults.errorCodes: must be a list of 429, 500, 502, 503, 504');
  }
  const paths = r.paths;
  if (paths !== undefined && (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string'))) throw new Error('faults.paths: must be a list of path prefixes');
  return {
    seed: count('seed', r.seed),
    closeWatchAfterEvents: count('closeWatchAfterEvents', r.closeWatchAfterEvents),
    watchGoneRate: rate('watchGoneRate', r.watchGoneRate),
    errorRate: rate('errorRate', r.errorRate),
    errorCodes: codes as number[] | undefined,
    retryAfterSeconds: count('retryAfterSeconds', r.retryAfterSeconds),
    latencyMs: count('latencyMs', r.latencyMs),
    dropConnectionRate: rate('dropConnectionRate', r.dropConnectionRate),
    paths: paths as string[] | undefined,
  };
}

export function loadFaultFile(file: string): FaultConfig {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const error = doc.errors[0];
  if (error) {
    // Reported as the position in the file (exit 2 in `sim serve`), not as an internal error.
    const at = error.linePos?.[0];
    throw new Error(`faults file ${file}${at ? `:${at.line}:${at.col}` : ''}: YAML syntax error: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  return validateFaultConfig(doc.toJS());
}

export function isDiscoveryPath(path: string): boolean {
  return (
    path === '/version' ||
    path === '/api' ||
    path === '/api/v1' ||
    path === '/apis' ||
    /^\/apis\/[^/]+(\/[^/]+)?$/.test(path) ||
    path.startsWith('/openapi/') ||
    path === '/openapi/v2' ||
    path.startsWith('/sim/')
  );
}

export class FaultInjector {
  private config: FaultConfig = {};
  private random: () => number = mulberry32(0);

  constructor(config?: FaultConfig) {
    this.set(config ?? {});
  }

  /** Replaces the configuration and restarts the PRNG from its seed. */
  set(config: FaultConfig): void {
    this.config = validateFaultConfig(config);
    this.random = mulberry32(this.config.seed ?? 0);
  }

  get(): FaultConfig {
    return { ...this.config };
  }

  private applies(path: string): boolean {
    const c = this.config;
    return c.paths ? c.paths.some((p) => path.startsWith(p)) : !isDiscoveryPath(path);
  }

  /**
   * The current closeWatchAfterEvents for a watch path. Read on every event, so a change through
   * /sim/faults reaches streams that are already open (a client's long-lived watch included).
   */
  watchCloseAfter(path: string): number | undefined {
    return this.applies(path) ? this.config.closeWatchAfterEvents : undefined;
  }

  decide(path: string, isWatch: boolean): FaultDecision {
    const c = this.config;
    if (!this.applies(path)) return NONE;
    // Draw every number on every request so one knob does not shift the others' sequences.
    const rDrop = this.random();
    const rErr = this.random();
    const rCode = this.random();
    const rGone = this.random();
    const codes = c.errorCodes && c.errorCodes.length > 0 ? c.errorCodes : [429, 500, 503];
    const decision: FaultDecision = { latencyMs: c.latencyMs ?? 0, drop: false, gone: false };
    if (c.dropConnectionRate !== undefined && rDrop < c.dropConnectionRate) decision.drop = true;
    else if (c.errorRate !== undefined && rErr < c.errorRate) {
      decision.error = codes[Math.floor(rCode * codes.length)];
      if (decision.error === 429 || decision.error === 503) decision.retryAfterSeconds = c.retryAfterSeconds ?? 1;
    } else if (isWatch && c.watchGoneRate !== undefined && rGone < c.watchGoneRate) decision.gone = true;
    return decision;
  }
}
