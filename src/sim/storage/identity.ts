/**
 * The sim's identity (bearer token and serving certificate) kept in --state-dir, so a client's
 * kubeconfig survives a restart of `sim serve` with the same state dir, as it survives an
 * apiserver restart. The file is private (0600): it holds the token and the TLS key.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ServingCert } from '../http/tls.js';

export interface SimIdentity {
  token: string;
  cert?: ServingCert;
}

const FILE = 'identity.json';

export function loadIdentity(stateDir: string): SimIdentity | undefined {
  const file = join(stateDir, FILE);
  if (!existsSync(file)) return undefined;
  let parsed: { token?: unknown; certPem?: unknown; keyPem?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new Error(`${file}: not the sim's identity file (${(error as Error).message}); delete it to start with a new token and certificate`);
  }
  if (typeof parsed.token !== 'string' || parsed.token === '') throw new Error(`${file}: no token; delete it to start with a new token and certificate`);
  const cert = typeof parsed.certPem === 'string' && typeof parsed.keyPem === 'string' ? { certPem: parsed.certPem, keyPem: parsed.keyPem } : undefined;
  return { token: parsed.token, ...(cert ? { cert } : {}) };
}

export function saveIdentity(stateDir: string, identity: SimIdentity): void {
  const file = join(stateDir, FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ token: identity.token, ...(identity.cert ? { certPem: identity.cert.certPem, keyPem: identity.cert.keyPem } : {}) })}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
