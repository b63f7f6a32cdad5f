// Kubernetes failures as the node's domain errors (ShoalError kinds, mapped to HTTP statuses by
// node/src/api/errors.ts), with messages that say what to do.
import { ShoalError, conflict, invalid, notFound, unavailable, type ErrorKind } from '../../coordinator/errors.js';
import { messageOf, statusOf } from '../../../../api/index.js';

/** Kind of "this pod may not change the schema" (403), with a message that says what to do. */
export const FORBIDDEN_KIND: ErrorKind = 'forbidden';

export const forbidden = (message: string) => new ShoalError(FORBIDDEN_KIND, message);
export const timedOut = (message: string) => new ShoalError('timeout', message);

/** Why SHOAL_ALLOW_SCHEMA_CHANGES=false refuses `what` (e.g. "create class \"Article\""). */
export function schemaChangesDisabled(what: string, cluster: string, howInstead: string): ShoalError {
  return forbidden(
    `cannot ${what}: schema changes through this API are disabled for VectorCluster "${cluster}" ` +
      `(spec.api.allowSchemaChanges is false, so SHOAL_ALLOW_SCHEMA_CHANGES=false). ${howInstead}, ` +
      `or set spec.api.allowSchemaChanges: true on the VectorCluster`,
  );
}

/** A failed write to a VectorClass (`what` says which, e.g. "add property \"x\" to VectorClass default/article"). */
export function writeError(e: unknown, what: string): ShoalError {
  const status = statusOf(e);
  const why = messageOf(e);
  if (status === 403)
    return forbidden(`cannot ${what}: the Kubernetes API refused it (${why}); the pod's Role allows creating and deleting VectorClasses only when the VectorCluster has spec.api.allowSchemaChanges: true`);
  if (status === 404) return notFound(`cannot ${what}: the VectorClass no longer exists (${why})`);
  if (status === 409) return conflict(`cannot ${what}: ${why}`);
  if (status === 400 || status === 422) return invalid(`cannot ${what}: the Kubernetes API rejected it: ${why}`);
  return unavailable(`cannot ${what} now: the Kubernetes API did not answer as expected (${why}); retry later`);
}
