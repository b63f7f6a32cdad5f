// What one pod can be asked to do with a shard replica it holds: the RPC's method set, as a
// TypeScript interface. The local implementation (local.ts) runs it against this pod's shards;
// the remote one (remote.ts) sends it to another pod, whose service (service.ts) runs the local
// one there. A coordinator talks to every replica, local or remote, through this interface.
import type { LiveObject, ObjectRecord } from '../../objects/types.js';
import type { ApplyResult, RecordEntry, ShardInfo } from '../../shards/types.js';
import type { Where } from '../../coordinator/filters/where.js';

/** One physical shard replica, as the class and the shard name. */
export interface ShardRef {
  class: string;
  shard: string;
}

export interface ReplicaSearch {
  vector: Float32Array;
  k: number;
  ef?: number;
  filter?: Where;
  maxDistance?: number;
  /** Return each hit's object (properties), so the coordinator needs no second round trip. */
  withObjects: boolean;
  /** With withObjects: include the objects' vectors. */
  withVectors: boolean;
}

export interface ReplicaHit {
  id: string;
  distance: number;
  object?: LiveObject;
}

/** What anti-entropy compares per object: the write that is stored, not its content. */
export type { RecordEntry } from '../../shards/types.js';

/** Digest of a replica's records in 2^bits buckets by id hash (see digest.ts). */
export interface ShardDigest {
  bits: number;
  /** Records (tombstones included) per bucket. */
  counts: Uint32Array;
  /** Two independent order-free hashes of each bucket's entries: h[2i], h[2i+1]. */
  hashes: Uint32Array;
}

export interface EntryPage {
  entries: RecordEntry[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

export interface EntryQuery {
  bits: number;
  /** Only entries in these buckets. */
  buckets: number[];
  after?: string;
  limit: number;
}

export interface ReplicaOps {
  /** Store records last-write-wins; one result per record. */
  apply(ref: ShardRef, records: ObjectRecord[]): Promise<ApplyResult[]>;
  /** Stored records by id, tombstones included; null where none. */
  get(ref: ShardRef, ids: string[]): Promise<Array<ObjectRecord | null>>;
  search(ref: ShardRef, req: ReplicaSearch): Promise<ReplicaHit[]>;
  /** Live objects with id > after, by id. */
  list(ref: ShardRef, after: string | undefined, limit: number): Promise<LiveObject[]>;
  /** Live objects matching the filter, by id. */
  scan(ref: ShardRef, filter: Where | undefined, limit: number): Promise<LiveObject[]>;
  count(ref: ShardRef, filter: Where | undefined): Promise<number>;
  digest(ref: ShardRef, bits: number): Promise<ShardDigest>;
  /** (id, version, origin, deleted) of records in some digest buckets, by id. */
  entries(ref: ShardRef, q: EntryQuery): Promise<EntryPage>;
  /** State of every shard replica open on the pod. */
  shardInfos(opts?: { timeoutMs?: number }): Promise<ShardInfo[]>;
}

/** Limits checked on both sides of the wire. */
export const LIMITS = {
  records: 100_000,
  ids: 100_000,
  k: 100_000,
  listLimit: 100_000,
  maxBits: 16,
  entryLimit: 100_000,
};
