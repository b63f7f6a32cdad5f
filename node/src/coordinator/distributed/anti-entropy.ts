// Background anti-entropy between the replicas of each physical shard, so that replicas converge
// whatever was lost on the way (a hint file deleted, a hint window exceeded, a crash between a
// write and its hint).
//
// A pass walks this pod's shards; for each shard, each peer replica whose pod name sorts after
// ours (so each pair is compared once per pass, by the lower-named pod), one pair at a time:
//   1. both replicas digest their records into 2^bits buckets (rpc/replica/digest.ts);
//   2. buckets that differ are compared entry by entry, (id, version, origin, deleted), both
//      sides paged in step (only ids both pages cover are compared);
//   3. records the peer holds newer are pulled, records we hold newer are pushed (repair-plan.ts),
//      tombstones included, in chunks.
// Cost is bounded per pair and pass (antiEntropyMaxEntries) and passes are spaced by the
// interval; a digest yields to the event loop every 2,000 records. A pass also starts soon after
// gossip says a peer is alive again, so a restarted replica is repaired without waiting.
import { replicasOf } from '../../../../api/index.js';
import type { ControlSource } from '../../control/types.js';
import type { Logger } from '../../log.js';
import type { ObjectRecord } from '../../objects/types.js';
import type { ApplyResult } from '../../shards/types.js';
import { differingBuckets } from '../../rpc/replica/digest.js';
import type { EntryPage, RecordEntry, ShardRef } from '../../rpc/replica/ops.js';
import type { ReplicaAccess } from './access.js';
import type { DistributedConfig } from './config.js';
import type { DistributedMetrics } from './metrics.js';
import type { MemberLike, MembershipLike } from './peers.js';
import { planRepair } from './repair-plan.js';
import { isDown } from './replicas.js';

const PAGE = 5_000;
const CHUNK = 500;
/** Delay of the pass triggered by a peer coming back (lets its data port and shards open). */
const AFTER_ALIVE_MS = 1_000;

export interface PairResult {
  inSync: boolean;
  pulled: number;
  pushed: number;
}

export interface AntiEntropyOptions {
  control: ControlSource;
  access: ReplicaAccess;
  membership: MembershipLike;
  config: DistributedConfig;
  metrics: DistributedMetrics;
  log: Logger;
}

export class AntiEntropy {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;
  private readonly onAlive = (m: MemberLike) => {
    if (m.name !== this.opts.access.self) this.schedule(AFTER_ALIVE_MS);
  };

  constructor(private readonly opts: AntiEntropyOptions) {}

  start(): void {
    if (this.opts.config.antiEntropyIntervalMs <= 0) return;
    this.opts.membership.on('alive', this.onAlive);
    this.opts.membership.on('join', this.onAlive);
    this.schedule(Math.min(this.opts.config.antiEntropyIntervalMs, 5_000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.opts.membership.off?.('alive', this.onAlive);
    this.opts.membership.off?.('join', this.onAlive);
    await this.pass;
  }

  /** One pass over every local shard and peer replica, after any pass already running. */
  runOnce(): Promise<void> {
    const run = (this.pass ?? Promise.resolve()).then(() => this.runPass());
    const settled = run.catch(() => undefined);
    this.pass = settled;
    void settled.then(() => {
      if (this.pass === settled) this.pass = undefined;
    });
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule(this.opts.config.antiEntropyIntervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private async runPass(): Promise<void> {
    const { access, control } = this.opts;
    for (const cls of control.snapshot().classes.values()) {
      for (const shard of control.localShards(cls)) {
        const ref = { class: cls.definition.class, shard };
        for (const peer of replicasOf(cls.sharding, shard)) {
          if (this.stopped) return;
          if (peer <= access.self || isDown(access.peers.state(peer))) continue;
          await this.syncPair(ref, peer).catch((e) => {
            this.opts.metrics.rounds.inc({ outcome: 'error' });
            this.opts.log.info('anti-entropy round failed', { class: ref.class, shard, peer, error: e as Error });
          });
        }
      }
    }
  }

  /** Compare one shard with one peer replica and exchange what differs. */
  async syncPair(ref: ShardRef, peer: string): Promise<PairResult> {
    const { access, config } = this.opts;
    const [mine, theirs] = await Promise.all([
      access.local.digest(ref, config.digestBits),
      access.call(peer, (ops) => ops.digest(ref, config.digestBits)),
    ]);
    const buckets = differingBuckets(mine, theirs);
    if (buckets.length === 0) {
      this.opts.metrics.rounds.inc({ outcome: 'in-sync' });
      return { inSync: true, pulled: 0, pushed: 0 };
    }
    let after: string | undefined;
    let compared = 0;
    const result: PairResult = { inSync: false, pulled: 0, pushed: 0 };
    do {
      const q = { bits: config.digestBits, buckets, after, limit: PAGE };
      const [local, remote] = await Promise.all([access.local.entries(ref, q), access.call(peer, (ops) => ops.entries(ref, q))]);
      const bound = pageBound(local, remote);
      const plan = planRepair(upTo(local.entries, bound), upTo(remote.entries, bound), Date.now(), config.antiEntropySettleMs);
      result.pulled += await this.pull(ref, peer, plan.pull);
      result.pushed += await this.push(ref, peer, plan.push);
      compared += local.entries.length + remote.entries.length;
      after = bound;
    } while (after !== undefined && compared < config.antiEntropyMaxEntries && !this.stopped);
    this.opts.metrics.rounds.inc({ outcome: 'repaired' });
    if (result.pulled + result.pushed > 0) this.opts.log.info('anti-entropy repaired replicas', { class: ref.class, shard: ref.shard, peer, buckets: buckets.length, ...result });
    return result;
  }

  private async pull(ref: ShardRef, peer: string, ids: string[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const records = (await this.opts.access.call(peer, (ops) => ops.get(ref, ids.slice(i, i + CHUNK)))).filter((r): r is ObjectRecord => r !== null);
      n += applied(await this.opts.access.local.apply(ref, records));
    }
    this.opts.metrics.repaired.inc({ direction: 'pull' }, n);
    return n;
  }

  private async push(ref: ShardRef, peer: string, ids: string[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const records = (await this.opts.access.local.get(ref, ids.slice(i, i + CHUNK))).filter((r): r is ObjectRecord => r !== null);
      n += applied(await this.opts.access.call(peer, (ops) => ops.apply(ref, records)));
    }
    this.opts.metrics.repaired.inc({ direction: 'push' }, n);
    return n;
  }
}

/** The last id both pages cover; undefined when neither page was cut short. */
function pageBound(a: EntryPage, b: EntryPage): string | undefined {
  if (a.next === undefined) return b.next;
  if (b.next === undefined) return a.next;
  return a.next < b.next ? a.next : b.next;
}

function upTo(entries: readonly RecordEntry[], bound: string | undefined): RecordEntry[] {
  return bound === undefined ? [...entries] : entries.filter((e) => e.id <= bound);
}

function applied(results: readonly ApplyResult[]): number {
  return results.reduce((n, r) => n + ('outcome' in r && r.outcome === 'applied' ? 1 : 0), 0);
}
