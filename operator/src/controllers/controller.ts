// Workers draining one work queue into one reconcile function. Per key: never two workers at
// once (the queue guarantees it); success forgets the key's backoff and honours requeueAfter;
// failure retries with per-key exponential backoff. Conflicts (409) are expected with
// optimistic concurrency and are retried quietly.
import { WorkQueue } from '../runtime/queue.js';
import { Outcome } from '../runtime/steps.js';
import { OperatorMetrics } from '../metrics.js';
import { Logger } from '../log.js';
import { isConflict, messageOf } from '../../../api/index.js';

export interface ReconcileHooks {
  /** Called as a reconcile starts and ends (tests check mutual exclusion with these). */
  onReconcileStart?(controller: string, key: string): void;
  onReconcileEnd?(controller: string, key: string, error?: unknown): void;
}

export interface ControllerOptions {
  name: string;
  workers: number;
  queue: WorkQueue;
  reconcile(key: string): Promise<Outcome>;
  metrics: OperatorMetrics;
  log: Logger;
  hooks?: ReconcileHooks;
}

export class Controller {
  private running: Promise<void>[] = [];

  constructor(private readonly o: ControllerOptions) {}

  get queue(): WorkQueue {
    return this.o.queue;
  }

  start(): void {
    for (let i = 0; i < this.o.workers; i++) this.running.push(this.worker());
  }

  /** Stop taking keys and wait for reconciles in flight. */
  async stop(): Promise<void> {
    this.o.queue.shutDown();
    await Promise.all(this.running);
    this.running = [];
  }

  private async worker(): Promise<void> {
    const { queue, name, metrics } = this.o;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      metrics.queueDepth.set({ controller: name }, queue.len());
      const endTimer = metrics.duration.startTimer({ controller: name });
      this.o.hooks?.onReconcileStart?.(name, key);
      let failure: unknown;
      try {
        const out = await this.o.reconcile(key);
        queue.forget(key);
        if (out.requeueAfterMs !== undefined) queue.addAfter(key, out.requeueAfterMs);
        metrics.reconciles.inc({ controller: name, result: out.endedAt ? 'stopped' : 'done' });
        this.o.log.debug('reconciled', { controller: name, key, endedAt: out.endedAt, reason: out.reason });
      } catch (e) {
        failure = e;
        this.onFailure(key, e);
      } finally {
        endTimer();
        this.o.hooks?.onReconcileEnd?.(name, key, failure);
        queue.done(key);
        metrics.queueDepth.set({ controller: name }, queue.len());
      }
    }
  }

  private onFailure(key: string, e: unknown): void {
    const { queue, name, metrics, log } = this.o;
    const delayMs = queue.addRateLimited(key);
    const conflict = isConflict(e);
    metrics.errors.inc({ controller: name });
    metrics.reconciles.inc({ controller: name, result: conflict ? 'conflict' : 'error' });
    const fields = { controller: name, key, retryInMs: delayMs, attempt: queue.numRequeues(key), error: messageOf(e) };
    if (conflict) log.debug('conflict; retrying with a fresh read', fields);
    else log.warn('reconcile failed; retrying', fields);
  }
}
