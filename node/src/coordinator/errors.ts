// Domain errors shared by the control source and the coordinators. They carry a kind, not an
// HTTP status: the HTTP layer maps kinds to status codes (api/errors.ts), the RPC layer may map
// them to its own codes. Messages say what was expected, what was found and what to do.

export type ErrorKind =
  | 'invalid' // the request is wrong (422)
  | 'not-found' // the class or object does not exist (404)
  | 'conflict' // it already exists (422, as Weaviate answers)
  | 'forbidden' // not allowed in this deployment (403), e.g. schema changes through the API in kube mode
  | 'unavailable' // not ready or not placed yet; retry later (503)
  | 'timeout'; // an answer did not come in time (504)

export class ShoalError extends Error {
  override name = 'ShoalError';
  constructor(readonly kind: ErrorKind, message: string) {
    super(message);
  }
}

export const invalid = (message: string) => new ShoalError('invalid', message);
export const notFound = (message: string) => new ShoalError('not-found', message);
export const conflict = (message: string) => new ShoalError('conflict', message);
export const unavailable = (message: string) => new ShoalError('unavailable', message);

export function isShoalError(e: unknown, kind?: ErrorKind): e is ShoalError {
  return e instanceof ShoalError && (kind === undefined || e.kind === kind);
}
