// Must-show: 3 pods, a class with 3 shards and replication 2. 20,000 objects imported through one
// pod; the same nearVector query through each pod gives identical results; recall@10 matches a
// single node's (one shard holding all the data, same engine and index settings); /v1/nodes shows
// every shard on two pods with equal counts. Then one pod is stopped (SIGSTOP, so it stays down
// until the test resumes it) and queries through the other pods keep succeeding.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, recallAtK, row, type Dataset } from '../../bench/dataset.js';
import { createLoadClient, runConcurrent } from '../../bench/http-load.js';
import { createShardRegistry } from '../../node/src/shards/index.js';
import type { LiveObject } from '../../node/src/objects/types.js';
import { waitFor } from '../support/wait.js';
import { CATALOGUE } from '../metrics/catalogue.js';
import { catalogueProblems, parseExposition } from '../metrics/exposition.js';
import { CLASS, Cluster, batchBody, indexOfUuid, nearVectorQuery, uuidOf } from './helpers.js';

const N = Number(process.env.SHOAL_TEST_N ?? 20_000);
const DIMS = 32;
const QUERIES = 100;
/**
 * Search ef of the class and of the single-node shard: -1 is the default (automatic, 100 for k = 10).
 * Replicas build their graphs from the same writes in different orders, so at a very low ef two
 * replicas of a shard can answer differently and pods that read different replicas disagree.
 */
const EF = Number(process.env.SHOAL_TEST_EF ?? -1);
const K = 10;

interface Hit {
  n: number;
  _additional: { id: string; distance: number };
}

async function singleShardRecall(ds: Dataset): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-single-'));
  const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
  const registry = createShardRegistry({ dataDir: dir, workers: 1, snapshotIntervalMs: 0, log: silent });
  try {
    const shard = registry.open(CLASS, 'single', { distance: 'cosine', efConstruction: 64, maxConnections: 16, ef: EF, dynamicEfMin: 100, dynamicEfMax: 500, dynamicEfFactor: 8, flatSearchCutoff: 40000, dimensions: DIMS });
    await shard.loaded;
    for (let i = 0; i < N; i += 500) {
      const batch: LiveObject[] = [];
      for (let j = i; j < Math.min(N, i + 500); j++) batch.push({ id: uuidOf(j), class: CLASS, properties: { n: j }, vector: row(ds.vectors, DIMS, j).slice(), creationTimeUnix: 1, lastUpdateTimeUnix: 1, version: 1, origin: 'single', deleted: false });
      await shard.apply(batch);
    }
    const answers: number[][] = [];
    for (let q = 0; q < QUERIES; q++) answers.push((await shard.search({ vector: row(ds.queries, DIMS, q), k: K })).map((h) => indexOfUuid(h.id)));
    return recallAtK(ds.truth, K, answers);
  } finally {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('cluster: 3 pods, 3 shards, replication 2', function () {
  this.timeout(300_000);
  let c: Cluster;
  let ds: Dataset;

  before(async () => {
    ds = loadDataset({ count: N, dims: DIMS, queries: QUERIES, k: K, clusters: 50 });
    c = await Cluster.start({ name: 'rep2', pods: 3, shards: 3, replicationFactor: 2, dimensions: DIMS, ef: EF, podEnv: { SHOAL_READ_TIMEOUT_MS: '1500' } });
  });
  after(() => c?.stop());

  it('imports through one pod and answers identically, with single-node recall, through every pod', async () => {
    const client = createLoadClient(c.pod('rep2-0').http, 4);
    const bodies = Array.from({ length: Math.ceil(N / 200) }, (_, b) => batchBody(ds.vectors, DIMS, b * 200, Math.min(200, N - b * 200)));
    await runConcurrent(bodies, 4, async (body) => {
      const r = await client.post('/v1/batch/objects', body);
      expect(r.status).to.equal(200);
      const errors = (JSON.parse(r.body) as Array<{ result?: { errors?: unknown } }>).filter((o) => o.result?.errors);
      expect(errors, JSON.stringify(errors[0])).to.deep.equal([]);
    });
    client.close();

    const answers = new Map<string, number[][]>();
    for (const pod of c.podNames()) {
      const http = c.http(pod);
      const perQuery: number[][] = [];
      for (let q = 0; q < QUERIES; q++) {
        const r = await http.graphql(nearVectorQuery(row(ds.queries, DIMS, q), K));
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
        expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
        const hits = r.body.data.Get[CLASS] as Hit[];
        expect(hits).to.have.length(K);
        perQuery.push(hits.map((h) => h.n));
      }
      answers.set(pod, perQuery);
    }
    const [first, ...rest] = [...answers.values()];
    for (const other of rest) expect(other).to.deep.equal(first);
    const clusterRecall = recallAtK(ds.truth, K, first);
    const singleRecall = await singleShardRecall(ds);
    // Each shard returns its own top 10 of a third of the data: the merge is at least as good.
    expect(clusterRecall).to.be.at.least(singleRecall - 0.005);
    console.log(`      recall@10: cluster ${clusterRecall.toFixed(4)}, single node ${singleRecall.toFixed(4)}`);
  });

  it('lists every shard on two pods with equal object counts in /v1/nodes', async () => {
    const r = await c.http('rep2-1').get('/v1/nodes?output=verbose');
    expect(r.status).to.equal(200);
    const nodes = r.body.nodes as Array<{ name: string; status: string; shards: Array<{ name: string; class: string; objectCount: number }> }>;
    expect(nodes.map((n) => [n.name, n.status])).to.deep.equal([['rep2-0', 'HEALTHY'], ['rep2-1', 'HEALTHY'], ['rep2-2', 'HEALTHY']]);
    const byShard = new Map<string, Array<[string, number]>>();
    for (const n of nodes) for (const s of n.shards) byShard.set(s.name, [...(byShard.get(s.name) ?? []), [n.name, s.objectCount]]);
    expect([...byShard.keys()].sort()).to.deep.equal(c.sharding.physical.map((p) => p.name).sort());
    let total = 0;
    for (const p of c.sharding.physical) {
      const held = byShard.get(p.name)!;
      expect(held.map(([pod]) => pod).sort()).to.deep.equal([...p.replicas].sort());
      expect(held[0][1]).to.be.greaterThan(0);
      expect(held[1][1]).to.equal(held[0][1]);
      total += held[0][1];
    }
    expect(total).to.equal(N);
  });

  it('exports the replication and repair metrics of the catalogue, well formed, with writes counted', async () => {
    const text = await (await fetch(`${c.pod('rep2-0').http}/metrics`)).text();
    const families = parseExposition(text);
    const problems = CATALOGUE.filter((m) => m.when === 'replication').flatMap((m) => catalogueProblems(families, m, false));
    expect(problems, problems.join('\n')).to.deep.equal([]);
    const rpcCalls = families.get('shoal_rpc_client_duration_seconds')?.samples.filter((s) => s.series.endsWith('_count')) ?? [];
    expect(rpcCalls.reduce((n, s) => n + s.value, 0), 'RPC calls to the other pods during the import').to.be.greaterThan(0);
  });

  it('keeps answering queries through the other pods while one pod is down', async () => {
    const victim = c.pod('rep2-2');
    process.kill(victim.pid!, 'SIGSTOP');
    try {
      // Until gossip declares it dead and for a while after, every query must succeed in full.
      const survivors = ['rep2-0', 'rep2-1'].map((p) => c.http(p));
      let dead = false;
      for (let round = 0; round < 40 || !dead; round++) {
        const http = survivors[round % 2];
        const r = await http.graphql(nearVectorQuery(row(ds.queries, DIMS, round % QUERIES), K));
        expect(r.body.errors, JSON.stringify(r.body.errors)).to.equal(undefined);
        expect(r.body.data.Get[CLASS]).to.have.length(K);
        if (!dead) dead = ((await survivors[0].get('/v1/nodes')).body.nodes as Array<{ name: string; status: string }>).some((n) => n.name === 'rep2-2' && n.status === 'UNAVAILABLE');
        if (round > 400) throw new Error('gossip never declared the stopped pod dead');
      }
      const count = await survivors[1].graphql(`{ Aggregate { ${CLASS} { meta { count } } } }`);
      expect(count.body.data.Aggregate[CLASS][0].meta.count).to.equal(N);
    } finally {
      process.kill(victim.pid!, 'SIGCONT');
    }
    await waitFor(async () => ((await c.http('rep2-0').get('/v1/nodes')).body.nodes as Array<{ status: string }>).every((n) => n.status === 'HEALTHY'), { what: 'the stopped pod to be back' });
  });
});
