// The Kubernetes control source (SHOAL_CONTROL=kube). Schema and placement live in VectorClass
// resources; this pod watches those of its cluster and turns them into snapshots. It never
// computes placement: the operator writes status.sharding, the pod follows.
//
// How it works:
//  - One informer on the VectorClasses of SHOAL_NAMESPACE (restarted with jittered backoff on
//    any error but 410, which client-node handles by relisting). Every event schedules a
//    refresh; refreshes run one at a time and coalesce bursts (a relist is one refresh).
//  - A refresh recomputes the views of this cluster's resources (classes.ts; parsed only when a
//    resource's fingerprint changed, so status-only updates cost nothing) and publishes a new
//    snapshot when routable or pending classes changed, then runs the listeners in order.
//  - Mutations write to the API server and then wait (waiters.ts) until the watch brought the
//    change back and the listeners ran, or until the operator answered (placement, finalizer),
//    or reject with a timeout that names what they waited for (changes.ts).
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClassDefinition, PropertyDefinition } from '../../../../api/index.js';
import type { Logger } from '../../log.js';
import { unavailable } from '../../coordinator/errors.js';
import type { ClassState, ControlListener, ControlSnapshot, ControlSource } from '../types.js';
import { VectorClassApi } from './api.js';
import { BackoffPolicy } from '../../../../api/index.js';
import { ClassView, Content, VectorClassObject, clusterOf, contentOf, fingerprintOf, sameContent, shardsOnPod, viewOf } from './classes.js';
import { ChangeContext, addProperty, createClass, deleteClass, fixDimensions } from './changes.js';
import { KubeControlConfig, kubeConfigOf } from './config.js';
import { ResilientInformer } from '../../../../api/index.js';
import { Waiters } from './waiters.js';

export interface KubeControlOptions {
  log: Logger;
  /** Client configuration; default from config.kubeconfigPath, the service account or ~/.kube/config. */
  kubeConfig?: KubeConfig;
  /** Watch restarts after errors (default 500 ms doubling to 30 s, jittered). */
  informerBackoff?: BackoffPolicy;
  /** Retries of a read-modify-write after a 409 (default 20 ms doubling to 1 s, at most 10 retries). */
  conflictBackoff?: BackoffPolicy;
  maxConflictRetries?: number;
  /** start() fails when the first list has not succeeded by then (default 60 s). */
  startTimeoutMs?: number;
  random?: () => number;
}

export class KubeControl implements ControlSource {
  readonly kind = 'kube';
  private current: ControlSnapshot = { version: 0, classes: new Map(), pending: new Map() };
  private content: Content = contentOf([]);
  private readonly listeners = new Set<ControlListener>();
  private readonly views = new Map<string, { fingerprint: string; view: ClassView }>();
  private readonly informer: ResilientInformer<VectorClassObject>;
  private readonly api: VectorClassApi;
  private readonly waiters: Waiters;
  private readonly changes: ChangeContext;
  private refreshing = false;
  private dirty = false;
  private loop: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(readonly config: KubeControlConfig, private readonly opts: KubeControlOptions) {
    const kc = opts.kubeConfig ?? kubeConfigOf(config);
    this.api = new VectorClassApi(kc, config.namespace);
    this.waiters = new Waiters(() => !this.refreshing);
    this.informer = new ResilientInformer<VectorClassObject>(
      kc,
      { resource: 'vectorclasses', path: this.api.path, list: () => this.api.list() },
      { backoff: opts.informerBackoff ?? { baseMs: 500, maxMs: 30_000 }, random: opts.random, log: opts.log, onChange: () => this.scheduleRefresh() },
    );
    this.changes = {
      config, api: this.api, waiters: this.waiters, log: opts.log,
      content: () => this.content,
      cached: (name) => this.informer.get(name, config.namespace),
      retry: { backoff: opts.conflictBackoff ?? { baseMs: 20, maxMs: 1000 }, max: opts.maxConflictRetries ?? 10, random: opts.random ?? Math.random },
    };
  }

  /** Resolves once the VectorClasses were listed and the first snapshot published. */
  async start(): Promise<void> {
    const timeoutMs = this.opts.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(
        `could not list VectorClasses in namespace ${this.config.namespace} within ${timeoutMs} ms (last error: ${this.informer.lastError ?? 'none'}); ` +
          'check SHOAL_KUBECONFIG or the pod\'s service account, and that its Role allows get, list and watch on vectorclasses.shoal.dev',
      )), timeoutMs);
    });
    try {
      await Promise.race([this.informer.start().then(() => this.informer.whenSynced()), timeout]);
    } catch (e) {
      await this.informer.stop();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    this.scheduleRefresh();
    await this.loop;
    this.opts.log.info('control source synced', { cluster: this.config.cluster, namespace: this.config.namespace, classes: this.current.classes.size, pending: this.current.pending?.size ?? 0 });
  }

  snapshot(): ControlSnapshot {
    return this.current;
  }

  /** True once the first list succeeded; `watchRestarts` counts restarts after errors. */
  health(): { synced: boolean; watchRestarts: number; lastError?: string } {
    return { synced: this.informer.synced, watchRestarts: this.informer.restarts, lastError: this.informer.lastError };
  }

  localShards(cls: ClassState): string[] {
    return shardsOnPod(cls, this.config.nodeName);
  }

  createClass(definition: ClassDefinition): Promise<ClassState> {
    return createClass(this.changes, definition);
  }

  deleteClass(name: string): Promise<boolean> {
    return deleteClass(this.changes, name);
  }

  addProperty(className: string, property: PropertyDefinition): Promise<ClassState> {
    return addProperty(this.changes, className, property);
  }

  fixDimensions(className: string, dimensions: number): Promise<number> {
    return fixDimensions(this.changes, className, dimensions);
  }

  subscribe(listener: ControlListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.informer.stop();
    this.waiters.failAll(unavailable('the node is shutting down; the schema change may or may not have been made: check GET /v1/schema'));
    await this.loop;
    this.listeners.clear();
  }

  /**
   * Refresh soon. The microtask lets a synchronous burst of informer callbacks (a relist calls
   * them one by one) land in the cache first, so one refresh sees the whole list.
   */
  private scheduleRefresh(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.refreshing) return;
    this.refreshing = true;
    this.loop = Promise.resolve().then(() => this.runRefreshes());
  }

  private async runRefreshes(): Promise<void> {
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        await this.refresh();
        this.waiters.check();
      }
    } catch (e) {
      this.opts.log.error('control refresh failed', { error: e as Error });
    } finally {
      this.refreshing = false;
    }
    // An event that arrived after the loop's last check of `dirty` but before `refreshing` fell.
    if (this.dirty && !this.closed) this.scheduleRefresh();
  }

  private async refresh(): Promise<void> {
    if (!this.informer.synced) return;
    const views = this.informer
      .list(this.config.namespace)
      .filter((o) => clusterOf(o) === this.config.cluster)
      .map((o) => this.viewFor(o));
    const seen = new Set(views.map((v) => v.uid));
    for (const uid of this.views.keys()) if (!seen.has(uid)) this.views.delete(uid);
    const content = contentOf(views);
    this.content = content;
    if (sameContent(content, this.current)) return;
    const previous = this.current;
    const next: ControlSnapshot = { version: previous.version + 1, classes: content.classes, pending: content.pending };
    this.current = next;
    this.logChange(previous, next);
    await this.notify(next, previous);
  }

  private viewFor(obj: VectorClassObject): ClassView {
    const uid = obj.metadata?.uid ?? '';
    const fingerprint = fingerprintOf(obj);
    const cached = this.views.get(uid);
    if (cached && cached.fingerprint === fingerprint) return cached.view;
    const view = viewOf(obj);
    this.views.set(uid, { fingerprint, view });
    return view;
  }

  private async notify(next: ControlSnapshot, previous: ControlSnapshot): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        await listener(next, previous);
      } catch (e) {
        this.opts.log.error('control listener failed', { error: e as Error, version: next.version });
      }
    }
  }

  private logChange(previous: ControlSnapshot, next: ControlSnapshot): void {
    const names = (m?: ReadonlyMap<string, unknown>) => [...(m?.keys() ?? [])];
    const added = names(next.classes).filter((n) => previous.classes.get(n) !== next.classes.get(n));
    const removed = names(previous.classes).filter((n) => !next.classes.has(n));
    const pending = names(next.pending).filter((n) => !previous.pending?.has(n));
    this.opts.log.info('control snapshot', { version: next.version, changed: added, removed, pending });
  }
}

/** A Kubernetes control source, not started yet (call start()). */
export function createKubeControlSource(config: KubeControlConfig, opts: KubeControlOptions): KubeControl {
  return new KubeControl(config, opts);
}
