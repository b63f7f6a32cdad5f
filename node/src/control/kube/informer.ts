// A client-node 1.4 informer (list, then watch from the list's resourceVersion) that survives
// errors. client-node relists by itself after 410 Gone and re-watches after a watch that ends
// cleanly, but on any other error (HTTP 500, a refused connection, a failed list) it emits
// `error` and stops for good. This wrapper restarts it after a jittered exponential backoff
// (reset once it works again) and calls `onChange` after every add, update or delete, so the
// owner can recompute its view from the cache (level-triggered: which event it was is not passed).
import { KubeConfig, KubernetesObject, KubernetesListObject, makeInformer, Informer, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import { BackoffPolicy, jitteredMs } from './backoff.js';
import { messageOf } from './http-errors.js';

export interface WatchedCollection<T extends KubernetesObject> {
  /** Name in logs, e.g. vectorclasses. */
  resource: string;
  /** Collection path, e.g. /apis/shoal.dev/v1alpha1/namespaces/default/vectorclasses. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
}

export interface ResilientInformerOptions {
  backoff: BackoffPolicy;
  random?: () => number;
  log: Logger;
  onChange: () => void;
}

export class ResilientInformer<T extends KubernetesObject> {
  private readonly inner: Informer<T> & ObjectCache<T>;
  private stopped = true;
  private attempt = 0;
  private errors = 0;
  private restartTimer?: NodeJS.Timeout;
  private syncedFlag = false;
  private readonly syncWaiters: Array<() => void> = [];
  /** Restarts after an error, for tests and logs. */
  restarts = 0;
  lastError?: string;

  constructor(kc: KubeConfig, readonly collection: WatchedCollection<T>, private readonly opts: ResilientInformerOptions) {
    // Listed objects are typed (timestamps as Dates), watched ones plain JSON: make both plain.
    const list = async () => JSON.parse(JSON.stringify(await collection.list())) as KubernetesListObject<T>;
    this.inner = makeInformer(kc, collection.path, list);
    this.inner.on('error', (err) => this.onError(err));
    for (const verb of ['add', 'update', 'delete'] as const)
      this.inner.on(verb, () => {
        this.attempt = 0;
        opts.onChange();
      });
  }

  get(name: string, namespace?: string): T | undefined {
    return this.inner.get(name, namespace);
  }

  list(namespace?: string): ReadonlyArray<T> {
    return this.inner.list(namespace);
  }

  /** True once a list has succeeded: the cache holds the whole collection. */
  get synced(): boolean {
    return this.syncedFlag;
  }

  whenSynced(): Promise<void> {
    if (this.syncedFlag) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Start; the first attempt's failure only schedules a restart (see whenSynced). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.inner.stop();
  }

  private async run(): Promise<void> {
    const before = this.errors;
    await this.inner.start();
    // start() returns once the watch is open, so no error meanwhile means the list worked.
    if (this.errors !== before || this.stopped) return;
    this.attempt = 0;
    if (!this.syncedFlag) {
      this.syncedFlag = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    // An empty collection emits no event: tell the owner the (re)list is done anyway.
    this.opts.onChange();
  }

  private onError(err: unknown): void {
    this.errors++;
    if (this.stopped) return; // stop() aborts the watch, which reports an AbortError: expected.
    if (this.restartTimer !== undefined) return;
    this.lastError = messageOf(err);
    const delayMs = jitteredMs(this.attempt++, this.opts.backoff, this.opts.random);
    this.opts.log.warn('watch failed; restarting', { resource: this.collection.resource, error: this.lastError, delayMs: Math.round(delayMs) });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.restarts++;
      this.run().catch((e) => this.onError(e));
    }, delayMs);
  }
}
