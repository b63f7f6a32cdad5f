// One physical shard replica on this pod: the object store, the label table and write path on
// the main thread, and the HNSW index in a worker. Lifecycle: LOADING (store usable, index being
// restored; writes are accepted and answered once durable) -> READY -> SHUTDOWN. READONLY means
// the index failed (a worker died or could not load): reads of the store still work, searches
// and writes do not.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { LiveObject, ObjectRecord } from '../objects/types.js';
import type { ApplyResult, ObjectPredicate, IndexConfig, RecordEntry, SearchHit, SearchRequest, Shard, ShardInfo, ShardStatus } from './types.js';
import { ShardIndexClient } from './index-client.js';
import type { LabelReusePolicy } from './labels.js';
import { trackShard, untrackShard, type StorageMetrics } from './metrics.js';
import { queryProblem, recordProblem } from './records.js';
import { recoverIndex, type RecoveryResult } from './recovery.js';
import { filteredStrategy, searchEf, spaceOf, type Strategy } from './search-plan.js';
import { ShardWriter } from './shard-writer.js';
import { publishSnapshot, removeStaleFiles, SNAPSHOT_TEMP, readSnapshotMeta } from './snapshot.js';
import { ShardStore, STORE_FILE } from './store.js';
import type { IndexWorkerPool } from './worker-pool.js';

export interface ShardDeps {
  pool: IndexWorkerPool;
  log: Logger;
  metrics: StorageMetrics;
  labelPolicy?: LabelReusePolicy;
  snapshotOnClose: boolean;
  /** Called once the shard is fully closed (its files may then be reopened or deleted). */
  onClosed: (shard: ShardImpl) => void;
}

export class ShardImpl implements Shard {
  readonly loaded: Promise<void>;
  private currentStatus: ShardStatus = 'LOADING';
  private progress = 0;
  private readonly store: ShardStore;
  private readonly index: ShardIndexClient;
  private readonly writer: ShardWriter;
  private readonly log: Logger;
  private closing: Promise<void> | undefined;
  private snapshotting: Promise<void> | undefined;
  /** Change sequence covered by the published snapshot (-1: none). */
  private snapshotSeq = -1;

  constructor(
    readonly className: string,
    readonly name: string,
    readonly dir: string,
    private readonly config: IndexConfig,
    private readonly deps: ShardDeps,
  ) {
    this.log = deps.log.child({ class: className, shard: name });
    this.store = ShardStore.open(dir);
    const params = { space: spaceOf(config.distance), distance: config.distance, m: config.maxConnections, efConstruction: config.efConstruction };
    this.index = new ShardIndexClient(deps.pool.assign(), `${className}/${name}/${Math.random().toString(36).slice(2)}`, params);
    try {
      this.writer = new ShardWriter(
        this.store,
        this.index,
        { indexReady: () => this.currentStatus === 'READY', indexFailed: (err) => this.indexFailed(err) },
        this.log,
        deps.labelPolicy,
        config.dimensions,
      );
    } catch (err) {
      deps.pool.release(this.index.worker);
      void this.store.close();
      throw err;
    }
    // Registered on the worker before any write can send it ops (messages to a worker keep their order).
    const registered = this.index.open(join(dir, STORE_FILE));
    trackShard(this);
    this.loaded = this.load(registered);
    this.loaded.catch(() => undefined); // callers that never await `loaded` must not see an unhandled rejection
  }

  status(): ShardStatus {
    return this.currentStatus;
  }

  info(): ShardInfo {
    const count = this.index.count;
    return {
      class: this.className,
      name: this.name,
      status: this.currentStatus,
      objectCount: this.writer.committedLiveCount,
      indexSize: count,
      indexTombstones: Math.max(0, count - this.writer.labels.bound),
      loadProgress: this.currentStatus === 'LOADING' ? this.progress : 1,
    };
  }

  objectCount(): number {
    return this.writer.committedLiveCount;
  }

  async apply(records: ObjectRecord[]): Promise<ApplyResult[]> {
    this.checkWritable();
    const started = performance.now();
    const results: ApplyResult[] = new Array(records.length);
    const accepted: ObjectRecord[] = [];
    const slots: number[] = [];
    records.forEach((record, i) => {
      const problem = recordProblem(record, this.className);
      if (problem) results[i] = { error: problem };
      else {
        accepted.push(record);
        slots.push(i);
      }
    });
    if (accepted.length > 0) (await this.writer.write(accepted)).forEach((r, j) => (results[slots[j]] = r));
    this.countOutcomes(results);
    this.deps.metrics.applyDuration.observe({ class: this.className }, (performance.now() - started) / 1000);
    return results;
  }

  get(id: string, withVector = true): ObjectRecord | undefined {
    return this.store.getRecord(id, withVector);
  }

  list(after: string | undefined, limit: number): LiveObject[] {
    return this.store.list(after, limit);
  }

  scan(filter: ObjectPredicate | undefined, limit: number): LiveObject[] {
    return this.store.scan(filter, limit);
  }

  entries(after: string | undefined, limit: number): RecordEntry[] {
    return this.store.entries(after, limit);
  }

  count(filter?: ObjectPredicate): number {
    return filter ? this.store.countMatching(filter) : this.writer.committedLiveCount;
  }

  async search(req: SearchRequest): Promise<SearchHit[]> {
    if (this.closing) throw new Error(`shard ${this.className}/${this.name} is closed`);
    if (this.currentStatus !== 'READY') throw new Error(`shard ${this.className}/${this.name} is ${this.currentStatus}${this.currentStatus === 'LOADING' ? ` (${Math.round(this.progress * 100)}% loaded)` : ''}: ask another replica or retry later`);
    const started = performance.now();
    const dims = this.writer.state.dimensions;
    if (dims === undefined || req.k <= 0) return [];
    const problem = queryProblem(req.vector, dims);
    if (problem) throw new Error(`search vector: ${problem}`);
    const ef = searchEf(req.k, req.ef, this.config);
    let strategy: Strategy = 'graph';
    let allowed: number[] | undefined;
    if (req.filter) {
      allowed = await this.store.matchingLabels(req.filter);
      if (allowed.length === 0) return [];
      strategy = filteredStrategy(allowed.length, this.writer.labels.bound, ef, this.config.flatSearchCutoff);
    }
    const reply = await this.index.search(req.vector, req.k, ef, strategy, allowed);
    const hits: SearchHit[] = [];
    for (let i = 0; i < reply.labels.length; i++) {
      // The label must still belong to the object it belonged to when the worker searched.
      const label = reply.labels[i];
      const id = this.writer.labels.boundSince(label, reply.appliedSeq) ? this.store.labels.get(label) : undefined;
      const distance = reply.distances[i];
      if (id === undefined || (req.maxDistance !== undefined && distance > req.maxDistance)) continue;
      hits.push({ id, distance });
    }
    this.deps.metrics.searches.inc({ class: this.className, strategy: reply.strategy });
    this.deps.metrics.searchDuration.observe({ class: this.className, shard: this.name }, (performance.now() - started) / 1000);
    return hits;
  }

  /** Write a snapshot if the index changed since the last one (no-op while loading or closing). */
  snapshot(): Promise<void> {
    return this.closing ? Promise.resolve() : this.queueSnapshot();
  }

  /** True once close() or drop() started. */
  isClosing(): boolean {
    return this.closing !== undefined;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown(this.deps.snapshotOnClose, false);
    return this.closing;
  }

  drop(): Promise<void> {
    this.closing ??= this.shutdown(false, true);
    return this.closing;
  }

  private async load(registered: Promise<void>): Promise<void> {
    const started = performance.now();
    try {
      await registered;
      await removeStaleFiles(this.dir, currentSnapshotFile(this.dir));
      const result = await recoverIndex({
        dir: this.dir,
        store: this.store,
        index: this.index,
        log: this.log,
        onProgress: (f) => this.reportProgress(f),
        checkOpen: () => {
          if (this.closing) throw new Error(`shard ${this.className}/${this.name} closed while loading`);
        },
      });
      this.loadedFrom(result, (performance.now() - started) / 1000);
    } catch (err) {
      if (!this.closing) {
        this.currentStatus = 'READONLY';
        this.log.error('index could not be loaded; shard is read-only', { err });
      }
      throw err;
    }
  }

  private loadedFrom(result: RecoveryResult, seconds: number): void {
    if (result.mode === 'snapshot') this.snapshotSeq = readSnapshotMetaSeq(this.dir);
    this.currentStatus = 'READY';
    this.progress = 1;
    this.deps.metrics.recoveryDuration.observe({ mode: result.mode }, seconds);
    this.deps.metrics.recoveries.inc({ mode: result.mode, reason: result.reason });
    this.log.info('shard ready', {
      mode: result.mode,
      reason: result.reason,
      seconds: round3(seconds),
      loadSeconds: round3(result.loadSeconds),
      replaySeconds: round3(result.replaySeconds),
      baseSeq: result.baseSeq,
      replayed: result.replayed,
      objects: this.objectCount(),
    });
    // A rebuilt index is worth a snapshot right away: the next restart will not rebuild again.
    if (result.mode === 'rebuild' && result.replayed > 0) this.snapshot().catch((err) => this.log.warn('snapshot after rebuild failed', { err }));
  }

  private lastLoggedProgress = 0;

  private reportProgress(fraction: number): void {
    this.progress = fraction;
    if (fraction - this.lastLoggedProgress >= 0.1 || fraction === 1) {
      this.lastLoggedProgress = fraction;
      this.log.info('index loading', { progress: Number(fraction.toFixed(2)) });
    }
  }

  /** One snapshot at a time per shard. */
  private queueSnapshot(): Promise<void> {
    if (this.currentStatus !== 'READY') return Promise.resolve();
    const run = (this.snapshotting ?? Promise.resolve()).then(() => this.writeSnapshot());
    this.snapshotting = run.catch(() => undefined);
    return run;
  }

  private async writeSnapshot(): Promise<void> {
    if (this.currentStatus !== 'READY' || this.writer.state.dimensions === undefined) return;
    if (this.index.appliedSeq === this.snapshotSeq || this.index.count === 0) return;
    const started = performance.now();
    const reply = await this.index.snapshot(join(this.dir, SNAPSHOT_TEMP));
    // Publish only what the store holds durably: a snapshot must never cover lost changes.
    await this.store.flushed();
    const { storeId } = this.store.readMeta();
    const { space, m, efConstruction } = this.index.params;
    await publishSnapshot(this.dir, { seq: reply.seq, checksum: reply.checksum, bytes: reply.bytes, storeId, space, m, efConstruction, dimensions: this.writer.state.dimensions, count: reply.count });
    this.snapshotSeq = reply.seq;
    await this.pruneChanges(reply.seq);
    const seconds = (performance.now() - started) / 1000;
    this.deps.metrics.snapshotDuration.observe(seconds);
    this.log.info('index snapshot written', { seq: reply.seq, bytes: reply.bytes, count: reply.count, seconds: round3(seconds) });
  }

  /** The change log is only needed after the latest snapshot; prune in short transactions. */
  private async pruneChanges(upTo: number): Promise<void> {
    for (;;) {
      const removed = await this.store.transact(() => {
        let n = 0;
        for (const key of this.store.changes.getKeys({ end: upTo + 1, limit: 5000 })) {
          this.store.changes.remove(key);
          n++;
        }
        return n;
      });
      if (removed < 5000) return;
    }
  }

  private checkWritable(): void {
    if (this.closing) throw new Error(`shard ${this.className}/${this.name} is closed`);
    if (this.currentStatus === 'READONLY') throw new Error(`shard ${this.className}/${this.name} is read-only: its index failed (see logs)`);
  }

  private indexFailed(err: Error): void {
    if (this.currentStatus === 'SHUTDOWN' || this.closing) return;
    this.currentStatus = 'READONLY';
    this.log.error('index failed to apply writes; shard is read-only', { err });
  }

  private countOutcomes(results: ApplyResult[]): void {
    const counts = { applied: 0, stale: 0, error: 0 };
    for (const r of results) counts['outcome' in r ? r.outcome : 'error']++;
    for (const [outcome, n] of Object.entries(counts)) if (n > 0) this.deps.metrics.applied.inc({ class: this.className, outcome }, n);
  }

  private async shutdown(snapshot: boolean, removeFiles: boolean): Promise<void> {
    await this.writer.idle();
    await this.loaded.catch(() => undefined);
    if (snapshot) await this.queueSnapshot().catch((err) => this.log.warn('snapshot at close failed', { err }));
    await this.snapshotting;
    await this.index.close().catch(() => undefined);
    this.deps.pool.release(this.index.worker);
    await this.store.close();
    // Files go before the registry forgets the shard, so that a reopen never meets half a folder.
    if (removeFiles) await rm(this.dir, { recursive: true, force: true });
    this.currentStatus = 'SHUTDOWN';
    untrackShard(this);
    this.deps.onClosed(this);
    this.log.info(removeFiles ? 'shard dropped' : 'shard closed');
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function currentSnapshotFile(dir: string): string | undefined {
  const found = readSnapshotMeta(dir);
  return 'meta' in found ? found.meta.file : undefined;
}

function readSnapshotMetaSeq(dir: string): number {
  const found = readSnapshotMeta(dir);
  return 'meta' in found ? found.meta.seq : -1;
}
