// A fixed pool of index worker threads. An hnswlib index cannot move between threads, so each
// shard is assigned to one worker for its whole life (the one holding the fewest shards when it
// opens); a worker holds any number of shards.
//
// Every request is one message each way. Searches also raise a counter in a control block shared
// with the worker, so that it stops a write slice for them (index-worker.ts). Sending searches in
// batches was measured and dropped: at concurrency 8 it saved ~10% of CPU per query but formed
// convoys (a batch of 6-8 searches answered together, then the worker idle while the main thread
// answered them), and throughput fell by 10-20%.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Logger } from '../log.js';
import { CONTROL_PENDING_SEARCHES, CONTROL_SLOTS, type IndexReply, type IndexRequest, type IndexWorkerData } from './index-protocol.js';

const WORKER_URL = new URL('./index-worker.js', import.meta.url);

export interface IndexWorkerOptions {
  /** Longest write slice of the worker in milliseconds (default: the worker's own). */
  sliceMs?: number;
}

export class IndexWorker {
  shardCount = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private readonly thread: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));

  constructor(readonly name: string, private readonly log: Logger, opts: IndexWorkerOptions = {}) {
    const workerData: IndexWorkerData = { control: this.control.buffer as SharedArrayBuffer, sliceMs: opts.sliceMs };
    this.thread = new Worker(WORKER_URL, { name, workerData });
    this.thread.on('message', (msg: IndexReply) => this.settle(msg));
    this.thread.on('error', (err) => this.fail(err));
    this.thread.on('exit', (code) => this.fail(new Error(`index worker ${name} exited with code ${code}`)));
  }

  call<T>(req: IndexRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const search = req.t === 'search';
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // Raised before posting: the worker may see it a moment before the message, never after.
      if (search) Atomics.add(this.control, CONTROL_PENDING_SEARCHES, 1);
      try {
        this.thread.postMessage({ id, req }, transfer);
      } catch (err) {
        // Not cloneable (a bug) or the thread is gone: fail this request, not the process.
        if (search) Atomics.sub(this.control, CONTROL_PENDING_SEARCHES, 1);
        this.settle({ id, ok: false, error: (err as Error).message });
      }
    });
  }

  /** Searches sent and not yet taken by the worker (0 when idle; tests check the accounting). */
  pendingSearches(): number {
    return Atomics.load(this.control, CONTROL_PENDING_SEARCHES);
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error(`index worker ${this.name} terminated`);
    await this.thread.terminate();
  }

  private settle(msg: IndexReply): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new Error(msg.error));
  }

  private fail(err: Error): void {
    if (!this.failure) this.log.error('index worker failed', { worker: this.name, err });
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}

export class IndexWorkerPool {
  private readonly workers: IndexWorker[] = [];
  readonly size: number;

  constructor(size: number | undefined, private readonly log: Logger) {
    this.size = Math.max(1, size ?? availableParallelism());
  }

  /** The worker for a new shard: a new thread while the pool is not full, else the least loaded. */
  assign(): IndexWorker {
    let worker = this.workers.find((w) => w.shardCount === 0);
    if (!worker && this.workers.length < this.size) {
      worker = new IndexWorker(`shoal-index-${this.workers.length}`, this.log);
      this.workers.push(worker);
    }
    worker ??= this.workers.reduce((a, b) => (b.shardCount < a.shardCount ? b : a));
    worker.shardCount++;
    return worker;
  }

  release(worker: IndexWorker): void {
    worker.shardCount--;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
