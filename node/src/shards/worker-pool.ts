// A fixed pool of index worker threads. An hnswlib index cannot move between threads, so each
// shard is assigned to one worker for its whole life (the one holding the fewest shards when it
// opens); a worker holds any number of shards.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Logger } from '../log.js';
import type { IndexReply, IndexRequest } from './index-protocol.js';

const WORKER_URL = new URL('./index-worker.js', import.meta.url);

export class IndexWorker {
  shardCount = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private readonly thread: Worker;

  constructor(readonly name: string, private readonly log: Logger) {
    this.thread = new Worker(WORKER_URL, { name });
    this.thread.on('message', (msg: IndexReply) => this.settle(msg));
    this.thread.on('error', (err) => this.fail(err));
    this.thread.on('exit', (code) => this.fail(new Error(`index worker ${name} exited with code ${code}`)));
  }

  call<T>(req: IndexRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.thread.postMessage({ id, req }, transfer);
    });
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
