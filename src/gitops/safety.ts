/**
 * The refusals of a GitOps commit that need no git: names that would escape --path, a
 * --path that leaves the repository, plaintext Secrets. Pure functions; every one throws a
 * SeiError (exit 2) naming the object and the fix, and runs before anything is written.
 * It must not read or write files.
 */
import path from 'node:path';
import { SeiError } from '../errors/index.js';
import type { KubeObject } from '../cluster/types.js';

// A DNS-1123 subdomain: dot-separated labels of [a-z0-9-], no empty label, so no "..", "/", "\\" or NUL.
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function describeObject(object: KubeObject): string {
  const ns = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind ?? '<no kind>'} ${ns}${object.metadata?.name ?? '<no name>'}`;
}

/** A name or namespace becomes part of a file path: only DNS-1123 subdomains are allowed. */
export function checkPathSafeNames(objects: KubeObject[]): void {
  for (const object of objects) {
    for (const field of ['name', 'namespace'] as const) {
      const value = object.metadata?.[field];
      if (field === 'namespace' && value === undefined) continue;
      if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !SUBDOMAIN.test(value)) {
        throw SeiError.invalid(
          `refusing to commit ${describeObject(object)}: metadata.${field} ${JSON.stringify(value)} is not a DNS-1123 name and could escape --path`,
          [{ field: `metadata.${field}`, type: 'FieldValueInvalid', message: 'must be lower-case letters, digits, "-" and "." (no "/", "..", absolute paths or NUL)' }],
          [`Rename the object: kubectl-sei writes it to <path>/<name>.yaml, so the name must stay inside --path.`],
        );
      }
    }
  }
}

/**
 * --path relative to the repository root, POSIX separators, no trailing slash; '' is the root
 * itself (a repository per cluster). Absolute paths are accepted only inside the repository.
 */
export function normalizeRepoPath(repoRoot: string, rawPath: string): string {
  if (rawPath.includes('\0')) throw badPath(rawPath, 'contains a NUL byte');
  const absolute = path.isAbsolute(rawPath) ? path.resolve(rawPath) : path.resolve(repoRoot, rawPath);
  const relative = path.relative(repoRoot, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw badPath(rawPath, `is outside the repository ${repoRoot}`);
  const posix = relative.split(path.sep).join('/');
  if (posix.split('/').some((segment) => segment === '.git')) throw badPath(rawPath, 'is inside .git');
  return posix;
}

function badPath(rawPath: string, why: string): SeiError {
  return SeiError.invalid(`--path ${JSON.stringify(rawPath)} ${why}`, [{ field: '--path', type: 'FieldValueInvalid', message: why }], [
    'Pass a directory relative to the repository root, e.g. --path clusters/dev/arctic-1/tasks.',
  ]);
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Every Secret an object carries into Git, with where it sits: the object itself, the items of
 * any `*List` kind (kustomize and kubectl flatten a SecretList back into Secrets), and the
 * object a `last-applied-configuration` annotation holds (`kubectl get -o yaml` then `sops`
 * leaves the plaintext there).
 */
function* secretsIn(object: unknown, where: string, depth = 0, listSops?: unknown): Generator<{ secret: KubeObject; where: string; annotation: boolean; listSops?: unknown }> {
  if (depth > 32 || object === null || typeof object !== 'object' || Array.isArray(object)) return;
  const o = object as KubeObject;
  if (o.kind === 'Secret') yield { secret: o, where, annotation: false, ...(listSops ? { listSops } : {}) };
  if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o['items'])) {
    const items = o['items'] as unknown[];
    // sops encrypts a List as one file: its sops: block covers the items.
    for (let i = 0; i < items.length; i++) yield* secretsIn(items[i], `${where} items[${i}]`, depth + 1, o.sops ?? listSops);
  }
  const applied = o.metadata?.annotations?.[LAST_APPLIED];
  if (typeof applied === 'string' && !applied.startsWith('ENC[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(applied);
    } catch {
      parsed = undefined;
    }
    for (const found of secretsIn(parsed, `${where} metadata.annotations[${LAST_APPLIED}]`, depth + 1)) yield { ...found, annotation: true };
  }
}

/**
 * A Secret may be committed only SOPS-encrypted: a `sops:` block with a MAC and every value of
 * data/stringData an `ENC[...]` string — wherever the Secret sits (a List's items, a
 * last-applied-configuration annotation). A plaintext key in Git is a disaster the history keeps.
 */
export function checkSecrets(objects: KubeObject[]): void {
  for (const top of objects) {
    for (const { secret: object, where, annotation, listSops } of secretsIn(top, describeObject(top))) {
      const at = where === describeObject(object) ? '' : ` (in ${where})`;
      const hints = [
        "Encrypt it first: sops --encrypt --encrypted-regex '^(data|stringData)$' --in-place FILE (Flux decrypts with decryption.provider: sops; ArgoCD needs KSOPS or a similar plugin).",
        'Or keep the Secret out of Git and create it on the cluster directly.',
      ];
      if (annotation) {
        // The annotation is never decrypted by anyone: any value in it is plaintext in Git.
        if (['data', 'stringData'].some((f) => hasValues(object[f]) && Object.values(object[f] as Record<string, unknown>).some((v) => typeof v !== 'string' || !v.startsWith('ENC[')))) {
          throw SeiError.preflight('PlaintextSecret', `refusing to commit ${describeObject(object)}${at}: the annotation holds the Secret's values in plaintext`, [
            `Remove the annotation before encrypting: kubectl annotate --local -f FILE ${LAST_APPLIED}- -o yaml, or export with kubectl get -o yaml | yq 'del(.metadata.annotations."${LAST_APPLIED}")'.`,
            ...hints,
          ]);
        }
        continue;
      }
      const sops = object.sops ?? listSops;
      if (sops === null || typeof sops !== 'object' || Array.isArray(sops) || !('mac' in sops)) {
        throw SeiError.preflight('PlaintextSecret', `refusing to commit ${describeObject(object)}${at}: it is not SOPS-encrypted (no sops: block with a mac); a plaintext key in Git stays in its history forever`, hints);
      }
      let encryptedValues = 0;
      for (const field of ['data', 'stringData'] as const) {
        const values = object[field];
        if (values === undefined || values === null) continue;
        if (typeof values !== 'object' || Array.isArray(values)) {
          throw SeiError.invalid(`refusing to commit ${describeObject(object)}${at}: ${field} must be a map`, [{ field, type: 'FieldValueInvalid', message: 'must be a map of ENC[...] values' }], hints);
        }
        for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
          if (typeof value !== 'string' || !value.startsWith('ENC[')) {
            throw SeiError.invalid(
              `refusing to commit ${describeObject(object)}${at}: ${field}.${key} is not encrypted although the object has a sops: block`,
              [{ field: `${field}.${key}`, type: 'FieldValueInvalid', message: 'must be an ENC[...] value written by sops' }],
              hints,
            );
          }
          encryptedValues += 1;
        }
      }
      if (encryptedValues === 0) {
        throw SeiError.preflight('PlaintextSecret', `refusing to commit ${describeObject(object)}${at}: it has a sops: block but no ENC[...] value in data or stringData`, hints);
      }
    }
  }
}

function hasValues(values: unknown): boolean {
  return values !== null && typeof values === 'object' && !Array.isArray(values) && Object.keys(values).length > 0;
}

export function isSopsSecret(object: KubeObject): boolean {
  return object.kind === 'Secret' && object.sops !== null && typeof object.sops === 'object';
}

/** Fields the apiserver owns: committing them would make the GitOps engine fight the cluster. */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];

export function stripServerFields(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object;
  void _status;
  const metadata = { ...object.metadata };
  for (const field of SERVER_FIELDS) delete metadata[field];
  if (metadata.annotations) {
    const annotations = { ...metadata.annotations };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    metadata.annotations = annotations;
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
  }
  return { ...rest, metadata } as KubeObject;
}
