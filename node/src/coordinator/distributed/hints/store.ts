// Durable hints: writes a replica missed, kept on this pod until they can be delivered. One
// LMDB environment under <dataDir>/hints. One entry per missed batch and target pod:
//   key   [target pod, seq, record count]   (seq: milliseconds * 1000 + counter, increasing)
//   value the batch as an RPC frame body (class, shard, records with binary vectors)
// The count and time sit in the key so that pending counts and expiry need no value decoding.
// Records keep their original version and origin, so delivering a hint twice, or after a newer
// write, is harmless: the replica keeps the newest write (last write wins).
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { ObjectRecord } from '../../../objects/types.js';
import type { ShardRef } from '../../../rpc/replica/ops.js';
import { FrameType, decodeBody, encodeFrame } from '../../../rpc/frame.js';
import { encodeRecords, decodeRecords, refOf } from '../../../rpc/replica/codec.js';

type HintKey = [target: string, seq: number, count: number];

export interface HintBatch {
  key: HintKey;
  ref: ShardRef;
  records: ObjectRecord[];
  createdMs: number;
}

export class HintStore {
  private readonly db: Database<Buffer, HintKey>;
  private readonly counts = new Map<string, number>();
  private lastSeq = 0;

  private constructor(private readonly root: RootDatabase) {
    this.db = root.openDB({ name: 'hints', encoding: 'binary' });
    for (const key of this.db.getKeys({})) {
      const [target, seq, count] = key as HintKey;
      this.counts.set(target, (this.counts.get(target) ?? 0) + count);
      this.lastSeq = Math.max(this.lastSeq, seq);
    }
  }

  static open(dir: string): HintStore {
    mkdirSync(dir, { recursive: true });
    return new HintStore(open({ path: `${dir}/hints.mdb`, maxDbs: 2 }));
  }

  /** Keep `records` for `target`; resolves once committed. */
  async add(target: string, ref: ShardRef, records: readonly ObjectRecord[], nowMs = Date.now()): Promise<void> {
    if (records.length === 0) return;
    const seq = (this.lastSeq = Math.max(this.lastSeq + 1, Math.floor(nowMs) * 1000));
    const { params, blobs } = encodeRecords(ref, records);
    const body = encodeFrame(FrameType.Request, 0, params, blobs).subarray(4);
    await this.db.put([target, seq, records.length], body);
    // Counted once committed, so that a replay started because of the count finds the batch.
    this.counts.set(target, (this.counts.get(target) ?? 0) + records.length);
  }

  /** Targets with hints pending. */
  targets(): string[] {
    return [...this.counts].filter(([, n]) => n > 0).map(([t]) => t).sort();
  }

  pending(target: string): number {
    return this.counts.get(target) ?? 0;
  }

  pendingByTarget(): Map<string, number> {
    return new Map(this.counts);
  }

  /** The oldest `limit` batches for a target, in the order they were hinted. */
  oldest(target: string, limit: number): HintBatch[] {
    const out: HintBatch[] = [];
    for (const { key, value } of this.db.getRange({ start: [target], end: [target, Infinity], limit })) {
      const k = key as HintKey;
      out.push({ key: k, createdMs: Math.floor(k[1] / 1000), ...decodeHint(value) });
    }
    return out;
  }

  /** Keys of a target's batches created at or before `cutoffMs` (expired), without decoding them. */
  createdBy(target: string, cutoffMs: number): HintKey[] {
    const out: HintKey[] = [];
    for (const key of this.db.getKeys({ start: [target], end: [target, (Math.floor(cutoffMs) + 1) * 1000] })) out.push(key as HintKey);
    return out;
  }

  async remove(key: HintKey): Promise<void> {
    const removed = await this.db.remove(key);
    if (removed) this.counts.set(key[0], Math.max(0, (this.counts.get(key[0]) ?? 0) - key[2]));
  }

  close(): Promise<void> {
    return this.root.close();
  }
}

function decodeHint(body: Buffer): { ref: ShardRef; records: ObjectRecord[] } {
  const frame = decodeBody(body);
  const params = frame.header as Record<string, unknown>;
  return { ref: refOf(params), records: decodeRecords(params, frame.blobs) };
}
