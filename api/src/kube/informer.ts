// A client-node informer (makeInformer: list, then watch from the list's resourceVersion) that
// survives errors. client-node 1.4 handles 410 Gone itself (relist) and reconnects when a watch
// ends cleanly, but on any other error (HTTP 500, refused connection, a failed list) it emits
// `error` and stops for good. This wrapper restarts it after a jittered exponential backoff,
// resets the backoff once the informer works again, and reports `synced` after the first list.
// The operator, the pods' control source and local mode's pod runner all watch through it.
import { KubeConfig, KubernetesObject, KubernetesListObject, makeInformer, Informer, ObjectCache } from '@kubernetes/client-node';
import { Clock, realClock, TimerHandle } from './clock.js';
import { BackoffPolicy, jitteredMs } from './backoff.js';
import { messageOf } from './errors.js';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerSpec<T extends KubernetesObject> {
  /** Name in logs and metrics (e.g. vectorclusters). */
  resource: string;
  /** Collection path, e.g. /apis/shoal.dev/v1alpha1/vectorclusters. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
}

export interface InformerOptions {
  log: { warn(msg: string, fields?: Record<string, unknown>): void };
  clock?: Clock;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** After every add, update or delete, and after every successful (re)list: level-triggered owners recompute from the cache. */
  onChange?: () => void;
  /** After each error that schedules a restart (metrics). */
  onRestart?: (resource: string) => void;
}

export class ResilientInformer<T extends KubernetesObject> {
  private readonly inner: Informer<T> & ObjectCache<T>;
  private readonly clock: Clock;
  private readonly backoff: BackoffPolicy;
  private stopped = true;
  private attempt = 0;
  private errors = 0;
  private restartTimer?: TimerHandle;
  private syncedFlag = false;
  private readonly syncWaiters: Array<() => void> = [];
  /** Restarts after an error, for tests and health reports. */
  restarts = 0;
  lastError?: string;

  constructor(kc: KubeConfig, readonly spec: InformerSpec<T>, private readonly opts: InformerOptions) {
    this.clock = opts.clock ?? realClock;
    this.backoff = opts.backoff ?? { baseMs: 500, maxMs: 30_000 };
    // Lists are turned into plain JSON so cached objects look alike whether they came from a
    // list (typed, with Dates) or from a watch event (plain).
    const list = async () => JSON.parse(JSON.stringify(await spec.list())) as KubernetesListObject<T>;
    this.inner = makeInformer(kc, spec.path, list, spec.labelSelector);
    this.inner.on('error', (err) => this.onError(err));
    for (const verb of ['add', 'update', 'delete'] as const)
      this.inner.on(verb, () => {
        this.attempt = 0;
        opts.onChange?.();
      });
  }

  on(event: InformerEvent, cb: (obj: T) => void): void {
    this.inner.on(event, cb);
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
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
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
    this.opts.onChange?.();
  }

  private onError(err: unknown): void {
    this.errors++;
    if (this.stopped) return; // stop() aborts the watch, which reports an AbortError: expected.
    if (this.restartTimer !== undefined) return;
    this.lastError = messageOf(err);
    const delayMs = jitteredMs(this.attempt++, this.backoff, this.opts.random);
    this.opts.log.warn('watch failed; restarting', { resource: this.spec.resource, error: this.lastError, delayMs: Math.round(delayMs) });
    this.opts.onRestart?.(this.spec.resource);
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.restarts++;
      this.run().catch((e) => this.onError(e));
    }, delayMs);
  }
}
