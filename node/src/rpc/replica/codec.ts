// The replica methods on the wire: for each, how the caller encodes its parameters and decodes
// the result, and how the serving pod decodes the parameters and encodes the result. JSON for
// structure, blobs for vectors and digests. Decoders check every field (WireError on a bad one):
// what arrives is input from another process.
import type { LiveObject, ObjectRecord } from '../../objects/types.js';
import type { ApplyResult, ShardInfo } from '../../shards/types.js';
import type { Where } from '../../coordinator/filters/where.js';
import {
  BlobTable, WireError, asArray, asObject, blobVector, int, liveFromWire, num, optNum, optStr, recordFromWire, recordToWire, str, vectorToBytes,
} from '../wire-records.js';
import { LIMITS, type EntryPage, type EntryQuery, type RecordEntry, type ReplicaHit, type ReplicaSearch, type ShardDigest, type ShardRef } from './ops.js';

export const METHOD = {
  apply: 'shard.apply',
  get: 'shard.get',
  search: 'shard.search',
  list: 'shard.list',
  scan: 'shard.scan',
  count: 'shard.count',
  digest: 'shard.digest',
  entries: 'shard.entries',
  infos: 'node.shards',
} as const;

export interface Encoded {
  params: unknown;
  blobs: Uint8Array[];
}

type Msg = Record<string, unknown>;

export function refOf(p: Msg): ShardRef {
  return { class: str(p.c, 'class'), shard: str(p.s, 'shard') };
}

function withRef(ref: ShardRef, rest: Msg): Msg {
  return { c: ref.class, s: ref.shard, ...rest };
}

// ---------------------------------------------------------------- records and objects

export function encodeRecords(ref: ShardRef, records: readonly ObjectRecord[]): Encoded {
  const t = new BlobTable();
  return { params: withRef(ref, { r: records.map((r) => recordToWire(r, t)) }), blobs: t.blobs };
}

export function decodeRecords(p: Msg, blobs: Uint8Array[]): ObjectRecord[] {
  return asArray(p.r, 'records', LIMITS.records).map((w) => recordFromWire(w, blobs));
}

/** Objects (or nulls) as a result: {o: [...]}, vectors in blobs. */
export function encodeObjects(objects: ReadonlyArray<ObjectRecord | null>, withVectors = true): Encoded {
  const t = new BlobTable();
  return { params: { o: objects.map((o) => (o ? recordToWire(o, t, withVectors) : null)) }, blobs: t.blobs };
}

export function decodeRecordList(result: unknown, blobs: Uint8Array[]): Array<ObjectRecord | null> {
  return asArray(asObject(result, 'result').o, 'objects').map((w) => (w === null ? null : recordFromWire(w, blobs)));
}

export function decodeLiveList(result: unknown, blobs: Uint8Array[]): LiveObject[] {
  return asArray(asObject(result, 'result').o, 'objects').map((w) => liveFromWire(w, blobs));
}

export function decodeApplyResults(result: unknown, expected: number): ApplyResult[] {
  const list = asArray(result, 'apply results');
  if (list.length !== expected) throw new WireError(`expected ${expected} apply results, found ${list.length}`);
  return list.map((r) => {
    const o = asObject(r, 'apply result');
    if (o.outcome === 'applied' || o.outcome === 'stale') return { outcome: o.outcome };
    return { error: str(o.error, 'apply error') };
  });
}

// ---------------------------------------------------------------- search

export function encodeSearch(ref: ShardRef, q: ReplicaSearch): Encoded {
  const params = withRef(ref, { k: q.k, ef: q.ef, w: q.filter, md: q.maxDistance, o: q.withObjects, vv: q.withVectors });
  return { params, blobs: [vectorToBytes(q.vector)] };
}

export function decodeSearch(p: Msg, blobs: Uint8Array[]): ReplicaSearch {
  const vector = blobVector(0, blobs);
  if (!vector) throw new WireError('search needs a query vector in blob 0');
  const req: ReplicaSearch = { vector, k: int(p.k, 'k', 0, LIMITS.k), withObjects: p.o === true, withVectors: p.vv === true };
  const ef = optNum(p.ef, 'ef');
  if (ef !== undefined) req.ef = int(ef, 'ef', 1, 1_000_000);
  if (p.w !== undefined && p.w !== null) req.filter = asObject(p.w, 'filter') as unknown as Where;
  const md = optNum(p.md, 'maxDistance');
  if (md !== undefined) req.maxDistance = md;
  return req;
}

export function encodeHits(hits: readonly ReplicaHit[], withVectors: boolean): Encoded {
  const t = new BlobTable();
  const h = hits.map((hit) => (hit.object ? { id: hit.id, d: hit.distance, o: recordToWire(hit.object, t, withVectors) } : { id: hit.id, d: hit.distance }));
  return { params: { h }, blobs: t.blobs };
}

export function decodeHits(result: unknown, blobs: Uint8Array[]): ReplicaHit[] {
  return asArray(asObject(result, 'result').h, 'hits').map((w) => {
    const o = asObject(w, 'hit');
    const hit: ReplicaHit = { id: str(o.id, 'hit.id'), distance: num(o.d, 'hit.distance') };
    if (o.o !== undefined) hit.object = liveFromWire(o.o, blobs);
    return hit;
  });
}

// ---------------------------------------------------------------- list, scan, count, get

export function decodeListParams(p: Msg): { after?: string; limit: number } {
  return { after: optStr(p.a, 'after'), limit: int(p.n, 'limit', 0, LIMITS.listLimit) };
}

export function decodeFilter(p: Msg): Where | undefined {
  return p.w === undefined || p.w === null ? undefined : (asObject(p.w, 'filter') as unknown as Where);
}

export function decodeIds(p: Msg): string[] {
  return asArray(p.ids, 'ids', LIMITS.ids).map((id) => str(id, 'id'));
}

// ---------------------------------------------------------------- repair

export function encodeDigest(d: ShardDigest): Encoded {
  const words = new Uint32Array(d.counts.length * 3);
  words.set(d.counts, 0);
  words.set(d.hashes, d.counts.length);
  return { params: { b: d.bits }, blobs: [u32ToBytes(words)] };
}

export function decodeDigest(result: unknown, blobs: Uint8Array[]): ShardDigest {
  const bits = int(asObject(result, 'result').b, 'bits', 0, LIMITS.maxBits);
  const n = 1 << bits;
  if (blobs.length !== 1 || blobs[0].byteLength !== 12 * n) throw new WireError(`digest of 2^${bits} buckets needs one blob of ${12 * n} bytes`);
  const words = u32FromBytes(blobs[0]);
  return { bits, counts: words.slice(0, n), hashes: words.slice(n) };
}

export function encodeEntryQuery(ref: ShardRef, q: EntryQuery): Encoded {
  return { params: withRef(ref, { b: q.bits, k: q.buckets, a: q.after, n: q.limit }), blobs: [] };
}

export function decodeEntryQuery(p: Msg): EntryQuery {
  const bits = int(p.b, 'bits', 0, LIMITS.maxBits);
  const buckets = asArray(p.k, 'buckets', 1 << bits).map((b) => int(b, 'bucket', 0, (1 << bits) - 1));
  return { bits, buckets, after: optStr(p.a, 'after'), limit: int(p.n, 'limit', 1, LIMITS.entryLimit) };
}

export function encodeEntryPage(page: EntryPage): Encoded {
  return { params: { e: page.entries.map((e) => [e.id, e.version, e.origin, e.deleted ? 1 : 0]), a: page.next }, blobs: [] };
}

export function decodeEntryPage(result: unknown): EntryPage {
  const o = asObject(result, 'result');
  const entries = asArray(o.e, 'entries').map((w): RecordEntry => {
    const t = asArray(w, 'entry');
    return { id: str(t[0], 'entry.id'), version: num(t[1], 'entry.version'), origin: str(t[2], 'entry.origin'), deleted: t[3] === 1 };
  });
  const next = optStr(o.a, 'next');
  return next === undefined ? { entries } : { entries, next };
}

export function decodeShardInfos(result: unknown): ShardInfo[] {
  return asArray(result, 'shard infos').map((w) => {
    const o = asObject(w, 'shard info');
    return {
      class: str(o.class, 'class'), name: str(o.name, 'name'), status: str(o.status, 'status') as ShardInfo['status'],
      objectCount: num(o.objectCount, 'objectCount'), indexSize: num(o.indexSize, 'indexSize'),
      indexTombstones: num(o.indexTombstones, 'indexTombstones'), loadProgress: num(o.loadProgress, 'loadProgress'),
    };
  });
}

// ---------------------------------------------------------------- little-endian u32 blobs

function u32ToBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(4 * i, words[i], true);
  return out;
}

function u32FromBytes(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(4 * i, true);
  return out;
}
