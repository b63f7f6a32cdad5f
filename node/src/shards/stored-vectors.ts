// The worker's read-only view of a shard's stored vectors, for exact scans. lmdb-js shares one
// LMDB environment between the threads of a process, so the worker reads the same memory-mapped
// pages as the main thread (no copy of the vectors in the worker's memory). A label's vector
// never changes while the label is bound (a new vector gets a new label), so reading the latest
// committed state is safe: the main thread drops hits whose binding is newer than the search.
import { open, type Database, type RootDatabase } from 'lmdb';
import { STORE_MAP_BYTES } from './store.js';

export class StoredVectors {
  private root: RootDatabase | undefined;
  private vectors: Database<Buffer, number> | undefined;
  private scratch = new Float32Array(0);

  constructor(private readonly storePath: string) {}

  /** The vector of `label`, valid only until the next call, or undefined if unbound. */
  read(label: number): Float32Array | undefined {
    const fast = this.db().getBinaryFast(label);
    if (!fast) return undefined;
    // A reused buffer: `length` is the value's size, the underlying memory is larger.
    const bytes = fast.subarray(0, fast.length);
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    if (this.scratch.length !== bytes.length / 4) this.scratch = new Float32Array(bytes.length / 4);
    new Uint8Array(this.scratch.buffer).set(bytes);
    return this.scratch;
  }

  async close(): Promise<void> {
    const root = this.root;
    this.root = this.vectors = undefined;
    if (root) await root.close();
  }

  private db(): Database<Buffer, number> {
    if (!this.vectors) {
      this.root = open({ path: this.storePath, maxDbs: 10, mapSize: STORE_MAP_BYTES });
      this.vectors = this.root.openDB({ name: 'vectors', keyEncoding: 'uint32', encoding: 'binary' });
    }
    return this.vectors;
  }
}
