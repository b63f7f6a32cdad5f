// HTTP errors in Weaviate's shape: {"error":[{"message":"..."}]}. Domain errors (ShoalError),
// schema validation errors and malformed input map to status codes here and only here.
import { ValidationError, type SchemaIssue } from '../../../api/index.js';
import { ShoalError, type ErrorKind } from '../coordinator/errors.js';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(readonly status: number, readonly messages: string[]) {
    super(messages.join('; '));
  }
}

export const badRequest = (message: string) => new HttpError(400, [message]);
export const unprocessable = (...messages: string[]) => new HttpError(422, messages);
export const httpNotFound = (message: string) => new HttpError(404, [message]);

/** One message per issue, each naming the field: `properties.wordCount: must be an int, got "12"`. */
export function issueMessages(issues: SchemaIssue[]): string[] {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
}

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 422,
  'not-found': 404,
  conflict: 422,
  forbidden: 403,
  unavailable: 503,
  timeout: 504,
};

/** The HTTP error for anything thrown by a handler; unknown errors are 500s with their message. */
export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof ShoalError) return new HttpError(STATUS_OF_KIND[e.kind], [e.message]);
  if (e instanceof ValidationError) return new HttpError(422, issueMessages(e.issues));
  return new HttpError(500, [`internal error: ${(e as Error)?.message ?? String(e)}`]);
}

export function errorBody(messages: string[]): { error: Array<{ message: string }> } {
  return { error: messages.map((message) => ({ message })) };
}
