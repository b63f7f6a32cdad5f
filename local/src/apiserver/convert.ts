// Stored form <-> served form. Custom resources differ only in apiVersion (conversion strategy
// None); events.k8s.io/v1 Events are stored as core/v1 Events, as in the real server, so events
// written through one API are listed by the other (`kubectl describe` reads core/v1).
import { apiVersionOf } from './resources.js';
import type { KObject, ResourceDef } from './types.js';
import { clone } from './util.js';

const EVENT_RENAMES: [string, string][] = [
  ['regarding', 'involvedObject'], ['note', 'message'], ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'], ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'], ['deprecatedCount', 'count'],
];

function rename(obj: KObject, pairs: [string, string][]): void {
  const o = obj as Record<string, unknown>;
  for (const [from, to] of pairs) {
    if (o[from] !== undefined) { o[to] = o[from]; delete o[from]; }
  }
}

/** The object as served at `version` of `def` (always a fresh copy). */
export function toExternal(def: ResourceDef, version: string, stored: KObject): KObject {
  const obj = clone(stored);
  obj.apiVersion = apiVersionOf(def.group, version);
  if (def.storageOf === '/events') rename(obj, EVENT_RENAMES.map(([a, b]) => [b, a]));
  return obj;
}

/** The object as stored (storage version of the storage resource). */
export function toInternal(def: ResourceDef, obj: KObject): KObject {
  const out = clone(obj);
  if (def.storageOf === '/events') {
    rename(out, EVENT_RENAMES);
    out.apiVersion = 'v1';
  } else {
    out.apiVersion = apiVersionOf(def.group, def.versions[0]);
  }
  return out;
}
