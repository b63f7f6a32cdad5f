// A keyed work queue with client-go's semantics (k8s.io/client-go/util/workqueue):
//  - a key waiting in the queue is there once, however often it is added (dedupe);
//  - a key is never handed to two workers at once; a key added while being processed is marked
//    dirty and queued again when its worker calls done();
//  - failures back off per key, exponentially (addRateLimited), until forget();
//  - addAfter(key, ms) adds later; several pending delays keep the earliest.
// Keys are `namespace/name`. No global token bucket: the operator's write rate is bounded by
// the number of resources, and informer events are already de-duplicated here.
import { Clock, realClock, TimerHandle } from '../../../api/index.js';
import { BackoffPolicy, exponentialMs } from '../../../api/index.js';

export interface WorkQueueOptions {
  clock?: Clock;
  /** Per-key failure backoff; client-go's default is 5 ms to 1000 s. */
  backoff?: BackoffPolicy;
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly backoff: BackoffPolicy;
  private readonly ready: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: TimerHandle }>();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.backoff = opts.backoff ?? { baseMs: 5, maxMs: 300_000 };
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again by done()
    this.enqueue(key);
  }

  /** The next key to process; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.ready.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** A worker finished `key`; if it was added meanwhile, it goes back into the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueue(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.clock.clearTimeout(pending.timer);
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { at, timer });
  }

  /** Retry `key` after its next backoff delay. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = exponentialMs(n, this.backoff);
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its next failure starts the backoff from the beginning. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys ready to be processed (the queue depth metric). */
  len(): number {
    return this.ready.length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) this.clock.clearTimeout(timer);
    this.delayed.clear();
    this.ready.length = 0;
    for (const g of this.getters.splice(0)) g(undefined);
  }

  private enqueue(key: string): void {
    const getter = this.getters.shift();
    if (getter) getter(this.take(key));
    else this.ready.push(key);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
