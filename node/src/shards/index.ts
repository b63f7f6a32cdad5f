// Storage of one data-plane pod: physical shard replicas, each an LMDB object store plus an HNSW
// index held in a worker thread. The contract is types.ts; createShardRegistry is its one
// implementation. What a caller (coordinator, RPC server, API) can rely on:
//
// Writes (Shard.apply)
// - Per record, in input order: { outcome: 'applied' } when the record superseded the stored one
//   (last write wins on (version, origin), tombstones included), { outcome: 'stale' } when it did
//   not (an identical re-apply is stale, so retries are harmless), { error } when the record is
//   malformed (wrong class, wrong vector length, non-finite entries, ...) and was not stored.
// - apply() resolves once the records are flushed to disk (survive kill -9 and power loss as far
//   as fsync does) and, when the shard is READY, applied to the index: a search issued after it
//   resolves sees them. While the shard is LOADING, writes are accepted and resolve once durable;
//   they become searchable together with the rest of the shard. apply() rejects (throws) only when
//   the shard is closed, read-only, or the disk write failed; per-record problems are results.
// - Concurrent apply() calls share transactions (group commit): send batches, and several at once.
// - The first vector fixes a shard's dimensions unless IndexConfig.dimensions says; objects may
//   have no vector (stored, listed, never returned by search).
//
// Reads
// - get/list/scan/count/entries read the store synchronously on the calling thread (LMDB is memory-mapped)
//   and work in every state but SHUTDOWN, including LOADING. get() returns tombstones; list/scan
//   order by id. count() without a filter is O(1); with a filter, and scan(), it decodes every
//   object (roughly 1-5 us each on this machine), so keep them for small shards or admin paths.
//
// Search
// - Only in READY; otherwise it rejects with a message naming the status (try another replica).
// - Distances in Weaviate's convention (cosine 1-cos, l2-squared, dot = -dot), ascending.
// - ef: SearchRequest.ef, else IndexConfig.ef, else clamp(k * dynamicEfFactor, dynamicEfMin,
//   dynamicEfMax); never below k.
// - A filter is evaluated on the main thread against every live object with a vector (the same
//   1-5 us per object as scan), then the worker either scans the matches exactly (few matches:
//   at most flatSearchCutoff and cheaper by a cost model, see search-plan.ts) or walks the graph
//   with the matches as an allow-list. Either way a filter matching >= k objects returns k hits.
// - maxDistance drops hits farther than it, after the k nearest are found.
//
// Lifecycle
// - open() returns at once; `loaded` resolves when the index is back (snapshot + replay, or a
//   rebuild from the store); ShardInfo.loadProgress and the shoal_shard_load_progress_ratio gauge
//   follow it. allReady() is the readiness probe.
// - close() snapshots the index and closes; drop() deletes the shard's folder; registry.close()
//   closes every shard and stops the workers. Call it on SIGTERM.
export { createShardRegistry, type ShardRegistryOptions } from './registry.js';
export type { LabelReusePolicy } from './labels.js';
export * from './types.js';
