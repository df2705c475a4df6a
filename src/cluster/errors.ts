/**
 * Turns what the API server or the network said into a SeiError with the right exit code and a
 * next step. Owns the HTTP-status → reason/exit-code table of kubectl-sei.
 * Must not: pass through client-node's ApiException or node-fetch messages (they carry headers
 * and URLs with credentials); messages here are built from our words and the server's Status.
 */
import { ExitCode } from '../errors/exit-codes.js';
import { SeiError, type FieldCause } from '../errors/sei-error.js';

/** The fields of a metav1.Status that matter to us. */
export interface ApiStatus {
  kind?: string;
  reason?: string;
  message?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

export interface RequestContext {
  /** Server URL without credentials. */
  server: string;
  verb: string;
  /** e.g. `seinodetasks.sei.io "restart-x"` or `seinodetasks.sei.io`. */
  what: string;
  /** The group of the resource, to word "CRD not installed". */
  group?: string;
  kind?: string;
}

export function asStatus(body: unknown): ApiStatus | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const status = body as ApiStatus;
  return status.kind === 'Status' || typeof status.reason === 'string' ? status : undefined;
}

/** True when a 404 says the resource type is not served (as opposed to one object missing). */
export function isResourceNotServed(body: unknown): boolean {
  const status = asStatus(body);
  return status?.details?.name === undefined;
}

function causesOf(status: ApiStatus | undefined): FieldCause[] {
  return (status?.details?.causes ?? []).map((cause) => ({ field: cause.field ?? '', type: cause.reason, message: cause.message ?? '' }));
}

export function crdNotInstalled(context: RequestContext): SeiError {
  const kind = context.kind ?? 'resource';
  return SeiError.cluster('NotFound', `the ${kind} CRD is not installed on ${context.server} (${context.what} is not served)`, [
    context.group === 'sei.io'
      ? 'install the sei-k8s-controller CRDs, or check --context points at the cluster running it'
      : 'check --context points at the right cluster',
  ], 404);
}

export function statusError(code: number, body: unknown, context: RequestContext): SeiError {
  const status = asStatus(body);
  const serverMessage = status?.message && status.message.length > 0 ? status.message : undefined;
  const said = serverMessage ?? `${context.verb} ${context.what}: HTTP ${code}`;
  switch (code) {
    case 400:
      return new SeiError(said, { reason: status?.reason ?? 'BadRequest', exitCode: ExitCode.InvalidInput, httpCode: 400, causes: causesOf(status) });
    case 401:
      return SeiError.cluster('Unauthorized', `the API server at ${context.server} rejected the credentials (401 Unauthorized)`, [
        'check --context / credentials: the token or client certificate of the kubeconfig user may have expired',
      ], 401);
    case 403:
      return SeiError.cluster('Forbidden', serverMessage ?? `forbidden: ${context.verb} ${context.what}`, [
        `check --context / credentials: the user needs "${context.verb}" on ${context.what.split(' ')[0]}`,
      ], 403);
    case 404:
      if (isResourceNotServed(body)) return crdNotInstalled(context);
      return SeiError.cluster('NotFound', said, [], 404);
    case 409: {
      const causes = causesOf(status);
      return new SeiError(said, {
        reason: status?.reason ?? 'Conflict',
        exitCode: ExitCode.ClusterError,
        httpCode: 409,
        causes,
        hints: ['another field manager owns these fields: re-apply with force to take them over, or change them with that manager'],
      });
    }
    case 410:
      return SeiError.cluster('Expired', said, [], 410);
    case 422:
      return new SeiError(said, { reason: 'Invalid', exitCode: ExitCode.InvalidInput, httpCode: 422, causes: causesOf(status), hints: ['fix the fields named above; nothing was written'] });
    case 429:
      return SeiError.cluster('TooManyRequests', `the API server at ${context.server} kept throttling ${context.verb} ${context.what} (429) after retries`, ['retry later'], 429);
    default:
      if (code >= 500) {
        return SeiError.cluster(status?.reason ?? (code === 503 ? 'ServiceUnavailable' : 'InternalError'), `${context.verb} ${context.what} failed on ${context.server}: ${serverMessage ?? `HTTP ${code}`}`, ['retry later; if it persists, check the API server'], code);
      }
      return SeiError.cluster(status?.reason ?? 'Unknown', said, [], code);
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** A retried transport failure as a clause for a timeout message; never carries the error's own text. */
export function transportTrouble(error: unknown): string {
  const code = networkCode(error);
  if (code === undefined) return 'requests to the API server failed';
  return `requests to the API server failed: ${NETWORK_CODES[code] ?? 'connection failed'} (${code})`;
}

/** The errno-style code of a transport failure, when it has one. */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const candidate = current as { code?: unknown; errno?: unknown; cause?: unknown; type?: unknown };
    if (typeof candidate.code === 'string') return candidate.code;
    if (typeof candidate.errno === 'string') return candidate.errno;
    current = candidate.cause;
  }
  return undefined;
}

/** Certificate problems do not heal by retrying: fail at once with the TLS hint. */
export function isTlsFailure(error: unknown): boolean {
  const code = networkCode(error);
  return code !== undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i.test(code);
}

/**
 * How a transport failure heals, which decides how long it is retried:
 * - `tls`: a certificate problem; never heals by retrying.
 * - `unreachable`: nothing answered (refused, DNS, no route). kubectl fails at once; a server we
 *   never reached gets at most a short, bounded retry (a control plane restarting right now).
 * - `dropped`: a connection that was made broke (reset, closed, timed out); capped backoff.
 * - `other`: no errno-style code (a bug, a consumer's error); not retried.
 */
export type TransportFailureClass = 'tls' | 'unreachable' | 'dropped' | 'other';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export function transportFailureClass(error: unknown): TransportFailureClass {
  if (error instanceof SeiError) return 'other';
  const code = networkCode(error);
  if (code === undefined) return 'other';
  if (isTlsFailure(error)) return 'tls';
  return UNREACHABLE_CODES.has(code) ? 'unreachable' : 'dropped';
}

/** A transport failure worth another attempt (connection refused/reset, DNS, timeouts). */
export function isRetriableTransportFailure(error: unknown): boolean {
  const kind = transportFailureClass(error);
  return kind === 'unreachable' || kind === 'dropped';
}

/** OpenSSL errors about our own credentials (a key that does not parse, or does not match the certificate). */
const CLIENT_CREDENTIAL_CODES = /^ERR_OSSL_(X509_KEY_VALUES_MISMATCH|UNSUPPORTED|PEM_|EVP_|DECODER|ASN1|X509_)|^ERR_OSSL_.*KEY/;
/** TLS alerts by which the server refuses our client certificate. */
const SERVER_REFUSED_CLIENT_CERT = /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|CERTIFICATE_EXPIRED)/;

export function transportError(error: unknown, context: RequestContext): SeiError {
  if (error instanceof SeiError) return error;
  const code = networkCode(error);
  if (code !== undefined && CLIENT_CREDENTIAL_CODES.test(code)) {
    // OpenSSL refused our own key or certificate before any byte went to the server.
    return SeiError.cluster('Unauthorized', `the client certificate or key of the kubeconfig user for ${context.server} cannot be used (${code}${code.includes('MISMATCH') ? ': the key does not belong to the certificate' : ''})`, [
      'check client-certificate(-data) and client-key(-data) of the user in the kubeconfig: a PEM key that matches the certificate',
    ], 401);
  }
  if (code !== undefined && SERVER_REFUSED_CLIENT_CERT.test(code)) {
    return SeiError.cluster('Unauthorized', `${context.server} refused the client certificate of the kubeconfig user (${code})`, ['check that the certificate is signed by the CA the API server trusts and has not expired'], 401);
  }
  if (code !== undefined && isTlsFailure(error)) {
    return SeiError.cluster('ServiceUnavailable', `TLS handshake with ${context.server} failed (${code})`, [
      'check the cluster\'s certificate-authority in the kubeconfig, or that --context points at the right server',
    ], 503);
  }
  const what = code ? NETWORK_CODES[code] ?? code : 'no answer';
  return SeiError.cluster('ServiceUnavailable', `cannot reach the API server at ${context.server}: ${what}`, [
    code !== undefined && UNREACHABLE_CODES.has(code)
      ? 'did you specify the right host or port? check the cluster is running and --context / --kubeconfig point at it'
      : 'check the cluster is running and --context / --kubeconfig point at it',
  ], 503);
}

/** The server URL as safe to print: no user-info, no query. */
export function safeServer(server: string): string {
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable server URL)';
  }
}

/**
 * Defence in depth: a proxy or webhook may echo request headers into a Status message. Any
 * credential this process sent is replaced by "[redacted]" before an error leaves src/cluster.
 */
/** `text` with every credential in `secrets` (8 characters or more) replaced by "[redacted]". */
export function redactText(text: string, secrets: Iterable<string>): string {
  return [...secrets].filter((secret) => secret.length >= 8).reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

export function redactSecrets(error: SeiError, secrets: Iterable<string>): SeiError {
  const list = [...secrets].filter((secret) => secret.length >= 8);
  const scrub = (text: string) => redactText(text, list);
  const texts = [error.message, ...error.hints, ...error.causes.map((cause) => cause.message)];
  if (!texts.some((text) => list.some((secret) => text.includes(secret)))) return error;
  return new SeiError(scrub(error.message), {
    reason: error.reason,
    exitCode: error.exitCode,
    httpCode: error.httpCode,
    hints: error.hints.map(scrub),
    causes: error.causes.map((cause) => ({ ...cause, message: scrub(cause.message) })),
  });
}
