// The write path of one shard: a queue drained by one loop, so that writes from many concurrent
// apply() calls share a transaction (group commit), commit in order, and reach the index worker
// in change-sequence order. The next transaction commits while the previous one is being
// flushed (lmdb-js overlappingSync); a caller is answered once its transaction is on disk and,
// when the shard is ready, applied to the index (so a search issued afterwards sees it).
import type { ObjectRecord } from '../objects/types.js';
import type { Logger } from '../log.js';
import type { ApplyResult } from './types.js';
import type { ShardIndexClient } from './index-client.js';
import { LabelTable, type LabelReusePolicy } from './labels.js';
import type { ShardStore } from './store.js';
import { writeBatch, type WriteState } from './write-batch.js';

/**
 * Records per transaction: enough to amortise a commit, few enough that the transaction callback
 * (5-10 us per record, on the main thread) stays within a few milliseconds.
 */
const MAX_BATCH_RECORDS = 500;

interface Pending {
  records: ObjectRecord[];
  resolve: (results: ApplyResult[]) => void;
  reject: (err: Error) => void;
}

export interface WriterHooks {
  /** True when live ops are applied as they arrive (false while the index is loading). */
  indexReady: () => boolean;
  /** The index could not apply committed writes: the shard can no longer answer searches. */
  indexFailed: (err: Error) => void;
}

export class ShardWriter {
  labels!: LabelTable;
  state!: WriteState;
  /** Live objects as of the last commit (state.liveCount may run ahead inside a transaction). */
  committedLiveCount = 0;
  private readonly queue: Pending[] = [];
  private running: Promise<void> | undefined;
  /** Committed batches whose callers are not answered yet (waiting for flush and index). */
  private readonly answering = new Set<Promise<void>>();

  constructor(
    private readonly store: ShardStore,
    private readonly index: ShardIndexClient,
    private readonly hooks: WriterHooks,
    private readonly log: Logger,
    private readonly labelPolicy: LabelReusePolicy | undefined,
    private readonly configDimensions: number | undefined,
  ) {
    this.reload();
  }

  /** (Re)read labels and counters from the store: at open, and after a failed transaction. */
  reload(): void {
    const meta = this.store.readMeta();
    this.labels = LabelTable.restore(meta.nextLabel, this.store.freeLabels(), this.labelPolicy);
    this.state = { lastSeq: meta.lastSeq, liveCount: meta.liveCount, dimensions: meta.dimensions ?? this.configDimensions };
    this.committedLiveCount = meta.liveCount;
  }

  write(records: ObjectRecord[]): Promise<ApplyResult[]> {
    const parts: Array<Promise<ApplyResult[]>> = [];
    for (let i = 0; i < records.length; i += MAX_BATCH_RECORDS) {
      const slice = records.slice(i, i + MAX_BATCH_RECORDS);
      parts.push(new Promise((resolve, reject) => this.queue.push({ records: slice, resolve, reject })));
    }
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return Promise.all(parts).then((p) => p.flat());
  }

  /** Resolves when every write queued so far has been committed and answered. */
  async idle(): Promise<void> {
    while (this.running || this.answering.size > 0) {
      if (this.running) await this.running;
      await Promise.all(this.answering);
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      const records = batch.flatMap((p) => p.records);
      let outcome;
      try {
        outcome = await this.store.transact(() => writeBatch(this.store, this.labels, this.state, records));
      } catch (err) {
        this.log.error('write transaction failed; reloading labels and counters from the store', { err });
        this.reload();
        for (const p of batch) p.reject(new Error(`write transaction failed: ${(err as Error).message}`));
        continue;
      }
      this.committedLiveCount = this.state.liveCount;
      this.answerWhenDone(batch, outcome.results, this.dispatch(outcome.ops));
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let n = 0;
    while (this.queue.length > 0 && (n === 0 || n + this.queue[0].records.length <= MAX_BATCH_RECORDS)) {
      const p = this.queue.shift() as Pending;
      n += p.records.length;
      batch.push(p);
    }
    return batch;
  }

  /** Send committed ops to the worker; the promise settles when the caller may be answered. */
  private dispatch(ops: Parameters<ShardIndexClient['applyOps']>[0]): Promise<string | undefined> {
    if (ops.length === 0 || this.state.dimensions === undefined) return Promise.resolve(undefined);
    const applied = this.index.applyOps(ops, this.state.dimensions).then(
      () => undefined,
      (err: Error) => {
        this.hooks.indexFailed(err);
        return `stored but not indexed: ${err.message}`;
      },
    );
    // While loading, the worker holds live ops until the index is back: durable is enough then,
    // and the writes become searchable together with the rest of the shard.
    return this.hooks.indexReady() ? applied : Promise.resolve(undefined);
  }

  private answerWhenDone(batch: Pending[], results: ApplyResult[], indexed: Promise<string | undefined>): void {
    const answered: Promise<void> = Promise.all([this.store.flushed(), indexed]).then(
      ([, indexError]) => {
        let offset = 0;
        for (const p of batch) {
          const mine = results.slice(offset, (offset += p.records.length));
          p.resolve(indexError ? mine.map((r) => ('outcome' in r && r.outcome === 'applied' ? { error: indexError } : r)) : mine);
        }
      },
      (err: Error) => {
        for (const p of batch) p.reject(new Error(`flush to disk failed: ${err.message}`));
      },
    );
    this.answering.add(answered);
    void answered.finally(() => this.answering.delete(answered));
  }
}
