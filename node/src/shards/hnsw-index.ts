// One shard's HNSW index inside a worker thread: hnswlib-node plus what hnswlib does not track
// for us (which labels are in the index at all, growth). Every call here is synchronous except
// load and write, which run on the libuv pool; the worker makes sure nothing mutates the index
// while they run.
import hnswlib from 'hnswlib-node';
import { exactTopK } from './flat-scan.js';
import { fromHnswDistance, type Strategy } from './search-plan.js';
import type { StoredVectors } from './stored-vectors.js';
import type { IndexParams } from './index-protocol.js';

type Hnsw = InstanceType<typeof hnswlib.HierarchicalNSW>;

const MIN_CAPACITY = 1024;

/**
 * A search answer, as plain arrays: hnswlib returns them so, and for ten hits a structured clone
 * of a plain array costs less than creating, transferring and sweeping two small ArrayBuffers.
 */
export interface Hits {
  labels: number[];
  /** Float32 values (Math.fround), like the exact scan's and the index's own precision. */
  distances: number[];
  strategy: Strategy;
}

export class HnswShardIndex {
  private index: Hnsw | undefined;
  private dims = 0;
  /** 1 for labels that are in the index (live or marked deleted); hnswlib throws on unknown labels. */
  private present = new Uint8Array(MIN_CAPACITY);
  private scratch: number[] = [];

  constructor(readonly params: IndexParams, private readonly stored: StoredVectors) {}

  get count(): number {
    return this.index ? this.index.getCurrentCount() : 0;
  }

  get dimensions(): number {
    return this.dims;
  }

  reset(): void {
    this.index = undefined;
    this.dims = 0;
    this.present = new Uint8Array(MIN_CAPACITY);
  }

  /** Replace the index by the one in `path` (already checksummed by the caller). */
  async load(path: string, dimensions: number): Promise<void> {
    const index = new hnswlib.HierarchicalNSW(this.params.space, dimensions);
    await index.readIndex(path);
    this.index = index;
    this.dims = dimensions;
    this.present = new Uint8Array(Math.max(MIN_CAPACITY, index.getMaxElements()));
    for (const label of index.getIdsList()) this.markPresent(label);
  }

  async write(path: string): Promise<void> {
    if (!this.index) throw new Error('no index to write');
    await this.index.writeIndex(path);
  }

  /** Set `label` to `vector`: a fresh insert, or an in-place update if the label is in the index. */
  set(label: number, vector: Float32Array): void {
    const index = this.ensureIndex(vector.length);
    if (vector.length !== this.dims) throw new Error(`expected a ${this.dims}-dimensional vector, found ${vector.length}`);
    if (!this.isPresent(label) && index.getCurrentCount() >= index.getMaxElements()) {
      index.resizeIndex(Math.max(MIN_CAPACITY, index.getMaxElements() * 2));
    }
    index.addPoint(this.toArray(vector), label);
    this.markPresent(label);
  }

  /** Mark `label` deleted if it is in the index and not already deleted. */
  remove(label: number): void {
    if (!this.index || !this.isPresent(label)) return;
    try {
      this.index.markDelete(label);
    } catch {
      // Already marked deleted: removal is idempotent (replay may repeat it).
    }
  }

  /** Grow once for `extra` fresh labels (cheaper than doubling step by step during a rebuild). */
  reserve(extra: number, dimensions: number): void {
    const index = this.ensureIndex(dimensions, extra);
    const needed = index.getCurrentCount() + extra;
    if (needed > index.getMaxElements()) index.resizeIndex(Math.max(needed, Math.ceil(index.getMaxElements() * 1.5)));
  }

  search(query: Float32Array, k: number, ef: number, strategy: Strategy, allowed?: Uint32Array): Hits {
    const index = this.index;
    const n = Math.min(k, this.count, allowed ? allowed.length : Infinity);
    if (!index || n <= 0 || query.length !== this.dims) return { labels: [], distances: [], strategy };
    if (strategy === 'flat' && allowed) return this.flat(query, n, allowed);
    index.setEf(Math.max(ef, n));
    const filter = allowed ? this.allowFilter(allowed) : undefined;
    const res = index.searchKnn(this.toArray(query), n, filter);
    // A filtered walk can miss matches cut off from the entry point by non-matching nodes:
    // fall back to the exact scan so that a selective filter still returns k hits.
    if (allowed && res.neighbors.length < n) return this.flat(query, n, allowed);
    const space = this.params.space;
    return { labels: res.neighbors, distances: res.distances.map((d) => Math.fround(fromHnswDistance(space, d))), strategy };
  }

  /** Exact distances to the allowed vectors, read from the store (getPoint costs ~20 us per call). */
  private flat(query: Float32Array, k: number, allowed: Uint32Array): Hits {
    const hits = exactTopK(this.params.space, query, allowed, k, (label) => this.stored.read(label));
    return { labels: Array.from(hits.labels), distances: Array.from(hits.distances), strategy: 'flat' };
  }

  private allowFilter(allowed: Uint32Array): (label: number) => boolean {
    const bits = new Uint8Array(this.present.length);
    for (const label of allowed) if (label < bits.length) bits[label] = 1;
    return (label) => bits[label] === 1;
  }

  private ensureIndex(dimensions: number, extra = 0): Hnsw {
    if (this.index) return this.index;
    const index = new hnswlib.HierarchicalNSW(this.params.space, dimensions);
    index.initIndex({ maxElements: Math.max(MIN_CAPACITY, extra), m: this.params.m, efConstruction: this.params.efConstruction });
    this.index = index;
    this.dims = dimensions;
    return index;
  }

  private isPresent(label: number): boolean {
    return label < this.present.length && this.present[label] === 1;
  }

  private markPresent(label: number): void {
    if (label >= this.present.length) {
      const grown = new Uint8Array(Math.max(label + 1, this.present.length * 2));
      grown.set(this.present);
      this.present = grown;
    }
    this.present[label] = 1;
  }

  /** hnswlib takes plain arrays only; one reused scratch array avoids an allocation per vector. */
  private toArray(vector: Float32Array): number[] {
    const out = this.scratch.length === vector.length ? this.scratch : (this.scratch = new Array<number>(vector.length));
    for (let i = 0; i < vector.length; i++) out[i] = vector[i];
    return out;
  }
}
