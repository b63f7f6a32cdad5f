// The object store of one shard: one LMDB environment (`store.mdb` in the shard's folder) with
// five databases:
//   objects  id -> StoredRecord (objects and tombstones, without vectors), ordered by id
//   vectors  label -> raw float32 bytes of the object's vector as given (not normalised)
//   labels   label -> id
//   free     label -> true for labels freed and not handed out again (with meta.nextLabel, the
//            durable state of the label table)
//   changes  seq -> [id, deleted label or -1, added label or -1]: the change sequence the index
//            replays after loading a snapshot; pruned up to the latest snapshot
//   meta     storeId, lastSeq, liveCount, nextLabel, dimensions
// Reads are synchronous (LMDB is memory-mapped); writes go through `transact`, which lmdb-js
// batches with other writes of the same event turn.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { open, type Database, type RootDatabase, type Transaction } from 'lmdb';
import type { LiveObject, ObjectRecord } from '../objects/types.js';
import type { ObjectPredicate, RecordEntry } from './types.js';
import { toLazyLiveObject, toLiveObject, toTombstone, vectorFromBytes, type StoredRecord } from './records.js';

export const STORE_FILE = 'store.mdb';
const noVector = () => undefined;
/**
 * Address space reserved for the store's memory map (virtual, not allocated; the file grows as
 * needed). lmdb-js otherwise starts at 128 KB and doubles, keeping every outgrown map alive for
 * lingering readers: at 100k x 128-d that left 158 MB resident for a 100 MB file. It still grows
 * past this if ever needed.
 */
export const STORE_MAP_BYTES = 2 ** 34;

/** One entry of the change sequence: which labels a write removed from and added to the index. */
export type Change = [id: string, deletedLabel: number, addedLabel: number];

export interface StoreMeta {
  /** Random id made when the store was created; a snapshot of another store never matches it. */
  storeId: string;
  lastSeq: number;
  liveCount: number;
  nextLabel: number;
  dimensions: number | undefined;
}

export class ShardStore {
  readonly objects: Database<StoredRecord, string>;
  readonly vectors: Database<Buffer, number>;
  readonly labels: Database<string, number>;
  readonly free: Database<boolean, number>;
  readonly changes: Database<Change, number>;
  readonly meta: Database<unknown, string>;

  private constructor(readonly root: RootDatabase) {
    // Plain msgpack maps: msgpackr's records would embed their structure in every value (values
    // have no shared structures here), which made each read define it again (~1.3 us more per get).
    // (msgpackr's option, passed through by lmdb-js; its types do not list it.)
    const plainMaps: { useRecords: boolean } = { useRecords: false };
    this.objects = root.openDB({ name: 'objects', ...plainMaps });
    this.vectors = root.openDB({ name: 'vectors', keyEncoding: 'uint32', encoding: 'binary' });
    this.labels = root.openDB({ name: 'labels', keyEncoding: 'uint32', encoding: 'string' });
    this.free = root.openDB({ name: 'free', keyEncoding: 'uint32' });
    this.changes = root.openDB({ name: 'changes' });
    this.meta = root.openDB({ name: 'meta' });
  }

  static open(dir: string): ShardStore {
    // Defaults kept on purpose: overlappingSync (commit visible first, flushed promise when on
    // disk) and no noSync/useWritemap, so a kill -9 or crash never leaves the file unreadable.
    const store = new ShardStore(open({ path: join(dir, STORE_FILE), maxDbs: 10, mapSize: STORE_MAP_BYTES }));
    if (store.meta.get('storeId') === undefined) store.meta.putSync('storeId', randomUUID());
    return store;
  }

  readMeta(txn?: Transaction): StoreMeta {
    const opts = txn ? { transaction: txn } : undefined;
    const num = (key: string) => (this.meta.get(key, opts) as number | undefined) ?? 0;
    return {
      storeId: this.meta.get('storeId', opts) as string,
      lastSeq: num('lastSeq'),
      liveCount: num('liveCount'),
      nextLabel: num('nextLabel'),
      dimensions: this.meta.get('dimensions', opts) as number | undefined,
    };
  }

  writeMeta(m: Omit<StoreMeta, 'storeId'>): void {
    this.meta.put('lastSeq', m.lastSeq);
    this.meta.put('liveCount', m.liveCount);
    this.meta.put('nextLabel', m.nextLabel);
    if (m.dimensions !== undefined) this.meta.put('dimensions', m.dimensions);
  }

  /** Run `fn` in a write transaction of its own (aborted as a whole if it throws); resolves at commit. */
  transact<T>(fn: () => T): Promise<T> {
    return this.root.childTransaction(fn);
  }

  /** Resolves when every write committed so far is on disk. */
  flushed(): Promise<void> {
    return new Promise((resolve, reject) => this.root.flushed.then(() => resolve(), reject));
  }

  readVector = (label: number): Float32Array | undefined => {
    const bytes = this.vectors.get(label);
    return bytes ? vectorFromBytes(bytes) : undefined;
  };

  /** The record; without its vector read unless asked (reading and copying it costs more than the rest). */
  getRecord(id: string, withVector = true): ObjectRecord | undefined {
    const s = this.objects.get(id);
    if (!s) return undefined;
    if (s.deleted) return toTombstone(id, s);
    return toLiveObject(id, s, withVector ? this.readVector : noVector);
  }

  /** Live objects with id > after, in id order. */
  list(after: string | undefined, limit: number): LiveObject[] {
    const out: LiveObject[] = [];
    if (limit <= 0) return out;
    for (const { key, value } of this.objects.getRange(after === undefined ? {} : { start: after })) {
      if (key === after || value.deleted) continue;
      out.push(toLiveObject(key, value, this.readVector));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** (id, version, origin, deleted) of every record with id > after, tombstones included, in id order. */
  entries(after: string | undefined, limit: number): RecordEntry[] {
    const out: RecordEntry[] = [];
    if (limit <= 0) return out;
    for (const { key, value } of this.objects.getRange(after === undefined ? { limit } : { start: after, limit: limit + 1 })) {
      if (key === after) continue;
      out.push({ id: key, version: value.version, origin: value.origin, deleted: value.deleted });
      if (out.length >= limit) break;
    }
    return out;
  }

  scan(filter: ObjectPredicate | undefined, limit: number): LiveObject[] {
    const out: LiveObject[] = [];
    if (limit <= 0) return out;
    for (const { key, value } of this.objects.getRange({})) {
      if (value.deleted) continue;
      if (filter && !filter(toLazyLiveObject(key, value, this.readVector))) continue;
      out.push(toLiveObject(key, value, this.readVector));
      if (out.length >= limit) break;
    }
    return out;
  }

  countMatching(filter: ObjectPredicate): number {
    let n = 0;
    for (const { key, value } of this.objects.getRange({})) {
      if (!value.deleted && filter(toLazyLiveObject(key, value, this.readVector))) n++;
    }
    return n;
  }

  /**
   * Labels of live objects with a vector that match `filter`, read in chunks with a yield to the
   * event loop between chunks so that a large store does not stall health checks and gossip.
   */
  async matchingLabels(filter: ObjectPredicate, chunk = 4096): Promise<number[]> {
    const labels: number[] = [];
    let after: string | undefined;
    for (;;) {
      let seen = 0;
      let last: string | undefined;
      for (const { key, value } of this.objects.getRange(after === undefined ? { limit: chunk } : { start: after, limit: chunk + 1 })) {
        if (key === after) continue;
        seen++;
        last = key;
        if (value.deleted || value.label < 0) continue;
        if (filter(toLazyLiveObject(key, value, this.readVector))) labels.push(value.label);
      }
      if (seen < chunk || last === undefined) return labels;
      after = last;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  freeLabels(): number[] {
    return [...this.free.getKeys({})];
  }

  close(): Promise<void> {
    return this.root.close();
  }
}
