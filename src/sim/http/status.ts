/**
 * metav1.Status bodies exactly as the apiserver words them. The sim answers every failure with
 * one of these (never a stack trace or an HTML page), so clients parse them like real ones.
 * Owns the wording only; it must not decide which error applies.
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error that the HTTP layer turns into its Status body and code. */
export class StatusError extends Error {
  readonly status: Status;
  readonly headers: Record<string, string>;
  constructor(status: Status, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? 'error');
    this.status = status;
    this.headers = headers;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

/** Identifies a resource the way the apiserver prints it: `seinodetasks.sei.io`, or `pods` for core. */
export function qualified(resource: string, group: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export const Errors = {
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  notFound: (resource: string, group: string, name: string) =>
    failure(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource }),
  namespaceNotFound: (namespace: string) =>
    failure(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' }),
  /** What the apiserver answers for a path it does not serve. */
  pathNotFound: () => failure(404, 'NotFound', 'the server could not find the requested resource'),
  alreadyExists: (resource: string, group: string, name: string) =>
    failure(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource }),
  conflict: (resource: string, group: string, name: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: group || undefined, kind: resource },
    ),
  applyConflict: (message: string, causes: StatusCause[]) => failure(409, 'Conflict', message, { causes }),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) => {
    const list = causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message ?? ''}`);
    const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    return failure(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, {
      name,
      group: group || undefined,
      kind,
      causes,
    });
  },
  methodNotAllowed: (message = 'the server does not allow this method on the requested resource') =>
    failure(405, 'MethodNotAllowed', message),
  notAcceptable: (message: string) => failure(406, 'NotAcceptable', message),
  unsupportedMediaType: (accepted: string[]) =>
    failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`),
  tooLarge: () => failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'),
  gone: (message: string) => failure(410, 'Expired', message),
  tooManyRequests: (retryAfterSeconds: number) =>
    failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds }),
  internal: (message: string) => failure(500, 'InternalError', `Internal error occurred: ${message}`),
  unavailable: (message = 'the server is currently unable to handle the request') => failure(503, 'ServiceUnavailable', message),
};

export function successStatus(details?: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code: 200 };
}
