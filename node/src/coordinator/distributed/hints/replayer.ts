// Delivering hints: when gossip says a pod is alive again (and every replay interval, in case an
// event was missed or a delivery failed), send it its hinted batches, oldest first, and delete
// each once the pod acknowledged it. A failed delivery stops that pod's replay until the next
// trigger. Batches older than the hint window are dropped instead: anti-entropy is what brings a
// replica that was gone that long up to date. One replay per target at a time.
import type { Logger } from '../../../log.js';
import { failureReason } from '../../../rpc/errors.js';
import type { ReplicaAccess } from '../access.js';
import { hintSources, type DistributedMetrics } from '../metrics.js';
import type { MemberLike, MembershipLike } from '../peers.js';
import { isDown } from '../replicas.js';
import type { HintStore } from './store.js';

export interface HintReplayerOptions {
  store: HintStore;
  access: ReplicaAccess;
  membership: MembershipLike;
  log: Logger;
  metrics: DistributedMetrics;
  windowMs: number;
  intervalMs: number;
}

const BATCHES_PER_READ = 32;

export class HintReplayer {
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly onAlive = (m: MemberLike) => void this.replay(m.name);

  constructor(private readonly opts: HintReplayerOptions) {}

  start(): void {
    this.opts.membership.on('alive', this.onAlive);
    this.opts.membership.on('join', this.onAlive);
    this.timer = setInterval(() => void this.replayAll(), this.opts.intervalMs);
    this.timer.unref();
    hintSources.add(this.opts.store);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.opts.membership.off?.('alive', this.onAlive);
    this.opts.membership.off?.('join', this.onAlive);
    await Promise.all(this.running.values());
    hintSources.delete(this.opts.store);
  }

  /** Replay to every target with hints that gossip does not consider down. */
  async replayAll(): Promise<void> {
    await Promise.all(this.opts.store.targets().map((t) => this.replay(t)));
  }

  /** Deliver a target's hints; resolves when done or stopped by a failure. */
  replay(target: string): Promise<void> {
    const current = this.running.get(target);
    if (current) return current;
    if (this.stopped || this.opts.store.pending(target) === 0) return Promise.resolve();
    const run = this.deliver(target).finally(() => this.running.delete(target));
    this.running.set(target, run);
    return run;
  }

  private async deliver(target: string): Promise<void> {
    const { store, access, metrics, log } = this.opts;
    await this.expire(target);
    if (isDown(access.peers.state(target))) return;
    let delivered = 0;
    while (!this.stopped) {
      const batches = store.oldest(target, BATCHES_PER_READ);
      if (batches.length === 0) break;
      for (const b of batches) {
        try {
          // Per-record errors (a record the replica refuses) would fail the same way forever: drop them too.
          await access.call(target, (ops) => ops.apply(b.ref, b.records));
        } catch (e) {
          log.info('hint replay paused', { target, reason: failureReason(e), error: e as Error, pending: store.pending(target) });
          return;
        }
        await store.remove(b.key);
        metrics.hints.inc({ event: 'replayed' }, b.records.length);
        delivered += b.records.length;
      }
    }
    if (delivered > 0) log.info('hints replayed', { target, records: delivered });
  }

  private async expire(target: string): Promise<void> {
    const keys = this.opts.store.createdBy(target, Date.now() - this.opts.windowMs);
    let n = 0;
    for (const key of keys) {
      await this.opts.store.remove(key);
      n += key[2];
    }
    if (n > 0) {
      this.opts.metrics.hints.inc({ event: 'expired' }, n);
      this.opts.log.warn('hints expired; anti-entropy will repair the replica', { target, records: n, windowMs: this.opts.windowMs });
    }
  }
}
