// Status writes are JSON merge patches through the status subresource. A merge patch only
// touches the fields it names, so fields that must disappear are sent as null, and fields the
// operator writes elsewhere (the sharding state, written once with a precondition) are never
// part of the routine status patch: a stale cache can then never erase them.

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The merge patch turning `previous` into `next` for the fields in `next` and the `managed`
 * fields absent from it (set to null); undefined when nothing changes.
 */
export function statusPatch(previous: object | undefined, next: object, managed: readonly string[]): Record<string, unknown> | undefined {
  const prev = (previous ?? {}) as Record<string, unknown>;
  const nxt = next as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const k of managed) {
    if (nxt[k] === undefined) {
      if (prev[k] !== undefined) patch[k] = null;
    } else if (!deepEqual(prev[k], nxt[k])) {
      patch[k] = nxt[k];
    }
  }
  return Object.keys(patch).length ? patch : undefined;
}
