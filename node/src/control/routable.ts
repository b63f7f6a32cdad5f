// The one lookup every read and write path should use to find a class: a routable class, or an
// error that says why not. A class that exists but is not placed yet must get a 503 that says
// so (retry later), not a 404 that makes a client think it has to create it again.
import { ShoalError, notFound, unavailable } from '../coordinator/errors.js';
import type { ClassState, ControlSnapshot } from './types.js';

/** The class by its canonical name; throws 'unavailable' when pending, 'not-found' when absent. */
export function routableClass(snap: ControlSnapshot, name: string): ClassState {
  const cls = snap.classes.get(name);
  if (cls) return cls;
  throw notRoutable(snap, name);
}

/** The error for a class that is not in `snap.classes`. */
export function notRoutable(snap: ControlSnapshot, name: string): ShoalError {
  const pending = snap.pending?.get(name);
  if (pending) return unavailable(`class ${JSON.stringify(name)} is not placed yet: ${pending.reason}; retry once it is placed`);
  return notFound(`class ${JSON.stringify(name)} does not exist`);
}
