// Shoal's metrics catalogue: every metric the node and the operator export, built from their
// prom-client registrations (node/src/api/metrics.ts, node/src/shards/metrics.ts,
// node/src/membership/metrics.ts, operator/src/metrics.ts). README.md shows the
// same table (a test keeps the two equal); scrape.test.ts checks each one against a running
// process; the alert rules and the dashboard may only use these or the EXTERNAL ones.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface CatalogueEntry {
  name: string;
  type: MetricType;
  /** Label names on the samples (histograms: besides `le`). */
  labels: string[];
  meaning: string;
  component: 'node' | 'operator';
  /**
   * When samples appear: 'always' (from start), 'workload' (after a class, an import and a
   * query), 'membership' (when the node runs gossip), 'replication' (when the node coordinates
   * replicas over its data port), 'leader' (once the operator leads and reconciles).
   */
  when: 'always' | 'workload' | 'membership' | 'replication' | 'leader';
}

const node = (name: string, type: MetricType, labels: string[], meaning: string, when: CatalogueEntry['when']): CatalogueEntry =>
  ({ name, type, labels, meaning, component: 'node', when });
const operator = (name: string, type: MetricType, labels: string[], meaning: string, when: CatalogueEntry['when']): CatalogueEntry =>
  ({ name, type, labels, meaning, component: 'operator', when });

export const CATALOGUE: CatalogueEntry[] = [
  // node: HTTP API (node/src/api/metrics.ts)
  node('shoal_http_requests_total', 'counter', ['method', 'route', 'status'], 'HTTP requests by method, route template and status code.', 'workload'),
  node('shoal_http_request_duration_seconds', 'histogram', ['method', 'route'], 'HTTP request latency from first byte to response, by method and route template.', 'workload'),
  node('shoal_http_requests_inflight', 'gauge', [], 'HTTP requests being served.', 'always'),
  node('shoal_batch_objects_total', 'counter', ['result'], 'Objects received in batch imports, by result (success, failed).', 'workload'),
  node('shoal_batch_size_objects', 'histogram', [], 'Objects per batch import request.', 'workload'),
  node('shoal_import_duration_seconds', 'histogram', [], 'Latency of batch import requests, until every object is durable.', 'workload'),
  node('shoal_query_duration_seconds', 'histogram', ['class_name', 'query_type'], 'Latency of GraphQL Get and Aggregate on a class, by query type (get, aggregate, near_vector, near_object).', 'workload'),
  // node: storage (node/src/shards/metrics.ts)
  node('shoal_shard_objects', 'gauge', ['class', 'shard'], 'Live (not deleted) objects in a shard replica on this pod.', 'workload'),
  node('shoal_shard_index_size', 'gauge', ['class', 'shard'], 'Elements in a shard\'s HNSW index, deleted ones included.', 'workload'),
  node('shoal_shard_index_tombstones', 'gauge', ['class', 'shard'], 'Elements marked deleted in a shard\'s HNSW index.', 'workload'),
  node('shoal_shard_load_progress_ratio', 'gauge', ['class', 'shard'], 'Fraction of a shard\'s index recovery done; 1 when ready.', 'workload'),
  node('shoal_shard_loading', 'gauge', ['class', 'shard'], '1 while a shard\'s index is loading or rebuilding, else 0.', 'workload'),
  node('shoal_shard_apply_duration_seconds', 'histogram', ['class'], 'Time from a write reaching the shard to flushed and indexed, per call.', 'workload'),
  node('shoal_shard_records_total', 'counter', ['class', 'outcome'], 'Records written to shards, by outcome (applied, stale, error).', 'workload'),
  node('shoal_shard_search_duration_seconds', 'histogram', ['class', 'shard'], 'Time of one shard search, filter evaluation included.', 'workload'),
  node('shoal_shard_searches_total', 'counter', ['class', 'strategy'], 'Shard searches by strategy (graph, filter, flat).', 'workload'),
  node('shoal_shard_snapshot_duration_seconds', 'histogram', [], 'Time to write, fsync, checksum and publish one index snapshot.', 'always'),
  node('shoal_shard_recovery_duration_seconds', 'histogram', ['mode'], 'Time to bring a shard\'s index back at open, by mode (snapshot, rebuild).', 'workload'),
  node('shoal_shard_recoveries_total', 'counter', ['mode', 'reason'], 'Index recoveries at open, by mode and reason (snapshot; missing, corrupt, mismatch; new).', 'workload'),
  // node: gossip membership (node/src/membership/metrics.ts)
  node('shoal_gossip_members', 'gauge', ['state'], 'Members in this pod\'s view, by state (alive, suspect, dead, left).', 'membership'),
  node('shoal_gossip_health_score', 'gauge', [], 'Lifeguard local health score: 0 healthy, up to 7; probe interval and timeout scale by score+1.', 'membership'),
  node('shoal_gossip_probe_rtt_seconds', 'histogram', [], 'Round-trip time of direct UDP probes (ping to ack).', 'membership'),
  node('shoal_gossip_messages_sent_total', 'counter', ['type'], 'Gossip messages sent, by type.', 'membership'),
  node('shoal_gossip_messages_received_total', 'counter', ['type'], 'Gossip messages received and accepted, by type.', 'membership'),
  node('shoal_gossip_bytes_sent_total', 'counter', ['type'], 'Gossip bytes sent, by message type ("envelope": headers and MACs).', 'membership'),
  node('shoal_gossip_bytes_received_total', 'counter', ['type'], 'Gossip bytes received, by message type.', 'membership'),
  node('shoal_gossip_packets_dropped_total', 'counter', ['reason'], 'Incoming datagrams and TCP frames dropped (malformed, wrong_cluster, unauthenticated, oversized).', 'membership'),
  node('shoal_gossip_suspicions_total', 'counter', [], 'Suspicions this pod raised after a failed probe.', 'membership'),
  node('shoal_gossip_refutations_total', 'counter', [], 'Times this pod refuted an accusation about itself.', 'membership'),
  node('shoal_gossip_declared_dead_total', 'counter', [], 'Members this pod declared dead when their suspicion expired.', 'membership'),
  node('shoal_gossip_push_pulls_total', 'counter', [], 'Full-state TCP exchanges this pod started.', 'membership'),
  // node: replication and repair (node/src/coordinator/distributed/metrics.ts, node/src/rpc/metrics.ts)
  node('shoal_coordinator_writes_total', 'counter', ['outcome'], 'Objects (and tombstones) written through this pod by outcome: ok, failed (consistency level not met), invalid (refused by the replicas).', 'replication'),
  node('shoal_coordinator_reads_total', 'counter', ['op', 'outcome'], 'Reads coordinated by this pod by operation (get, query, list, count, scan) and outcome (ok, error).', 'replication'),
  node('shoal_coordinator_query_retries_total', 'counter', [], 'Shard requests of reads and queries that failed on one replica and were retried on another.', 'replication'),
  node('shoal_coordinator_read_repairs_total', 'counter', ['outcome'], 'Stale or missing copies found by reads at QUORUM or ALL and rewritten, by outcome (ok, error).', 'replication'),
  node('shoal_coordinator_fanout_seconds', 'histogram', ['op'], 'Time from sending a read\'s shard requests to the last answer (retries included), by operation.', 'replication'),
  node('shoal_hints_pending', 'gauge', ['target'], 'Records kept in hints for a replica that missed them, by target pod.', 'replication'),
  node('shoal_hints_total', 'counter', ['event'], 'Hinted records by event: stored, replayed (delivered), expired (left to anti-entropy).', 'replication'),
  node('shoal_anti_entropy_objects_repaired_total', 'counter', ['direction'], 'Records anti-entropy copied between replicas, by direction (pull, push).', 'replication'),
  node('shoal_anti_entropy_rounds_total', 'counter', ['outcome'], 'Anti-entropy comparisons of a shard with one peer replica, by outcome (in-sync, repaired, error).', 'replication'),
  node('shoal_rpc_client_duration_seconds', 'histogram', ['peer', 'method'], 'Internal RPC calls to other pods, by peer pod and method, as the caller measures them.', 'replication'),
  node('shoal_rpc_client_errors_total', 'counter', ['peer', 'reason'], 'Failed internal RPC calls by peer pod and reason (timeout, connect, closed, auth, protocol, remote).', 'replication'),
  node('shoal_rpc_server_requests_total', 'counter', ['method', 'outcome'], 'Internal RPC requests served by this pod, by method and outcome (ok, error).', 'replication'),
  node('shoal_rpc_server_duration_seconds', 'histogram', ['method'], 'Time this pod took to serve internal RPC requests, by method.', 'replication'),
  node('shoal_rpc_server_dropped_connections_total', 'counter', ['reason'], 'Data-port connections this pod closed because of the peer (auth, cluster, wrong-peer, version, malformed, oversized, handshake-timeout, unauthenticated).', 'replication'),
  node('shoal_rpc_connections', 'gauge', ['direction'], 'Open authenticated data-port connections, by direction (inbound, outbound).', 'replication'),
  // node: process (prom-client defaults, prefix shoal_; the full set is in prom-client's docs)
  node('shoal_process_cpu_seconds_total', 'counter', [], 'CPU time of the node process (user and system).', 'always'),
  node('shoal_process_resident_memory_bytes', 'gauge', [], 'Resident memory of the node process.', 'always'),
  node('shoal_nodejs_eventloop_lag_seconds', 'gauge', [], 'Event loop lag of the node process (hnswlib work runs in worker threads to keep it low).', 'always'),
  node('shoal_nodejs_heap_size_used_bytes', 'gauge', [], 'V8 heap in use.', 'always'),
  // operator (operator/src/metrics.ts)
  operator('shoal_operator_reconciles_total', 'counter', ['controller', 'result'], 'Reconciles by controller (vectorcluster, vectorclass) and result (done, requeue, error, conflict).', 'leader'),
  operator('shoal_operator_reconcile_errors_total', 'counter', ['controller'], 'Reconciles that failed (conflicts included) and were retried with backoff.', 'leader'),
  operator('shoal_operator_reconcile_duration_seconds', 'histogram', ['controller'], 'Time spent in one reconcile.', 'leader'),
  operator('shoal_operator_queue_depth', 'gauge', ['controller'], 'Keys waiting in a controller\'s work queue.', 'leader'),
  operator('shoal_operator_informer_restarts_total', 'counter', ['resource'], 'Watches restarted after an error other than 410 Gone.', 'leader'),
  operator('shoal_operator_leader', 'gauge', [], '1 while this replica holds the leader Lease, else 0.', 'always'),
  operator('shoal_operator_shard_replicas_desired', 'gauge', ['resource_namespace', 'vectorclass', 'shard'], 'Replicas a physical shard should have (its replication factor), from VectorClass status.', 'leader'),
  operator('shoal_operator_shard_replicas_ready', 'gauge', ['resource_namespace', 'vectorclass', 'shard'], 'Replicas of a physical shard that their pods report ready, from VectorClass status.', 'leader'),
  operator('shoal_operator_process_cpu_seconds_total', 'counter', [], 'CPU time of the operator process.', 'always'),
  operator('shoal_operator_process_resident_memory_bytes', 'gauge', [], 'Resident memory of the operator process.', 'always'),
];

/** Metrics of other exporters that the alerts and the dashboard use. */
export const EXTERNAL = ['up', 'kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_capacity_bytes'];

/** The metric names a PromQL expression mentions (not functions, labels, keywords or durations). */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)) {
    if (!KEYWORDS.has(m[1].toLowerCase())) names.add(m[1]);
  }
  return [...names];
}

/** Base name of a histogram's or summary's series name (x_bucket, x_sum, x_count -> x). */
export function baseName(series: string): string {
  return series.replace(/_(bucket|sum|count)$/, '');
}
