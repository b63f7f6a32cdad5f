// The coordinator: every data operation of the HTTP layer goes through this interface. The local
// implementation (local.ts) routes objects to the shards of this node; the distributed one
// (issue 6) sends them to the replicas of each shard and counts acknowledgements against the
// consistency level, behind the same methods. Inputs are already validated against the class
// (property types, vector length): a coordinator only routes, stamps, stores and merges.
// Everything here is plain data (filters are typed Where trees, not closures), so a distributed
// coordinator can forward any request to another pod as it is.
import type { ConsistencyLevel, LiveObject, Properties } from '../objects/types.js';
import type { ShardStatus } from '../shards/types.js';
import type { Where } from './filters/where.js';

export interface RequestOptions {
  /** How many replicas must acknowledge a write or answer a read. One replica: every level is met by it. */
  consistencyLevel: ConsistencyLevel;
}

export const DEFAULT_CONSISTENCY: ConsistencyLevel = 'QUORUM';

/** An object to store, validated against its class. */
export interface ObjectWrite {
  class: string;
  /** Canonical UUID (lowercase, dashes). */
  id: string;
  properties: Properties;
  vector: Float32Array | null;
}

/** Result of one object of a batch, in input order. */
export type WriteOutcome = { object: LiveObject } | { error: string };

/** A partial update: given properties replace stored ones, others stay. */
export interface ObjectPatch {
  properties: Properties;
  /** undefined keeps the stored vector. */
  vector?: Float32Array | null;
}

export interface ObjectQuery {
  class: string;
  /** Rank by distance to this vector; without it, matches come ordered by id. */
  vector?: Float32Array;
  limit: number;
  offset: number;
  /** Only objects matching this filter, applied during the search. */
  filter?: Where;
  /** Drop hits farther than this (a query's distance, or certainty converted to distance). */
  maxDistance?: number;
  /**
   * False when the caller needs only ids and distances (GraphQL `_additional { id distance }`):
   * reading and decoding the objects is then skipped, the largest cost of a search after the
   * graph walk itself. Default true.
   */
  withObjects?: boolean;
  /**
   * False when the objects are needed without their vectors: pods then send no vectors for the
   * hits (10 x dims floats per shard per query otherwise). Default true.
   */
  withVectors?: boolean;
}

export interface QueryHit {
  id: string;
  /** Present unless the query asked for ids only. */
  object?: LiveObject;
  /** Present when the query had a vector. */
  distance?: number;
}

export interface ListPage {
  /** Cursor: only ids greater than this (ordered by id). */
  after?: string;
  offset: number;
  limit: number;
}

export interface DeleteWhereRequest {
  class: string;
  filter?: Where;
  dryRun: boolean;
  /** At most this many objects are matched and deleted by one request. */
  limit: number;
}

export interface DeleteWhereResult {
  matches: number;
  limit: number;
  successful: number;
  failed: number;
  objects: Array<{ id: string; status: 'SUCCESS' | 'DRYRUN' | 'FAILED'; error?: string }>;
}

export interface ShardState {
  name: string;
  class: string;
  status: ShardStatus;
  objectCount: number;
  /** Pods holding this shard's replicas, as the placement says. */
  replicas: string[];
}

export interface NodeState {
  name: string;
  status: 'HEALTHY' | 'UNHEALTHY' | 'UNAVAILABLE' | 'TIMEOUT';
  /** Shoal version the node advertises (gossip metadata); absent for this node. */
  version?: string;
  shards: ShardState[];
}

/** A peer as gossip sees it: what /v1/nodes shows for pods whose shards this node cannot list. */
export interface PeerState {
  name: string;
  status: NodeState['status'];
  version: string;
}

export interface Coordinator {
  /** Upsert many objects; one outcome per write, in order. Never rejects for a single object. */
  putObjects(writes: ObjectWrite[], opts: RequestOptions): Promise<WriteOutcome[]>;
  /** Store a new object; rejects with 'conflict' when the id exists in the class. */
  createObject(write: ObjectWrite, opts: RequestOptions): Promise<LiveObject>;
  /** Replace an existing object (keeps its creation time); rejects with 'not-found'. */
  replaceObject(write: ObjectWrite, opts: RequestOptions): Promise<LiveObject>;
  /** Merge into an existing object; rejects with 'not-found'. */
  patchObject(className: string, id: string, patch: ObjectPatch, opts: RequestOptions): Promise<LiveObject>;
  /** Delete (tombstone) an object; resolves false when there was none. Without a class, any class. */
  deleteObject(className: string | undefined, id: string, opts: RequestOptions): Promise<boolean>;
  /** Without a class, looks in every class. */
  getObject(className: string | undefined, id: string, opts: RequestOptions): Promise<LiveObject | undefined>;
  /** Objects ordered by id (class by class when no class is given). */
  listObjects(className: string | undefined, page: ListPage, opts: RequestOptions): Promise<LiveObject[]>;
  /** Nearest objects by vector (ascending distance), or filtered objects by id. */
  query(q: ObjectQuery, opts: RequestOptions): Promise<QueryHit[]>;
  count(className: string, filter: Where | undefined, opts: RequestOptions): Promise<number>;
  deleteWhere(req: DeleteWhereRequest, opts: RequestOptions): Promise<DeleteWhereResult>;
  /** The physical shards of a class and their state. */
  shards(className: string): Promise<ShardState[]>;
  /** Every node of the cluster (one, locally) with its shards, sorted by name. */
  nodes(className?: string): Promise<NodeState[]>;
}
