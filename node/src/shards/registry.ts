// The shards of this pod: where they live on disk (<dataDir>/shards/<class>/<shard>/), which are
// open, the worker pool that holds their indexes, and the periodic snapshot timer.
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { logger, type Logger } from '../log.js';
import type { IndexConfig, Shard, ShardRegistry } from './types.js';
import type { LabelReusePolicy } from './labels.js';
import { storageMetrics } from './metrics.js';
import { ShardImpl } from './shard.js';
import { IndexWorkerPool } from './worker-pool.js';

export interface ShardRegistryOptions {
  dataDir: string;
  /** Index worker threads; default: the number of CPUs. */
  workers?: number;
  /** How often each shard snapshots its index if it changed; default 60 s; 0 disables periodic snapshots (close still snapshots). */
  snapshotIntervalMs?: number;
  log?: Logger;
  /** When freed labels are reused (tests lower it to exercise reuse). */
  labelReuse?: LabelReusePolicy;
  /** Snapshot each index on close (default true); tests turn it off to exercise replay. */
  snapshotOnClose?: boolean;
}

const DEFAULT_SNAPSHOT_INTERVAL_MS = 60_000;
/** Class and shard names become folder names: keep them to one safe path segment. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;

export function createShardRegistry(opts: ShardRegistryOptions): ShardRegistry {
  return new LocalShardRegistry(opts);
}

class LocalShardRegistry implements ShardRegistry {
  private readonly shards = new Map<string, ShardImpl>();
  private readonly pool: IndexWorkerPool;
  private readonly log: Logger;
  private readonly metrics = storageMetrics();
  private readonly root: string;
  private timer: NodeJS.Timeout | undefined;
  private snapshotRound: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: ShardRegistryOptions) {
    this.log = opts.log ?? logger('shards');
    this.root = join(opts.dataDir, 'shards');
    mkdirSync(this.root, { recursive: true });
    this.pool = new IndexWorkerPool(opts.workers, this.log);
    const interval = opts.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS;
    if (interval > 0) {
      this.timer = setInterval(() => this.snapshotAll(), interval);
      this.timer.unref();
    }
  }

  open(className: string, shardName: string, config: IndexConfig): Shard {
    if (this.closed) throw new Error('shard registry is closed');
    checkName('class', className);
    checkName('shard', shardName);
    const key = keyOf(className, shardName);
    const existing = this.shards.get(key);
    if (existing && !existing.isClosing()) return existing;
    if (existing) throw new Error(`shard ${className}/${shardName} is closing; open it again once close() or drop() has resolved`);
    const dir = join(this.root, className, shardName);
    mkdirSync(dir, { recursive: true });
    const shard = new ShardImpl(className, shardName, dir, config, {
      pool: this.pool,
      log: this.log,
      metrics: this.metrics,
      labelPolicy: this.opts.labelReuse,
      snapshotOnClose: this.opts.snapshotOnClose ?? true,
      // A shard closed directly (not through the registry) leaves the registry too.
      onClosed: (closed) => this.shards.get(key) === closed && this.shards.delete(key),
    });
    this.shards.set(key, shard);
    return shard;
  }

  get(className: string, shardName: string): Shard | undefined {
    return this.shards.get(keyOf(className, shardName));
  }

  all(): Shard[] {
    return [...this.shards.values()];
  }

  async drop(className: string, shardName: string): Promise<void> {
    checkName('class', className);
    checkName('shard', shardName);
    const shard = this.shards.get(keyOf(className, shardName));
    if (shard) await shard.drop();
    else await rm(join(this.root, className, shardName), { recursive: true, force: true });
    removeIfEmpty(join(this.root, className));
  }

  async dropClass(className: string): Promise<void> {
    checkName('class', className);
    const names = new Set([...this.shards.values()].filter((s) => s.className === className).map((s) => s.name));
    for (const { className: c, shardName } of this.onDisk()) if (c === className) names.add(shardName);
    for (const name of names) await this.drop(className, name);
  }

  onDisk(): Array<{ className: string; shardName: string }> {
    const out: Array<{ className: string; shardName: string }> = [];
    for (const className of subdirs(this.root)) {
      for (const shardName of subdirs(join(this.root, className))) out.push({ className, shardName });
    }
    return out;
  }

  allReady(): boolean {
    return [...this.shards.values()].every((s) => s.status() === 'READY');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.snapshotRound;
    await Promise.all([...this.shards.values()].map((s) => s.close()));
    this.shards.clear();
    await this.pool.close();
  }

  /** One shard at a time, so that snapshot writes do not compete with each other for the disk. */
  private snapshotAll(): void {
    if (this.snapshotRound) return;
    this.snapshotRound = (async () => {
      for (const shard of [...this.shards.values()]) {
        await shard.snapshot().catch((err) => this.log.warn('periodic snapshot failed', { class: shard.className, shard: shard.name, err }));
      }
    })().finally(() => (this.snapshotRound = undefined));
  }
}

function keyOf(className: string, shardName: string): string {
  return `${className}\u0000${shardName}`;
}

function checkName(kind: string, name: string): void {
  if (!SAFE_NAME.test(name)) throw new Error(`invalid ${kind} name ${JSON.stringify(name)}: expected letters, digits, '_', '-', '.' (not first), at most 200 characters`);
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => SAFE_NAME.test(name) && statSync(join(dir, name)).isDirectory()).sort();
  } catch {
    return [];
  }
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty or already gone
  }
}
