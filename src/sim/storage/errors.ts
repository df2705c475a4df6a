/**
 * Typed failures of the simulated cluster's storage. The store throws these; the HTTP layer maps
 * them to a metav1.Status (`code` and `reason` are exactly the apiserver's). Nothing here knows
 * about HTTP or admission.
 */

export type StoreErrorReason = 'AlreadyExists' | 'NotFound' | 'Conflict' | 'Invalid';

export class StoreError extends Error {
  readonly reason: StoreErrorReason;
  /** The HTTP status the apiserver answers with for this reason. */
  readonly code: number;
  readonly resource: string;
  readonly objectName: string;

  constructor(reason: StoreErrorReason, code: number, resource: string, name: string, message: string) {
    super(message);
    this.name = 'StoreError';
    this.reason = reason;
    this.code = code;
    this.resource = resource;
    this.objectName = name;
  }
}

/** Group-qualified resource as the apiserver prints it in messages: `seinodetasks.sei.io`. */
function qualified(resource: string, group?: string): string {
  return group ? `${resource}.${group}` : resource;
}

export class AlreadyExistsError extends StoreError {
  constructor(resource: string, name: string, group?: string) {
    super('AlreadyExists', 409, resource, name, `${qualified(resource, group)} "${name}" already exists`);
  }
}

export class NotFoundError extends StoreError {
  constructor(resource: string, name: string, group?: string) {
    super('NotFound', 404, resource, name, `${qualified(resource, group)} "${name}" not found`);
  }
}

export class ConflictError extends StoreError {
  constructor(resource: string, name: string, group?: string) {
    super(
      'Conflict',
      409,
      resource,
      name,
      `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  }
}

export class InvalidObjectError extends StoreError {
  constructor(resource: string, name: string, message: string) {
    super('Invalid', 422, resource, name, message);
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}
