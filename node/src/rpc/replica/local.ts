// The replica methods against this pod's own shards. Used directly by the coordinator for the
// local replica, and by the RPC service for calls from other pods, so both paths behave alike.
// Versions of applied records are observed into the pod's hybrid clock: a pod that receives a
// write stamped by a pod whose clock runs ahead stamps its own later writes above it.
import type { HybridClock } from '../../objects/hlc.js';
import type { LiveObject, ObjectRecord } from '../../objects/types.js';
import type { ApplyResult, Shard, ShardInfo, ShardRegistry } from '../../shards/types.js';
import { compileWhere } from '../../coordinator/filters/compile.js';
import type { Where } from '../../coordinator/filters/where.js';
import { unavailable, invalid } from '../../coordinator/errors.js';
import { addEntry, bucketOf, emptyDigest } from './digest.js';
import type { EntryPage, EntryQuery, RecordEntry, ReplicaHit, ReplicaOps, ReplicaSearch, ShardDigest, ShardRef } from './ops.js';

/** Entries read per page while digesting; the event loop gets a turn between pages. */
const DIGEST_PAGE = 2_000;

export interface LocalReplicaOptions {
  registry: ShardRegistry;
  nodeName: string;
  clock?: HybridClock;
}

export class LocalReplica implements ReplicaOps {
  constructor(private readonly opts: LocalReplicaOptions) {}

  async apply(ref: ShardRef, records: ObjectRecord[]): Promise<ApplyResult[]> {
    const shard = this.shard(ref);
    const results = await shard.apply(records);
    const clock = this.opts.clock;
    if (clock) for (const r of records) if (Number.isFinite(r.version)) clock.observe(r.version);
    return results;
  }

  async get(ref: ShardRef, ids: string[]): Promise<Array<ObjectRecord | null>> {
    const shard = this.shard(ref);
    return ids.map((id) => shard.get(id) ?? null);
  }

  async search(ref: ShardRef, req: ReplicaSearch): Promise<ReplicaHit[]> {
    const shard = this.shard(ref);
    if (shard.status() !== 'READY') throw unavailable(`shard ${ref.shard} of class ${ref.class} on ${this.opts.nodeName} is ${shard.status()}: ask another replica`);
    const filter = compile(req.filter);
    const hits = await shard.search({
      vector: req.vector, k: req.k,
      ...(req.ef !== undefined ? { ef: req.ef } : {}),
      ...(filter ? { filter } : {}),
      ...(req.maxDistance !== undefined ? { maxDistance: req.maxDistance } : {}),
    });
    if (!req.withObjects) return hits;
    const out: ReplicaHit[] = [];
    for (const h of hits) {
      // An object deleted between the search and this read is left out rather than returned stale.
      const r = shard.get(h.id, req.withVectors);
      if (r && !r.deleted) out.push({ id: h.id, distance: h.distance, object: r });
    }
    return out;
  }

  async list(ref: ShardRef, after: string | undefined, limit: number): Promise<LiveObject[]> {
    return this.shard(ref).list(after, limit);
  }

  async scan(ref: ShardRef, filter: Where | undefined, limit: number): Promise<LiveObject[]> {
    return this.shard(ref).scan(compile(filter), limit);
  }

  async count(ref: ShardRef, filter: Where | undefined): Promise<number> {
    const shard = this.shard(ref);
    const predicate = compile(filter);
    return predicate ? shard.count(predicate) : shard.objectCount();
  }

  async digest(ref: ShardRef, bits: number): Promise<ShardDigest> {
    const shard = this.shard(ref);
    const d = emptyDigest(bits);
    for await (const page of pages(shard, undefined)) for (const e of page) addEntry(d, e);
    return d;
  }

  async entries(ref: ShardRef, q: EntryQuery): Promise<EntryPage> {
    const shard = this.shard(ref);
    const wanted = new Set(q.buckets);
    const out: RecordEntry[] = [];
    for await (const page of pages(shard, q.after)) {
      for (const e of page) {
        if (!wanted.has(bucketOf(e.id, q.bits))) continue;
        out.push(e);
        if (out.length >= q.limit) return { entries: out, next: e.id };
      }
    }
    return { entries: out };
  }

  async shardInfos(): Promise<ShardInfo[]> {
    return this.opts.registry.all().map((s) => s.info());
  }

  private shard(ref: ShardRef): Shard {
    const shard = this.opts.registry.get(ref.class, ref.shard);
    if (!shard) throw unavailable(`shard ${ref.shard} of class ${ref.class} is not open on ${this.opts.nodeName}; it may be loading or not placed here`);
    return shard;
  }
}

function compile(where: Where | undefined) {
  if (!where) return undefined;
  try {
    return compileWhere(where);
  } catch (e) {
    throw invalid(`filter cannot be compiled: ${(e as Error).message}`);
  }
}

/** Every entry after `after`, in id order, a page at a time with a yield between pages. */
async function* pages(shard: Shard, after: string | undefined): AsyncGenerator<RecordEntry[]> {
  for (;;) {
    const page = shard.entries(after, DIGEST_PAGE);
    if (page.length > 0) yield page;
    if (page.length < DIGEST_PAGE) return;
    after = page[page.length - 1].id;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
