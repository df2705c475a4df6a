// What the cluster layer makes of HTTP statuses and transport failures (reasons, exit codes,
// hints, no credentials), and its retry arithmetic.
import { describe, expect, it } from 'vitest';
import { redactSecrets, safeServer, statusError, transportError, transportFailureClass } from '../../src/cluster/errors.js';
import { SeiError } from '../../src/errors/sei-error.js';
import { backoffDelay, parseRequestTimeout, retryAfterMs } from '../../src/cluster/transport.js';

const context = { server: 'https://k8s.example:6443', verb: 'patch', what: 'seinodetasks.sei.io "t1"', group: 'sei.io', kind: 'SeiNodeTask' };
const status = (code: number, reason: string, message: string, details?: Record<string, unknown>) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, ...(details ? { details } : {}) });

describe('statusError', () => {
  it.each([
    { scenario: '401 → Unauthorized, exit 4, --context hint', code: 401, body: status(401, 'Unauthorized', 'Unauthorized'), want: { reason: 'Unauthorized', exitCode: 4 }, message: /rejected the credentials/, hint: /--context/ },
    { scenario: '403 → Forbidden with the server\'s words', code: 403, body: status(403, 'Forbidden', 'seinodetasks.sei.io "t1" is forbidden: User "bob" cannot patch'), want: { reason: 'Forbidden', exitCode: 4 }, message: /User "bob" cannot patch/, hint: /needs "patch" on seinodetasks.sei.io/ },
    { scenario: '404 naming the object → NotFound', code: 404, body: status(404, 'NotFound', 'seinodetasks.sei.io "t1" not found', { name: 't1', kind: 'seinodetasks' }), want: { reason: 'NotFound', exitCode: 4 }, message: /"t1" not found/ },
    { scenario: '404 on the resource → CRD not installed', code: 404, body: status(404, 'NotFound', 'the server could not find the requested resource'), want: { reason: 'NotFound', exitCode: 4 }, message: /the SeiNodeTask CRD is not installed on https:\/\/k8s.example:6443/, hint: /sei-k8s-controller CRDs/ },
    { scenario: '404 with a non-Status body → CRD not installed', code: 404, body: undefined, want: { reason: 'NotFound', exitCode: 4 }, message: /CRD is not installed/ },
    { scenario: '409 → Conflict with causes and a force hint', code: 409, body: status(409, 'Conflict', 'Apply failed with 1 conflict', { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "flux"', field: '.spec.timeoutSeconds' }] }), want: { reason: 'Conflict', exitCode: 4, httpCode: 409 }, message: /1 conflict/, hint: /force/ },
    { scenario: '422 → Invalid, exit 2, field causes', code: 422, body: status(422, 'Invalid', 'SeiNodeTask "t1" is invalid', { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.restartPod.podUID' }] }), want: { reason: 'Invalid', exitCode: 2, httpCode: 422 }, message: /is invalid/ },
    { scenario: '429 after retries → TooManyRequests', code: 429, body: status(429, 'TooManyRequests', 'slow down'), want: { reason: 'TooManyRequests', exitCode: 4 }, message: /kept throttling/ },
    { scenario: '503 → ServiceUnavailable naming the server', code: 503, body: undefined, want: { reason: 'ServiceUnavailable', exitCode: 4 }, message: /failed on https:\/\/k8s.example:6443/ },
    { scenario: '500 keeps the server reason', code: 500, body: status(500, 'InternalError', 'etcd is sad'), want: { reason: 'InternalError', exitCode: 4 }, message: /etcd is sad/ },
  ])('$scenario', ({ code, body, want, message, hint }) => {
    const error = statusError(code, body, context);
    expect(error).toMatchObject(want);
    expect(error.message).toMatch(message);
    if (hint) expect(error.hints.join('\n')).toMatch(hint);
  });

  it('422 causes keep their field paths for the Status on stderr', () => {
    const error = statusError(422, status(422, 'Invalid', 'bad', { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.restartPod.podUID' }] }), context);
    expect(error.toStatus()).toMatchObject({ reason: 'Invalid', code: 422, details: { causes: [{ field: 'spec.restartPod.podUID', reason: 'FieldValueRequired', message: 'Required value' }] } });
  });
});

describe('transportError', () => {
  const withCode = (code: string) => Object.assign(new Error(`request to https://admin:hunter2@k8s.example:6443/x failed, reason: ${code}`), { code });
  it.each([
    { code: 'ECONNREFUSED', message: 'cannot reach the API server at https://k8s.example:6443: connection refused' },
    { code: 'ENOTFOUND', message: 'cannot reach the API server at https://k8s.example:6443: host not found (DNS)' },
    { code: 'ECONNRESET', message: 'cannot reach the API server at https://k8s.example:6443: connection reset' },
    { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'TLS handshake with https://k8s.example:6443 failed (DEPTH_ZERO_SELF_SIGNED_CERT)' },
  ])('$code', ({ code, message }) => {
    const error = transportError(withCode(code), context);
    expect(error).toMatchObject({ reason: 'ServiceUnavailable', exitCode: 4, message });
    expect(JSON.stringify([error.message, error.hints])).not.toContain('hunter2');
  });

  it('finds the code on a wrapped cause', () => {
    const wrapped = new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) });
    expect(transportError(wrapped, context).message).toContain('connection refused');
  });
});

describe('transportFailureClass decides how long a failure is retried', () => {
  const coded = (code: string) => Object.assign(new Error(`request failed, reason: ${code}`), { code });
  it.each([
    { scenario: 'connection refused: nothing listens', error: coded('ECONNREFUSED'), want: 'unreachable' },
    { scenario: 'the host does not resolve', error: coded('ENOTFOUND'), want: 'unreachable' },
    { scenario: 'DNS is down', error: coded('EAI_AGAIN'), want: 'unreachable' },
    { scenario: 'no route to the host', error: coded('EHOSTUNREACH'), want: 'unreachable' },
    { scenario: 'refused, wrapped in a fetch error', error: new Error('fetch failed', { cause: coded('ECONNREFUSED') }), want: 'unreachable' },
    { scenario: 'a made connection was reset', error: coded('ECONNRESET'), want: 'dropped' },
    { scenario: 'a made connection timed out', error: coded('ETIMEDOUT'), want: 'dropped' },
    { scenario: 'the peer closed while we wrote', error: coded('EPIPE'), want: 'dropped' },
    { scenario: 'a self-signed certificate', error: coded('DEPTH_ZERO_SELF_SIGNED_CERT'), want: 'tls' },
    { scenario: 'an unknown issuer', error: coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), want: 'tls' },
    { scenario: 'a wrong host name', error: coded('ERR_TLS_CERT_ALTNAME_INVALID'), want: 'tls' },
    { scenario: 'an error without a code', error: new Error('boom'), want: 'other' },
    { scenario: 'our own SeiError', error: SeiError.cluster('Timeout', 'timed out'), want: 'other' },
  ])('$scenario → $want', ({ error, want }) => {
    expect(transportFailureClass(error)).toBe(want);
  });
});

describe('redactSecrets', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.sekret';
  it('scrubs a credential echoed into a Status message, hints and causes', () => {
    const echoed = statusError(403, status(403, 'Forbidden', `webhook denied request with Authorization: Bearer ${token}`, { causes: [{ reason: 'X', message: `saw ${token}`, field: 'f' }] }), context);
    const clean = redactSecrets(echoed, [token]);
    expect(JSON.stringify([clean.message, clean.hints, clean.causes, clean.toStatus()])).not.toContain(token);
    expect(clean.message).toContain('Bearer [redacted]');
    expect(clean).toMatchObject({ reason: 'Forbidden', exitCode: 4, httpCode: 403 });
  });

  it('returns the same error when nothing is secret', () => {
    const error = statusError(409, status(409, 'Conflict', 'conflict'), context);
    expect(redactSecrets(error, [token])).toBe(error);
  });
});

describe('safeServer', () => {
  it.each([
    { input: 'https://admin:hunter2@k8s.example:6443/', want: 'https://k8s.example:6443' },
    { input: 'https://k8s.example/k8s/clusters/c-1?token=abc', want: 'https://k8s.example/k8s/clusters/c-1' },
    { input: 'not a url', want: '(unparseable server URL)' },
  ])('$input → $want', ({ input, want }) => {
    expect(safeServer(input)).toBe(want);
  });
});

describe('retry arithmetic', () => {
  const policy = { attempts: 8, baseMs: 100, capMs: 1_000 };
  it.each([
    { attempt: 0, random: 0, want: 50 },
    { attempt: 0, random: 1, want: 100 },
    { attempt: 3, random: 0.5, want: 600 },
    { attempt: 10, random: 1, want: 1_000 },
    { attempt: 10, random: 0, want: 500 },
  ])('backoff attempt $attempt, random $random → $want ms (capped, jittered)', ({ attempt, random, want }) => {
    expect(backoffDelay(policy, attempt, () => random)).toBe(want);
  });

  it.each([
    { header: undefined, want: undefined },
    { header: '0', want: 0 },
    { header: '2', want: 2_000 },
    { header: '3600', want: 5_000 },
    { header: 'Wed, 21 Oct 2015 07:28:00 GMT', want: undefined },
  ])('Retry-After $header → $want', ({ header, want }) => {
    expect(retryAfterMs(header, 5_000)).toBe(want);
  });

  it.each([
    { input: undefined, want: 0 },
    { input: '0', want: 0 },
    { input: '30', want: 30_000 },
    { input: '30s', want: 30_000 },
    { input: '1m30s', want: 90_000 },
    { input: '250ms', want: 250 },
  ])('--request-timeout $input → $want ms', ({ input, want }) => {
    expect(parseRequestTimeout(input)).toBe(want);
  });

  it.each(['soon', '10x', '-1s', '1m soon'])('--request-timeout %s is exit 2', (input) => {
    expect(() => parseRequestTimeout(input)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});
