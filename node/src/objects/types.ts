// Objects as the node stores and moves them. Every write carries a version (a hybrid logical
// clock value) and the name of the pod that stamped it; replicas keep the record with the
// greater (version, origin), so they converge whatever order writes arrive in. Deletes are
// tombstones with a version, so a replica that missed a delete never brings the object back.

export type Properties = Record<string, unknown>;

export interface LiveObject {
  /** Canonical UUID: lowercase, with dashes. */
  id: string;
  class: string;
  properties: Properties;
  /** The vector as given (not normalised); null for an object stored without a vector. */
  vector: Float32Array | null;
  /** Milliseconds since the epoch. */
  creationTimeUnix: number;
  lastUpdateTimeUnix: number;
  version: number;
  origin: string;
  deleted: false;
}

export interface Tombstone {
  id: string;
  class: string;
  version: number;
  origin: string;
  deleted: true;
  deletionTimeUnix: number;
}

export type ObjectRecord = LiveObject | Tombstone;

/** True if record a supersedes record b (last write wins; ties broken by origin). */
export function supersedes(a: Pick<ObjectRecord, 'version' | 'origin'>, b: Pick<ObjectRecord, 'version' | 'origin'>): boolean {
  return a.version > b.version || (a.version === b.version && a.origin > b.origin);
}

export type ConsistencyLevel = 'ONE' | 'QUORUM' | 'ALL';
