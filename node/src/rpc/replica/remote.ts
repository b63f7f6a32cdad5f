// The replica methods of another pod, called over the RPC client. Rejects with RpcError (the
// reason tells timeouts and dead connections from the peer's own errors).
import type { LiveObject, ObjectRecord } from '../../objects/types.js';
import type { ApplyResult, ShardInfo } from '../../shards/types.js';
import type { Where } from '../../coordinator/filters/where.js';
import type { CallOptions, Peer, RpcClient } from '../client.js';
import { RpcError } from '../errors.js';
import { WireError } from '../wire-records.js';
import * as codec from './codec.js';
import type { EntryPage, EntryQuery, ReplicaHit, ReplicaOps, ReplicaSearch, ShardDigest, ShardRef } from './ops.js';

/** Deadlines per kind of call; a coordinator passes its own. */
export interface RemoteTimeouts {
  writeMs: number;
  readMs: number;
  /** Digests scan a whole replica. */
  repairMs: number;
}

export const DEFAULT_TIMEOUTS: RemoteTimeouts = { writeMs: 10_000, readMs: 10_000, repairMs: 60_000 };

export class RemoteReplica implements ReplicaOps {
  constructor(
    private readonly client: RpcClient,
    readonly peer: Peer,
    private readonly timeouts: RemoteTimeouts = DEFAULT_TIMEOUTS,
  ) {}

  async apply(ref: ShardRef, records: ObjectRecord[]): Promise<ApplyResult[]> {
    const { result } = await this.send(codec.METHOD.apply, codec.encodeRecords(ref, records), this.timeouts.writeMs);
    return this.decode(() => codec.decodeApplyResults(result, records.length));
  }

  async get(ref: ShardRef, ids: string[]): Promise<Array<ObjectRecord | null>> {
    const { result, blobs } = await this.send(codec.METHOD.get, { params: { c: ref.class, s: ref.shard, ids }, blobs: [] }, this.timeouts.readMs);
    return this.decode(() => codec.decodeRecordList(result, blobs));
  }

  async search(ref: ShardRef, req: ReplicaSearch): Promise<ReplicaHit[]> {
    const { result, blobs } = await this.send(codec.METHOD.search, codec.encodeSearch(ref, req), this.timeouts.readMs);
    return this.decode(() => codec.decodeHits(result, blobs));
  }

  async list(ref: ShardRef, after: string | undefined, limit: number): Promise<LiveObject[]> {
    const { result, blobs } = await this.send(codec.METHOD.list, { params: { c: ref.class, s: ref.shard, a: after, n: limit }, blobs: [] }, this.timeouts.readMs);
    return this.decode(() => codec.decodeLiveList(result, blobs));
  }

  async scan(ref: ShardRef, filter: Where | undefined, limit: number): Promise<LiveObject[]> {
    const { result, blobs } = await this.send(codec.METHOD.scan, { params: { c: ref.class, s: ref.shard, w: filter, n: limit }, blobs: [] }, this.timeouts.readMs);
    return this.decode(() => codec.decodeLiveList(result, blobs));
  }

  async count(ref: ShardRef, filter: Where | undefined): Promise<number> {
    const { result } = await this.send(codec.METHOD.count, { params: { c: ref.class, s: ref.shard, w: filter }, blobs: [] }, this.timeouts.readMs);
    if (typeof result !== 'number') throw new RpcError('protocol', `${this.peer.name} answered count with ${typeof result}`);
    return result;
  }

  async digest(ref: ShardRef, bits: number): Promise<ShardDigest> {
    const { result, blobs } = await this.send(codec.METHOD.digest, { params: { c: ref.class, s: ref.shard, b: bits }, blobs: [] }, this.timeouts.repairMs);
    return this.decode(() => codec.decodeDigest(result, blobs));
  }

  async entries(ref: ShardRef, q: EntryQuery): Promise<EntryPage> {
    const { result } = await this.send(codec.METHOD.entries, codec.encodeEntryQuery(ref, q), this.timeouts.repairMs);
    return this.decode(() => codec.decodeEntryPage(result));
  }

  async shardInfos(opts: CallOptions = {}): Promise<ShardInfo[]> {
    const { result } = await this.send(codec.METHOD.infos, { params: {}, blobs: [] }, opts.timeoutMs ?? this.timeouts.readMs);
    return this.decode(() => codec.decodeShardInfos(result));
  }

  private send(method: string, msg: codec.Encoded, timeoutMs: number) {
    return this.client.call(this.peer, method, msg.params, msg.blobs, { timeoutMs });
  }

  private decode<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof WireError) throw new RpcError('protocol', `${this.peer.name} sent an unreadable answer: ${e.message}`);
      throw e;
    }
  }
}
