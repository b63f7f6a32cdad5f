// Replica digests for anti-entropy, pure. A replica's records are split into 2^bits buckets by a
// hash of the id; each bucket keeps a count and two order-free sums of a hash of each record's
// (id, version, origin, deleted). Two replicas holding the same writes have equal buckets
// whatever order the writes arrived in; a bucket that differs names the ids worth comparing.
//
// Buckets hash the id rather than take the token's prefix: ids are often sequential (many share
// a long prefix), their murmur token is comparatively costly to compute for every record, and
// replicas of one physical shard hold the same virtual shards anyway, so aligning buckets with
// token ranges buys nothing here. Sums (not XOR) so that nothing cancels; the count guards the
// rest. Two 32-bit FNV-1a variants give ~64 bits: a missed difference is vanishingly unlikely.
import type { RecordEntry, ShardDigest } from './ops.js';
import { mix32 } from '../../membership/hash.js';

export const DEFAULT_DIGEST_BITS = 10;

const FNV_PRIME = 0x01000193;

function fnv1a(text: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  // Final avalanche (murmur's fmix32): FNV alone leaves the high bits weak for short inputs.
  return mix32(h);
}

/** Bucket of an id among 2^bits. */
export function bucketOf(id: string, bits: number): number {
  return bits === 0 ? 0 : fnv1a(id, 0x811c9dc5) >>> (32 - bits);
}

function entryText(e: RecordEntry): string {
  return `${e.id}\n${e.version}\n${e.origin}\n${e.deleted ? 1 : 0}`;
}

export function emptyDigest(bits: number): ShardDigest {
  const n = 1 << bits;
  return { bits, counts: new Uint32Array(n), hashes: new Uint32Array(2 * n) };
}

export function addEntry(d: ShardDigest, e: RecordEntry): void {
  const b = bucketOf(e.id, d.bits);
  const text = entryText(e);
  d.counts[b]++;
  d.hashes[2 * b] = (d.hashes[2 * b] + fnv1a(text, 0x811c9dc5)) >>> 0;
  d.hashes[2 * b + 1] = (d.hashes[2 * b + 1] + fnv1a(text, 0x050c5d1f)) >>> 0;
}

export function digestOf(entries: Iterable<RecordEntry>, bits: number): ShardDigest {
  const d = emptyDigest(bits);
  for (const e of entries) addEntry(d, e);
  return d;
}

/** Buckets whose content differs between two digests of the same size. */
export function differingBuckets(a: ShardDigest, b: ShardDigest): number[] {
  if (a.bits !== b.bits) throw new Error(`digests of different sizes: 2^${a.bits} and 2^${b.bits} buckets`);
  const out: number[] = [];
  for (let i = 0; i < a.counts.length; i++) {
    if (a.counts[i] !== b.counts[i] || a.hashes[2 * i] !== b.hashes[2 * i] || a.hashes[2 * i + 1] !== b.hashes[2 * i + 1]) out.push(i);
  }
  return out;
}

/** One number that is equal for equal digests (for logs, tests and "replicas converged" checks). */
export function digestRoot(d: ShardDigest): string {
  let h1 = 0;
  let h2 = 0;
  let n = 0;
  for (let i = 0; i < d.counts.length; i++) {
    n += d.counts[i];
    h1 = (Math.imul(h1, 31) + d.hashes[2 * i]) >>> 0;
    h2 = (Math.imul(h2, 31) + d.hashes[2 * i + 1] + d.counts[i]) >>> 0;
  }
  return `${n}:${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}
