// The operator's Prometheus metrics, in a registry of its own (several operators can live in
// one test process; nothing leaks into prom-client's global registry). Prefix shoal_operator_.
import client from 'prom-client';

/** What the shard gauges read at scrape time: the VectorClasses as the leader's cache has them. */
export interface ShardStatusSource {
  list(): ReadonlyArray<{ metadata?: { name?: string; namespace?: string }; status?: { shards?: Array<{ name: string; replicas: unknown[]; readyReplicas: number }> } }>;
}

export class OperatorMetrics {
  readonly registry = new client.Registry();
  readonly reconciles: client.Counter<'controller' | 'result'>;
  readonly errors: client.Counter<'controller'>;
  readonly duration: client.Histogram<'controller'>;
  readonly queueDepth: client.Gauge<'controller'>;
  readonly informerRestarts: client.Counter<'resource'>;
  readonly leader: client.Gauge;
  /** Set by the leader once its caches are synced; standbys export no shard gauges. */
  shardSource?: ShardStatusSource;

  constructor() {
    const registers = [this.registry];
    this.reconciles = new client.Counter({
      name: 'shoal_operator_reconciles_total',
      help: 'Reconciles by controller and result (done, requeue, error, conflict).',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.errors = new client.Counter({
      name: 'shoal_operator_reconcile_errors_total',
      help: 'Reconciles that failed with an error (conflicts included) and were retried with backoff.',
      labelNames: ['controller'],
      registers,
    });
    this.duration = new client.Histogram({
      name: 'shoal_operator_reconcile_duration_seconds',
      help: 'Time spent in one reconcile, in seconds.',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.queueDepth = new client.Gauge({
      name: 'shoal_operator_queue_depth',
      help: 'Keys waiting in the work queue of a controller.',
      labelNames: ['controller'],
      registers,
    });
    this.informerRestarts = new client.Counter({
      name: 'shoal_operator_informer_restarts_total',
      help: 'Watches restarted after an error other than 410 Gone.',
      labelNames: ['resource'],
      registers,
    });
    this.leader = new client.Gauge({ name: 'shoal_operator_leader', help: '1 while this replica holds the leader Lease, else 0.', registers });
    this.shardGauge('shoal_operator_shard_replicas_desired', 'Replicas a physical shard should have (its replication factor), from VectorClass status.', (s) => s.replicas.length);
    this.shardGauge('shoal_operator_shard_replicas_ready', 'Replicas of a physical shard that their pods report ready, from VectorClass status.', (s) => s.readyReplicas);
    client.collectDefaultMetrics({ register: this.registry, prefix: 'shoal_operator_' });
  }

  /** A per-shard gauge computed at scrape time, so it never drifts from the status it mirrors. */
  private shardGauge(name: string, help: string, value: (s: { replicas: unknown[]; readyReplicas: number }) => number): void {
    const metrics = this;
    new client.Gauge({
      name, help, labelNames: ['resource_namespace', 'vectorclass', 'shard'], registers: [this.registry],
      collect() {
        this.reset();
        for (const cls of metrics.shardSource?.list() ?? [])
          for (const s of cls.status?.shards ?? [])
            this.set({ resource_namespace: cls.metadata?.namespace ?? '', vectorclass: cls.metadata?.name ?? '', shard: s.name }, value(s));
      },
    });
  }
}
