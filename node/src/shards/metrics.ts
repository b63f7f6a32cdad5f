// Storage metrics on the node's registry. Metrics are process-wide but several shard registries
// may live in one process (tests open many): each metric is registered once (found again by name
// if already there), and the gauges read every open shard at scrape time.
import { client, registry } from '../metrics/registry.js';
import type { ShardInfo } from './types.js';

type Labels = 'class' | 'shard';

/** Shards whose state the gauges report, across all registries of this process. */
const liveShards = new Set<{ info(): ShardInfo }>();

function once<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

function shardGauge(name: string, help: string, pick: (i: ShardInfo) => number): client.Gauge<Labels> {
  return once(name, () =>
    new client.Gauge<Labels>({
      name,
      help,
      labelNames: ['class', 'shard'],
      registers: [registry],
      collect() {
        this.reset();
        for (const shard of liveShards) {
          const info = shard.info();
          this.set({ class: info.class, shard: info.name }, pick(info));
        }
      },
    }),
  );
}

const SECONDS_FAST = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SECONDS_SLOW = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function storageMetrics() {
  return {
    objects: shardGauge('shoal_shard_objects', 'Live (not deleted) objects in a shard.', (i) => i.objectCount),
    indexSize: shardGauge('shoal_shard_index_size', 'Elements in a shard\'s HNSW index, deleted ones included.', (i) => i.indexSize),
    indexTombstones: shardGauge('shoal_shard_index_tombstones', 'Elements marked deleted in a shard\'s HNSW index.', (i) => i.indexTombstones),
    loadProgress: shardGauge('shoal_shard_load_progress_ratio', 'Fraction of a shard\'s index recovery (snapshot replay or rebuild) done; 1 when ready.', (i) => i.loadProgress),
    loading: shardGauge('shoal_shard_loading', '1 while a shard\'s index is loading or rebuilding, else 0.', (i) => (i.status === 'LOADING' ? 1 : 0)),
    applyDuration: once('shoal_shard_apply_duration_seconds', () =>
      new client.Histogram<'class'>({ name: 'shoal_shard_apply_duration_seconds', help: 'Time from apply() to flushed and indexed, per call.', labelNames: ['class'], buckets: SECONDS_FAST, registers: [registry] }),
    ),
    applied: once('shoal_shard_records_total', () =>
      new client.Counter<'class' | 'outcome'>({ name: 'shoal_shard_records_total', help: 'Records passed to apply(), by outcome (applied, stale, error).', labelNames: ['class', 'outcome'], registers: [registry] }),
    ),
    searchDuration: once('shoal_shard_search_duration_seconds', () =>
      new client.Histogram<Labels>({ name: 'shoal_shard_search_duration_seconds', help: 'Time of one shard search, filter evaluation included.', labelNames: ['class', 'shard'], buckets: SECONDS_FAST, registers: [registry] }),
    ),
    searches: once('shoal_shard_searches_total', () =>
      new client.Counter<'class' | 'strategy'>({ name: 'shoal_shard_searches_total', help: 'Shard searches by strategy (graph, filter = graph walk with filter, flat = exact scan of matches).', labelNames: ['class', 'strategy'], registers: [registry] }),
    ),
    snapshotDuration: once('shoal_shard_snapshot_duration_seconds', () =>
      new client.Histogram({ name: 'shoal_shard_snapshot_duration_seconds', help: 'Time to write, fsync, checksum and publish one index snapshot.', buckets: SECONDS_SLOW, registers: [registry] }),
    ),
    recoveryDuration: once('shoal_shard_recovery_duration_seconds', () =>
      new client.Histogram<'mode'>({ name: 'shoal_shard_recovery_duration_seconds', help: 'Time to bring a shard\'s index back at open, by mode (snapshot = load + replay, rebuild = from the store).', labelNames: ['mode'], buckets: SECONDS_SLOW, registers: [registry] }),
    ),
    recoveries: once('shoal_shard_recoveries_total', () =>
      new client.Counter<'mode' | 'reason'>({ name: 'shoal_shard_recoveries_total', help: 'Index recoveries at open, by mode and reason (snapshot; rebuild because the snapshot was missing, corrupt or mismatched; new for an empty shard).', labelNames: ['mode', 'reason'], registers: [registry] }),
    ),
  };
}

export type StorageMetrics = ReturnType<typeof storageMetrics>;

export function trackShard(shard: { info(): ShardInfo }): void {
  liveShards.add(shard);
}

export function untrackShard(shard: { info(): ShardInfo }): void {
  liveShards.delete(shard);
}
