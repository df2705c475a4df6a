/**
 * What a request's query string and headers ask for, checked the way the apiserver checks them
 * (unsupported values are 400s naming the parameter): content negotiation, dryRun,
 * fieldValidation, fieldManager, list continue tokens, Warning headers. Pure.
 */
import type { IncomingMessage } from 'node:http';
import { Errors } from './status.js';
import type { IncludeObject } from './table.js';
import type { FieldValidation } from '../admission/admission.js';
import type { KubeObject } from '../types.js';

export type Query = URLSearchParams;
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * What the client accepts: a Table (kubectl get), metadata only (PartialObjectMetadata, as
 * garbage collectors and `kubectl get -o name` style clients ask) or plain JSON. Protobuf is not
 * spoken: a client that offers it also offers JSON.
 */
export function negotiate(req: IncomingMessage): 'table' | 'meta' | 'json' {
  const accept = String(req.headers.accept ?? '*/*');
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((kv) => kv.split('=').map((s) => s.trim())));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const metaV1 = (p.v === 'v1' || p.v === undefined) && (p.g === 'meta.k8s.io' || p.g === undefined);
    if (p.as === 'Table' && metaV1) return 'table';
    if (p.as === 'PartialObjectMetadata' && metaV1) return 'meta';
    if (p.as === 'PartialObjectMetadataList' && metaV1) return 'meta';
    if (p.as === undefined) return 'json';
  }
  throw Errors.notAcceptable(
    'only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
  );
}

export function partialMetadata(o: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function includeObject(q: Query): IncludeObject {
  const v = q.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw Errors.badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
  return v;
}

export function fieldValidation(q: Query): FieldValidation {
  const v = q.get('fieldValidation') ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') {
    throw Errors.badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
  }
  return v;
}

export function dryRun(q: Query): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw Errors.badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

export function bool(q: Query, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

export function fieldManager(req: IncomingMessage, q: Query, required: boolean): string {
  const explicit = q.get('fieldManager');
  if (explicit !== null) {
    if (explicit.length > 128) throw Errors.badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    return explicit;
  }
  if (required) throw Errors.badRequest('fieldManager is required for apply requests');
  // The apiserver's default: the user agent's program name.
  return String(req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown';
}

export function warningHeaders(warnings: string[]): Record<string, string> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

export function encodeContinue(rv: string, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: `${lastKey}\u0000` })).toString('base64url');
}

export function decodeContinue(token: string): { start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof parsed.start !== 'string') throw new Error('no start');
    return { start: parsed.start };
  } catch {
    throw Errors.badRequest('continue key is not valid: illegal base64 data at input byte 0');
  }
}

export const objectKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
