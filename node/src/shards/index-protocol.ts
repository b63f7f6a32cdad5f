// Messages between a shard (main thread) and the worker thread that holds its HNSW index.
// Vectors travel as Float32Array buffers (batches transferred, not copied; a search's 0.5 KB query
// is copied, which costs less than a transfer); the worker turns them into the plain arrays hnswlib
// wants. Search answers come back as plain arrays (ten labels and distances clone for less than
// two ArrayBuffers cost to create and transfer). Every request carries an id; the worker answers
// each one once.
//
// Searches are announced in a control block shared by both threads (CONTROL_*): the worker then
// ends a write slice after the current addPoint instead of finishing it, so a search waits for one
// insert (~0.15 ms), not for a whole slice.
import type { Distance } from './types.js';
import type { Space, Strategy } from './search-plan.js';

export interface IndexParams {
  space: Space;
  distance: Distance;
  m: number;
  efConstruction: number;
}

/** Labels and their vectors, `dimensions` floats per label, back to back. */
export interface VectorBatch {
  labels: Uint32Array;
  vectors: Float32Array;
  dimensions: number;
}

/**
 * Live writes in change-sequence order: op i removes dels[i] and adds adds[i] (-1 = nothing);
 * the vectors of the adds are back to back in `vectors`, in op order.
 */
export interface OpsBatch {
  seqs: Float64Array;
  dels: Int32Array;
  adds: Int32Array;
  vectors: Float32Array;
  dimensions: number;
}

export type IndexRequest =
  /** Register a shard on this worker (no index until vectors or a snapshot arrive). */
  | { t: 'open'; shard: string; params: IndexParams; /** The shard's LMDB file, read by exact scans. */ storePath: string }
  /** Verify a snapshot file's checksum and load it; live ops wait until `ready`. */
  | { t: 'load'; shard: string; path: string; checksum: number; bytes: number; dimensions: number }
  /** Throw away whatever index the shard has (before a rebuild). */
  | { t: 'reset'; shard: string }
  /** Loading: set these labels to these vectors (insert, or update in place). */
  | { t: 'put'; shard: string; batch: VectorBatch; /** Elements the index will hold once loading is done (one resize, not many). */ expectedCount: number }
  /** Loading: make sure these labels are marked deleted. */
  | { t: 'remove'; shard: string; labels: Uint32Array }
  /** Loading is done at change `baseSeq`: apply queued live ops after it, skip those at or before it. */
  | { t: 'ready'; shard: string; baseSeq: number }
  | { t: 'ops'; shard: string; batch: OpsBatch }
  | { t: 'search'; shard: string; query: Float32Array; k: number; ef: number; strategy: Strategy; allowed?: Uint32Array }
  /** Write the index to `path` (async; mutations wait, searches continue), fsync it, checksum it. */
  | { t: 'snapshot'; shard: string; path: string }
  | { t: 'close'; shard: string };

/** State of a shard's index after a request. */
export interface IndexState {
  /** The last change of the sequence this index reflects. */
  appliedSeq: number;
  /** Elements in the index, deleted ones included. */
  count: number;
}

export interface SearchReply extends IndexState {
  labels: number[];
  /** In Weaviate's convention, ascending; float32 values. */
  distances: number[];
  strategy: Strategy;
}

export interface SnapshotReply extends IndexState {
  /** The change sequence the file covers (the index's appliedSeq when the write started). */
  seq: number;
  checksum: number;
  bytes: number;
}

export type IndexReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
export type IndexEnvelope = { id: number; req: IndexRequest };

/** Int32 slots of a worker's control block (a SharedArrayBuffer shared by the worker and the main thread). */
export const CONTROL_PENDING_SEARCHES = 0; // searches sent to this worker and not received yet
export const CONTROL_SLOTS = 1;

export interface IndexWorkerData {
  control: SharedArrayBuffer;
  /** Longest write slice in milliseconds (tests raise it to observe preemption). */
  sliceMs?: number;
}
