// Kubernetes Events on Shoal's resources (kubectl describe shows them). Like client-go's
// correlator, a repeated event (same object, type, reason and message) does not create a new
// Event: within `aggregateMs` it is counted locally and the existing Event's count and
// lastTimestamp are patched at most every `patchIntervalMs`. Recording never fails a reconcile.
import { CoreV1Api, CoreV1Event, KubeConfig, KubernetesObject, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Clock, realClock } from '../../../api/index.js';
import { Logger } from '../log.js';
import { messageOf } from '../../../api/index.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(obj: KubernetesObject, type: EventType, reason: string, message: string): void;
  /** Wait for pending writes (tests, shutdown). */
  flush(): Promise<void>;
}

interface Seen {
  eventName: string;
  count: number;
  firstMs: number;
  patchedMs: number;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly api: CoreV1Api;
  private readonly seen = new Map<string, Seen>();
  private pending = new Set<Promise<void>>();

  constructor(
    kc: KubeConfig,
    private readonly component: string,
    private readonly instance: string,
    private readonly log: Logger,
    private readonly clock: Clock = realClock,
    private readonly aggregateMs = 10 * 60_000,
    private readonly patchIntervalMs = 60_000,
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  record(obj: KubernetesObject, type: EventType, reason: string, message: string): void {
    const meta = obj.metadata ?? {};
    const key = [meta.uid ?? `${meta.namespace}/${meta.name}`, type, reason, message].join('\u0000');
    const nowMs = this.clock.now();
    const seen = this.seen.get(key);
    if (seen && nowMs - seen.firstMs < this.aggregateMs) {
      seen.count++;
      if (nowMs - seen.patchedMs < this.patchIntervalMs) return;
      seen.patchedMs = nowMs;
      return this.track(this.patchCount(meta.namespace ?? 'default', seen, nowMs));
    }
    const eventName = `${meta.name}.${nowMs.toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
    this.seen.set(key, { eventName, count: 1, firstMs: nowMs, patchedMs: nowMs });
    if (this.seen.size > 5000) this.prune(nowMs);
    this.track(this.create(obj, eventName, type, reason, message, nowMs));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async create(obj: KubernetesObject, name: string, type: EventType, reason: string, message: string, nowMs: number): Promise<void> {
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const body: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: meta.name, namespace, uid: meta.uid, resourceVersion: meta.resourceVersion },
      type,
      reason,
      message,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.instance,
      firstTimestamp: new Date(nowMs),
      lastTimestamp: new Date(nowMs),
      count: 1,
    };
    try {
      await this.api.createNamespacedEvent({ namespace, body });
    } catch (e) {
      this.log.warn('could not record event', { reason, object: `${namespace}/${meta.name}`, error: messageOf(e) });
    }
  }

  private async patchCount(namespace: string, seen: Seen, nowMs: number): Promise<void> {
    const body = { count: seen.count, lastTimestamp: new Date(nowMs).toISOString() };
    try {
      await this.api.patchNamespacedEvent({ name: seen.eventName, namespace, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    } catch (e) {
      this.log.debug('could not update event count', { event: seen.eventName, error: messageOf(e) });
    }
  }

  private prune(nowMs: number): void {
    for (const [k, s] of this.seen) if (nowMs - s.firstMs >= this.aggregateMs) this.seen.delete(k);
  }
}
