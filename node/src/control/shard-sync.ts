// Keeps the shards open on this node equal to what the control source says this node holds:
// opens the ones it should hold, drops the ones of deleted classes. The same code serves the
// standalone and the Kubernetes sources; only `localShards` differs between them.
import type { ShardRegistry } from '../shards/types.js';
import type { Logger } from '../log.js';
import type { ControlSnapshot, ControlSource } from './types.js';
import { indexConfigOf } from './index-config.js';

const key = (className: string, shardName: string) => `${className}\u0000${shardName}`;

export class ShardSync {
  constructor(
    private readonly control: ControlSource,
    private readonly registry: ShardRegistry,
    private readonly log: Logger,
  ) {}

  /**
   * Open every local shard of the current snapshot and follow later changes. With
   * `dropOrphans`, shards found on disk that belong to no class are deleted (a class deleted
   * just before a crash); pass false when the schema itself may be missing.
   */
  async start(dropOrphans: boolean): Promise<void> {
    // At start shards load in the background (the node reports not ready meanwhile); after a
    // change, the change resolves once its new shards are loaded, so a class is usable as soon
    // as POST /v1/schema answers.
    let applied = this.control.snapshot();
    await this.apply(applied, dropOrphans);
    // A change that landed while the first apply ran has no listener yet: catch up until the
    // snapshot holds still, then subscribe in the same tick (no change can slip in between).
    for (let now = this.control.snapshot(); now.version !== applied.version; now = this.control.snapshot()) {
      applied = now;
      await this.apply(now, false, true);
    }
    this.control.subscribe((next) => this.apply(next, false, true));
  }

  /** Shards this node should hold in a snapshot, keyed by class and shard name. */
  private wanted(snap: ControlSnapshot): Map<string, { className: string; shardName: string }> {
    const out = new Map<string, { className: string; shardName: string }>();
    for (const cls of snap.classes.values())
      for (const shardName of this.control.localShards(cls)) out.set(key(cls.definition.class, shardName), { className: cls.definition.class, shardName });
    return out;
  }

  private async apply(snap: ControlSnapshot, dropOrphans: boolean, awaitLoaded = false): Promise<void> {
    const wanted = this.wanted(snap);
    const opened: Array<Promise<void>> = [];
    for (const { className, shardName } of wanted.values()) {
      const cls = snap.classes.get(className)!;
      if (!this.registry.get(className, shardName)) {
        const shard = this.registry.open(className, shardName, indexConfigOf(cls.definition));
        this.log.info('shard opened', { class: className, shard: shardName });
        opened.push(shard.loaded.catch((e) => this.log.error('shard failed to load', { class: className, shard: shardName, error: e as Error })));
      }
    }
    if (awaitLoaded) await Promise.all(opened);
    const present = this.registry.all().map((s) => ({ className: s.className, shardName: s.name }));
    if (dropOrphans) present.push(...this.registry.onDisk());
    const dropped = new Set<string>();
    for (const s of present) {
      const k = key(s.className, s.shardName);
      if (wanted.has(k) || dropped.has(k)) continue;
      dropped.add(k);
      await this.registry.drop(s.className, s.shardName).catch((e) => this.log.error('shard drop failed', { class: s.className, shard: s.shardName, error: e as Error }));
      this.log.info('shard dropped', { class: s.className, shard: s.shardName });
    }
  }
}
