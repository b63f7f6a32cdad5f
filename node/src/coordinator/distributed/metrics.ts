// Metrics of the distributed data path, on the node's registry (registered once per process).
//   shoal_coordinator_writes_total{outcome}        objects written: ok, failed (level not met), invalid
//   shoal_coordinator_reads_total{op, outcome}     get, query, list, count, scan: ok, error
//   shoal_coordinator_query_retries_total          shard requests that needed another replica
//   shoal_coordinator_read_repairs_total           stale replicas repaired by a read
//   shoal_coordinator_fanout_seconds{op}           time from sending shard requests to the last answer
//   shoal_hints_pending{target}                    records waiting in hints for a replica
//   shoal_hints_total{event}                       records hinted (stored), replayed, expired
//   shoal_anti_entropy_objects_repaired_total{direction}  records pulled from or pushed to a peer
//   shoal_anti_entropy_rounds_total{outcome}       shard-pair comparisons: in-sync, repaired, error
import { client, registry } from '../../metrics/registry.js';

function once<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Hint stores open in this process; the pending gauge reads them at scrape time. */
export const hintSources = new Set<{ pendingByTarget(): Map<string, number> }>();

export function distributedMetrics() {
  return {
    writes: once('shoal_coordinator_writes_total', () => new client.Counter({
      name: 'shoal_coordinator_writes_total', help: 'Objects (and tombstones) written through this pod by outcome: ok, failed (consistency level not met), invalid (refused by the replicas).',
      labelNames: ['outcome'], registers: [registry],
    })),
    reads: once('shoal_coordinator_reads_total', () => new client.Counter({
      name: 'shoal_coordinator_reads_total', help: 'Reads coordinated by this pod by operation (get, query, list, count, scan) and outcome (ok, error).',
      labelNames: ['op', 'outcome'], registers: [registry],
    })),
    queryRetries: once('shoal_coordinator_query_retries_total', () => new client.Counter({
      name: 'shoal_coordinator_query_retries_total', help: 'Shard requests of reads and queries that failed on one replica and were retried on another.', registers: [registry],
    })),
    readRepairs: once('shoal_coordinator_read_repairs_total', () => new client.Counter({
      name: 'shoal_coordinator_read_repairs_total', help: 'Stale or missing copies found by reads at QUORUM or ALL and rewritten, by outcome (ok, error).',
      labelNames: ['outcome'], registers: [registry],
    })),
    fanout: once('shoal_coordinator_fanout_seconds', () => new client.Histogram({
      name: 'shoal_coordinator_fanout_seconds', help: 'Time from sending a read\'s shard requests to the last answer (retries included), by operation.',
      labelNames: ['op'], buckets: SECONDS, registers: [registry],
    })),
    hintsPending: once('shoal_hints_pending', () => new client.Gauge({
      name: 'shoal_hints_pending', help: 'Records kept in hints for a replica that missed them, by target pod.',
      labelNames: ['target'], registers: [registry],
      collect() {
        this.reset();
        const sums = new Map<string, number>();
        for (const source of hintSources) for (const [target, n] of source.pendingByTarget()) sums.set(target, (sums.get(target) ?? 0) + n);
        for (const [target, n] of sums) this.set({ target }, n);
      },
    })),
    hints: once('shoal_hints_total', () => new client.Counter({
      name: 'shoal_hints_total', help: 'Hinted records by event: stored, replayed (delivered), expired (older than the hint window, left to anti-entropy).',
      labelNames: ['event'], registers: [registry],
    })),
    repaired: once('shoal_anti_entropy_objects_repaired_total', () => new client.Counter({
      name: 'shoal_anti_entropy_objects_repaired_total', help: 'Records anti-entropy copied between replicas, by direction (pull: from the peer to this pod, push: to the peer).',
      labelNames: ['direction'], registers: [registry],
    })),
    rounds: once('shoal_anti_entropy_rounds_total', () => new client.Counter({
      name: 'shoal_anti_entropy_rounds_total', help: 'Anti-entropy comparisons of a shard with one peer replica, by outcome: in-sync, repaired, error.',
      labelNames: ['outcome'], registers: [registry],
    })),
  };
}

export type DistributedMetrics = ReturnType<typeof distributedMetrics>;
