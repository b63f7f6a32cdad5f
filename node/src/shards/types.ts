// The contract between the storage layer (node/src/shards) and its users (the coordinator, the
// RPC server). A shard is one physical shard replica on this pod: an object store plus an HNSW
// index. Everything above this interface is routing; everything below it is storage.
import type { LiveObject, ObjectRecord } from '../objects/types.js';

export type Distance = 'cosine' | 'l2-squared' | 'dot';

/** Index settings of a shard, taken from the class's vectorIndexConfig. */
export interface IndexConfig {
  distance: Distance;
  efConstruction: number;
  maxConnections: number;
  /** Explicit search ef, or -1 for automatic: clamp(k * dynamicEfFactor, dynamicEfMin, dynamicEfMax), never below k. */
  ef: number;
  dynamicEfMin: number;
  dynamicEfMax: number;
  dynamicEfFactor: number;
  /** Filtered searches whose filter matches at most this many objects scan them exactly instead of walking the graph. */
  flatSearchCutoff: number;
  /** Vector length, when the class already knows it; otherwise fixed by the first vector stored. */
  dimensions?: number;
}

export type ShardStatus = 'LOADING' | 'READY' | 'READONLY' | 'SHUTDOWN';

export interface ShardInfo {
  class: string;
  name: string;
  status: ShardStatus;
  /** Live (not deleted) objects. */
  objectCount: number;
  /** Elements in the HNSW index, including ones marked deleted. */
  indexSize: number;
  /** Elements marked deleted in the index and not yet reused. */
  indexTombstones: number;
  /** While loading: fraction done in [0, 1]. */
  loadProgress: number;
}

export type ApplyOutcome = 'applied' | 'stale';
export type ApplyResult = { outcome: ApplyOutcome } | { error: string };

/** A filter on an object's properties, compiled from a `where` clause. */
export type ObjectPredicate = (obj: LiveObject) => boolean;

export interface SearchRequest {
  vector: Float32Array;
  /** Number of nearest objects wanted (a query's limit + offset). */
  k: number;
  /** Explicit ef for this search; defaults to the shard's IndexConfig.ef. */
  ef?: number;
  /** Only objects matching this filter are eligible; applied during the search, not after. */
  filter?: ObjectPredicate;
  /** Drop hits farther than this distance. */
  maxDistance?: number;
}

export interface SearchHit {
  id: string;
  /** Distance in Weaviate's convention: cosine 1-cos, l2-squared, dot = -dot. Ascending = nearer. */
  distance: number;
}

/** The write a replica holds for one id, without its content: what anti-entropy compares. */
export interface RecordEntry {
  id: string;
  version: number;
  origin: string;
  deleted: boolean;
}

export interface Shard {
  readonly className: string;
  readonly name: string;
  /** Resolves once the index is restored (snapshot + replay) or rebuilt; rejects if it cannot be. */
  readonly loaded: Promise<void>;
  status(): ShardStatus;
  info(): ShardInfo;
  objectCount(): number;

  /**
   * Apply writes (objects and tombstones) with last-write-wins on (version, origin). Resolves per
   * record once the write is flushed to disk (survives kill -9) and visible to search.
   */
  apply(records: ObjectRecord[]): Promise<ApplyResult[]>;
  /**
   * The stored record, tombstones included; undefined if never seen (or tombstone collected).
   * `withVector: false` skips reading the vector (search hits answered without it).
   */
  get(id: string, withVector?: boolean): ObjectRecord | undefined;
  /** Live objects with id > after, ordered by id, at most limit. */
  list(after: string | undefined, limit: number): LiveObject[];
  /** Live objects matching the filter (all when undefined), ordered by id, at most limit. */
  scan(filter: ObjectPredicate | undefined, limit: number): LiveObject[];
  /**
   * (id, version, origin, deleted) of records with id > after, tombstones included, ordered by id,
   * at most limit. Reads no vectors (anti-entropy compares these, not contents).
   */
  entries(after: string | undefined, limit: number): RecordEntry[];
  /** Count of live objects matching the filter. */
  count(filter?: ObjectPredicate): number;
  search(req: SearchRequest): Promise<SearchHit[]>;

  /** Write an index snapshot now (also done periodically and on close). */
  snapshot(): Promise<void>;
  /** Snapshot and release resources. */
  close(): Promise<void>;
  /** Close and delete every file of this shard. */
  drop(): Promise<void>;
}

/** Opens, tracks and drops the shards of this pod. */
export interface ShardRegistry {
  /** Open (or return the already open) shard; loading continues in the background. */
  open(className: string, shardName: string, config: IndexConfig): Shard;
  get(className: string, shardName: string): Shard | undefined;
  all(): Shard[];
  /** Close and delete one shard's data. */
  drop(className: string, shardName: string): Promise<void>;
  /** Drop every shard of a class. */
  dropClass(className: string): Promise<void>;
  /** Names of shards found on disk for a class (for loading at start and cleaning up). */
  onDisk(): Array<{ className: string; shardName: string }>;
  /** True when every open shard is READY. */
  allReady(): boolean;
  /** Snapshot and close everything (graceful shutdown). */
  close(): Promise<void>;
}
