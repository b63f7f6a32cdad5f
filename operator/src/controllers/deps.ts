// What the reconcilers get from the outside world. Reads come from informer caches (level
// triggered: every reconcile looks at the whole current state); writes go through the client.
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { KubeClient } from '../kube/client.js';
import { EventRecorder } from '../kube/events.js';
import { Clock } from '../../../api/index.js';
import { Logger } from '../log.js';
import { VectorClusterObject, VectorClassObject } from '../resources.js';

export interface Cache<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): ReadonlyArray<T>;
}

export interface Caches {
  clusters: Cache<VectorClusterObject>;
  classes: Cache<VectorClassObject>;
  statefulSets: Cache<V1StatefulSet>;
  pods: Cache<V1Pod>;
}

/** Whether the Prometheus Operator's ServiceMonitor kind is served (cached discovery). */
export interface KindProbe {
  serviceMonitorsAvailable(): Promise<boolean>;
  /** How long an answer is remembered: when to look again for a CRD installed later. */
  readonly ttlMs: number;
}

export interface Deps {
  client: KubeClient;
  caches: Caches;
  events: EventRecorder;
  kinds: KindProbe;
  log: Logger;
  clock: Clock;
  /** Randomness of placement (shard names, shuffles, round-robin start). */
  random: () => number;
  /** Reconcile every resource again after this long even without events (drift repair). */
  resyncMs: number;
}
