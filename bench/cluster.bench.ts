// A 3-pod, 3-shard cluster (`shoal up`: real operator, one node process per pod) against a
// single node, both on this machine's cores, with the same seeded data set and workload:
//   - import throughput: batches of 100 over HTTP at concurrency 4 (spread over the pods, as a
//     client Service would) - goal: cluster >= 0.7x the single node
//   - query latency: GraphQL nearVector, k = 10, one at a time (spread over the pods), after an
//     untimed warm-up pass on each side - goal: p50 <= 2x the single node
//   - share of query time spent in fan-out: time from sending the shard requests to the last
//     answer (shoal_coordinator_fanout_seconds on the pods), over the client-observed latency
//   - recall@10 of both
// Replication factor 1 by default, so that both sides index every object once (SHOAL_BENCH_RF=2
// shows the cost of a second copy on the same cores).
// Quick run: SHOAL_BENCH_N=10000 SHOAL_BENCH_QUERIES=200 node dist/bench/cluster.bench.js
import { loadDataset, recallAtK, row, type Dataset } from './dataset.js';
import { createLoadClient, percentile, runConcurrent, type LoadClient } from './http-load.js';
import { startNodeProcess, stopAllNodes } from '../test/support/node-process.js';
import { CLASS, Cluster, batchBody, indexOfUuid, nearVectorQuery } from '../test/cluster/helpers.js';
// The node bench's workload, 100k objects by default: sharding is for data sets this size and
// larger; at 20k the fixed costs of three processes weigh more (README gives both).
import { BATCH, IMPORT_CONCURRENCY, INDEX, K, N, QUERIES } from './workload.js';

const RF = Number(process.env.SHOAL_BENCH_RF ?? 1);
const DIMS = 128;

interface Result {
  importPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  recall: number;
  totalQueryMs: number;
}

async function importAll(clients: LoadClient[], ds: Dataset): Promise<number> {
  const bodies = Array.from({ length: Math.ceil(N / BATCH) }, (_, b) => batchBody(ds.vectors, DIMS, b * BATCH, Math.min(BATCH, N - b * BATCH)));
  const started = performance.now();
  await runConcurrent(bodies, IMPORT_CONCURRENCY, async (body, i) => {
    const r = await clients[i % clients.length].post('/v1/batch/objects', body);
    if (r.status !== 200 || r.body.includes('"errors"')) throw new Error(`import failed: ${r.status} ${r.body.slice(0, 300)}`);
  });
  return N / ((performance.now() - started) / 1000);
}

/**
 * Queries one at a time, timed. Each side runs it once untimed first: V8 compiles the query path
 * while it runs, on the same two cores, and three pods warm up three times over; without the
 * warm-up the cluster's figure measured the compiler as much as the queries.
 */
async function queryAll(clients: LoadClient[], ds: Dataset): Promise<Omit<Result, 'importPerSecond'>> {
  const latencies: number[] = [];
  const answers: number[][] = [];
  for (let q = 0; q < QUERIES; q++) {
    const body = JSON.stringify({ query: nearVectorQuery(row(ds.queries, DIMS, q), K) });
    const t0 = performance.now();
    const r = await clients[q % clients.length].post('/v1/graphql', body);
    latencies.push(performance.now() - t0);
    if (r.status !== 200 || r.body.includes('"errors"')) throw new Error(`query failed: ${r.status} ${r.body.slice(0, 300)}`);
    answers.push((JSON.parse(r.body).data.Get[CLASS] as Array<{ _additional: { id: string } }>).map((h) => indexOfUuid(h._additional.id)));
  }
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), recall: recallAtK(ds.truth, K, answers), totalQueryMs: latencies.reduce((a, b) => a + b, 0) };
}

async function single(ds: Dataset): Promise<Result> {
  const node = await startNodeProcess({ env: { SHOAL_WORKERS: '1' } });
  try {
    await node.waitReady();
    const r = await node.client.post('/v1/schema', {
      class: CLASS, properties: [{ name: 'n', dataType: ['int'] }],
      vectorIndexConfig: { distance: 'cosine', dimensions: DIMS, ...INDEX }, shardingConfig: { desiredCount: 1 },
    });
    if (r.status !== 200) throw new Error(`create class: ${r.status} ${r.text}`);
    const client = createLoadClient(node.url, IMPORT_CONCURRENCY);
    const importPerSecond = await importAll([client], ds);
    await queryAll([client], ds); // warm-up
    const q = await queryAll([client], ds);
    client.close();
    return { importPerSecond, ...q };
  } finally {
    await stopAllNodes();
  }
}

/** Sum of a metric's samples matching `labels` across the pods' /metrics. */
async function scrape(cluster: Cluster, name: string, labels: string): Promise<number> {
  let sum = 0;
  for (const pod of cluster.podNames()) {
    const text = await (await fetch(`${cluster.pod(pod).http}/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith(name) && line.includes(labels)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

async function clustered(ds: Dataset): Promise<Result & { fanoutShare: number }> {
  const cluster = await Cluster.start({ name: 'bench', pods: 3, shards: 3, replicationFactor: RF, dimensions: DIMS, ...INDEX });
  try {
    const clients = cluster.podNames().map((p) => createLoadClient(cluster.pod(p).http, IMPORT_CONCURRENCY));
    const importPerSecond = await importAll(clients, ds);
    await queryAll(clients, ds); // warm-up
    const fanoutBefore = await scrape(cluster, 'shoal_coordinator_fanout_seconds_sum', 'op="query"');
    const q = await queryAll(clients, ds);
    const fanoutSeconds = (await scrape(cluster, 'shoal_coordinator_fanout_seconds_sum', 'op="query"')) - fanoutBefore;
    clients.forEach((c) => c.close());
    return { importPerSecond, ...q, fanoutShare: (fanoutSeconds * 1000) / q.totalQueryMs };
  } finally {
    await cluster.stop();
  }
}

function line(label: string, one: string, many: string, ratio: string, goal: string): void {
  console.log(`${label.padEnd(30)} ${one.padStart(12)} ${many.padStart(12)} ${ratio.padStart(8)}   ${goal}`);
}

async function main(): Promise<void> {
  const ds = loadDataset({ count: N, dims: DIMS, queries: QUERIES, k: K });
  const one = await single(ds);
  const many = await clustered(ds);
  console.log(`data: ${N} x ${DIMS}-d cosine, ${QUERIES} queries, k=${K}; cluster: 3 pods, 3 shards, replication ${RF}; efConstruction ${INDEX.efConstruction}, M ${INDEX.maxConnections}, ef ${INDEX.ef}`);
  line('', 'single node', '3-pod', 'ratio', 'goal');
  const importRatio = many.importPerSecond / one.importPerSecond;
  const p50Ratio = many.p50Ms / one.p50Ms;
  line('import (objects/s)', one.importPerSecond.toFixed(0), many.importPerSecond.toFixed(0), `${importRatio.toFixed(2)}x`, `>= 0.7x ${importRatio >= 0.7 ? 'met' : 'MISSED'}`);
  line('query p50 (ms)', one.p50Ms.toFixed(2), many.p50Ms.toFixed(2), `${p50Ratio.toFixed(2)}x`, `<= 2x ${p50Ratio <= 2 ? 'met' : 'MISSED'}`);
  line('query p99 (ms)', one.p99Ms.toFixed(2), many.p99Ms.toFixed(2), `${(many.p99Ms / one.p99Ms).toFixed(2)}x`, '');
  line('recall@10', one.recall.toFixed(4), many.recall.toFixed(4), '', '');
  line('query time in fan-out', '', `${(many.fanoutShare * 100).toFixed(0)}%`, '', 'shard requests sent -> last answer, of client latency');
}

main().catch(async (e) => {
  console.error(e);
  await stopAllNodes();
  process.exit(1);
});
