// The cost of the internal RPC: the same shard searched in-process (LocalReplica, what a
// coordinator does for its local replica) and over RPC on a loopback connection (RemoteReplica
// -> RpcServer -> LocalReplica, what it does for a remote replica), one after the other, on a
// seeded data set. Prints p50 round trips at concurrency 1, throughput at concurrency 8, and an
// import batch (100 objects) both ways, with the ratios. Client and server share this process,
// so the ratio includes both sides' encoding work (the network part is loopback only).
// Quick run: SHOAL_BENCH_N=5000 SHOAL_BENCH_QUERIES=200 node dist/bench/rpc.bench.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, row } from './dataset.js';
import { percentile, runConcurrent } from './http-load.js';
import { createShardRegistry } from '../node/src/shards/index.js';
import type { LiveObject } from '../node/src/objects/types.js';
import { RpcClient } from '../node/src/rpc/client.js';
import { RpcServer } from '../node/src/rpc/server.js';
import { LocalReplica } from '../node/src/rpc/replica/local.js';
import { RemoteReplica } from '../node/src/rpc/replica/remote.js';
import { replicaHandlers } from '../node/src/rpc/replica/service.js';
import type { ReplicaOps, ReplicaSearch, ShardRef } from '../node/src/rpc/replica/ops.js';

const N = Number(process.env.SHOAL_BENCH_N ?? 20_000);
const QUERIES = Number(process.env.SHOAL_BENCH_QUERIES ?? 1_000);
const K = 10;
const REF: ShardRef = { class: 'Bench', shard: 's0' };
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const idOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function objectOf(ds: ReturnType<typeof loadDataset>, i: number, version: number): LiveObject {
  return {
    id: idOf(i), class: REF.class, properties: { i, title: `object number ${i}` }, vector: row(ds.vectors, ds.options.dims, i % ds.options.count).slice(),
    creationTimeUnix: 1, lastUpdateTimeUnix: 1, version, origin: 'bench', deleted: false,
  };
}

async function timeSearches(ops: ReplicaOps, ds: ReturnType<typeof loadDataset>, concurrency: number): Promise<{ p50Ms: number; qps: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  const queries = Array.from({ length: QUERIES }, (_, q) => q);
  await runConcurrent(queries, concurrency, async (q) => {
    const req: ReplicaSearch = { vector: row(ds.queries, ds.options.dims, q), k: K, withObjects: true, withVectors: true };
    const t = performance.now();
    await ops.search(REF, req);
    latencies.push(performance.now() - t);
  });
  return { p50Ms: percentile(latencies, 50), qps: QUERIES / ((performance.now() - started) / 1000) };
}

async function timeImports(ops: ReplicaOps, ds: ReturnType<typeof loadDataset>, base: number): Promise<number> {
  const latencies: number[] = [];
  for (let b = 0; b < 50; b++) {
    const batch = Array.from({ length: 100 }, (_, i) => objectOf(ds, b * 100 + i, base + b));
    const t = performance.now();
    await ops.apply(REF, batch);
    latencies.push(performance.now() - t);
  }
  return percentile(latencies, 50);
}

async function main(): Promise<void> {
  const ds = loadDataset({ count: Math.max(N, 1000), queries: QUERIES });
  const dir = mkdtempSync(join(tmpdir(), 'shoal-rpc-bench-'));
  const registry = createShardRegistry({ dataDir: dir, workers: 1, snapshotIntervalMs: 0, log: silent });
  const shard = registry.open(REF.class, REF.shard, { distance: 'cosine', efConstruction: 128, maxConnections: 16, ef: 64, dynamicEfMin: 100, dynamicEfMax: 500, dynamicEfFactor: 8, flatSearchCutoff: 40000 });
  await shard.loaded;
  const local = new LocalReplica({ registry, nodeName: 'server' });
  for (let i = 0; i < N; i += 500) await local.apply(REF, Array.from({ length: Math.min(500, N - i) }, (_, j) => objectOf(ds, i + j, 1)));
  const server = await RpcServer.listen({ node: 'server', cluster: 'bench', secret: 'bench-secret-of-sixteen-bytes', host: '127.0.0.1', port: 0, handlers: replicaHandlers(local), log: silent });
  const client = new RpcClient({ node: 'caller', cluster: 'bench', secret: 'bench-secret-of-sixteen-bytes' });
  const remote = new RemoteReplica(client, { name: 'server', addr: `127.0.0.1:${server.port}` });
  try {
    await timeSearches(remote, ds, 1); // warm up connections and the JIT
    await timeSearches(local, ds, 1);
    const inProc1 = await timeSearches(local, ds, 1);
    const rpc1 = await timeSearches(remote, ds, 1);
    const inProc8 = await timeSearches(local, ds, 8);
    const rpc8 = await timeSearches(remote, ds, 8);
    const importLocal = await timeImports(local, ds, 10);
    const importRpc = await timeImports(remote, ds, 100);
    const f = (x: number) => x.toFixed(3);
    console.log(`shard: ${N} x ${ds.options.dims}-d cosine, k=${K}, ${QUERIES} queries, hits with properties and vectors`);
    console.log(`search p50, concurrency 1:   in-process ${f(inProc1.p50Ms)} ms   RPC ${f(rpc1.p50Ms)} ms   ratio ${(rpc1.p50Ms / inProc1.p50Ms).toFixed(2)}x   (RPC overhead ${f(rpc1.p50Ms - inProc1.p50Ms)} ms)`);
    console.log(`search throughput, conc. 8:  in-process ${inProc8.qps.toFixed(0)} q/s   RPC ${rpc8.qps.toFixed(0)} q/s   ratio ${(rpc8.qps / inProc8.qps).toFixed(2)}x`);
    console.log(`apply 100 objects p50:       in-process ${f(importLocal)} ms   RPC ${f(importRpc)} ms   ratio ${(importRpc / importLocal).toFixed(2)}x`);
  } finally {
    client.close();
    await server.close();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
