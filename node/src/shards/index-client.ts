// The main thread's handle on one shard's index in its worker: packs vectors into transferable
// buffers and remembers the latest index state the worker reported.
import type { IndexWorker } from './worker-pool.js';
import type { IndexParams, IndexState, OpsBatch, SearchReply, SnapshotReply, VectorBatch } from './index-protocol.js';
import type { Strategy } from './search-plan.js';
import type { IndexOp } from './write-batch.js';

export class ShardIndexClient {
  /** Latest state the worker reported (appliedSeq only grows). */
  appliedSeq = 0;
  count = 0;

  constructor(readonly worker: IndexWorker, readonly key: string, readonly params: IndexParams) {}

  open(storePath: string): Promise<void> {
    return this.worker.call({ t: 'open', shard: this.key, params: this.params, storePath });
  }

  load(path: string, checksum: number, bytes: number, dimensions: number): Promise<IndexState> {
    return this.track(this.worker.call({ t: 'load', shard: this.key, path, checksum, bytes, dimensions }));
  }

  reset(): Promise<IndexState> {
    return this.track(this.worker.call({ t: 'reset', shard: this.key }));
  }

  put(labels: number[], vectors: Float32Array[], dimensions: number, expectedCount = 0): Promise<IndexState> {
    const batch: VectorBatch = { labels: Uint32Array.from(labels), vectors: concat(vectors, dimensions), dimensions };
    return this.track(this.worker.call({ t: 'put', shard: this.key, batch, expectedCount }, [batch.labels.buffer as ArrayBuffer, batch.vectors.buffer as ArrayBuffer]));
  }

  remove(labels: number[]): Promise<IndexState> {
    const arr = Uint32Array.from(labels);
    return this.track(this.worker.call({ t: 'remove', shard: this.key, labels: arr }, [arr.buffer]));
  }

  ready(baseSeq: number): Promise<IndexState> {
    return this.track(this.worker.call({ t: 'ready', shard: this.key, baseSeq }));
  }

  /** Send live ops (already in sequence order); resolves once the worker has applied them. */
  applyOps(ops: IndexOp[], dimensions: number): Promise<IndexState> {
    const adds = ops.filter((op) => op.vector !== null).map((op) => op.vector as Float32Array);
    const batch: OpsBatch = {
      seqs: Float64Array.from(ops, (op) => op.seq),
      dels: Int32Array.from(ops, (op) => op.del),
      adds: Int32Array.from(ops, (op) => op.add),
      vectors: concat(adds, dimensions),
      dimensions,
    };
    const transfer = [batch.seqs.buffer, batch.dels.buffer, batch.adds.buffer, batch.vectors.buffer] as ArrayBuffer[];
    return this.track(this.worker.call({ t: 'ops', shard: this.key, batch }, transfer));
  }

  search(query: Float32Array, k: number, ef: number, strategy: Strategy, allowed?: number[]): Promise<SearchReply> {
    // A compact copy (the caller's array may view a larger buffer, which a clone would copy whole).
    // Copied rather than transferred: for 0.5 KB, transferring costs more than copying.
    const q = query.slice();
    const allowedArr = allowed ? Uint32Array.from(allowed) : undefined;
    return this.track(this.worker.call<SearchReply>({ t: 'search', shard: this.key, query: q, k, ef, strategy, allowed: allowedArr }, allowedArr ? [allowedArr.buffer] : []));
  }

  snapshot(path: string): Promise<SnapshotReply> {
    return this.worker.call<SnapshotReply>({ t: 'snapshot', shard: this.key, path });
  }

  close(): Promise<void> {
    return this.worker.call({ t: 'close', shard: this.key });
  }

  private async track<T extends IndexState>(p: Promise<T>): Promise<T> {
    const state = await p;
    if (state.appliedSeq > this.appliedSeq) this.appliedSeq = state.appliedSeq;
    this.count = state.count;
    return state;
  }
}

function concat(vectors: Float32Array[], dimensions: number): Float32Array {
  const out = new Float32Array(vectors.length * dimensions);
  vectors.forEach((v, i) => out.set(v, i * dimensions));
  return out;
}
