// The index worker's scheduling, driven through its client without a shard around it: searches
// preempt a running write slice (after the current insert, not at the end of the slice), the
// shared count of announced searches always returns to zero, and concurrent searches each get
// their own answer.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardIndexClient } from '../../node/src/shards/index-client.js';
import { IndexWorker } from '../../node/src/shards/worker-pool.js';
import type { IndexOp } from '../../node/src/shards/write-batch.js';
import { quietLog, randomVector, rng } from './helpers.js';

const DIMS = 32;
const PARAMS = { space: 'l2', distance: 'l2-squared', m: 16, efConstruction: 200 } as const;

describe('shards: index worker scheduling', function () {
  let dir: string;
  let worker: IndexWorker | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'shoal-worker-'))));
  afterEach(async () => {
    await worker?.terminate();
    worker = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A worker whose write slices would never end by time, holding one ready index of `base` vectors. */
  async function start(base: number, sliceMs: number): Promise<{ client: ShardIndexClient; vectors: Float32Array[] }> {
    worker = new IndexWorker('test-index', quietLog, { sliceMs });
    const client = new ShardIndexClient(worker, 'k', PARAMS);
    await client.open(join(dir, 'store.mdb'));
    const next = rng(7);
    const vectors = Array.from({ length: base }, () => randomVector(next, DIMS));
    await client.put(vectors.map((_, i) => i), vectors, DIMS, base);
    await client.ready(0);
    return { client, vectors };
  }

  function ops(from: number, count: number, seed: number): IndexOp[] {
    const next = rng(seed);
    return Array.from({ length: count }, (_, i) => ({ seq: i + 1, del: -1, add: from + i, vector: randomVector(next, DIMS) }));
  }

  it('answers a search in the middle of a long write slice, after the insert under way', async () => {
    // With one-minute slices, only preemption can answer a search before the batch is applied.
    const { client } = await start(200, 60_000);
    const total = 3000;
    let applied = false;
    const writing = client.applyOps(ops(200, total, 8), DIMS).then((s) => ((applied = true), s));
    const query = randomVector(rng(9), DIMS);
    let midway: number | undefined;
    while (!applied && midway === undefined) {
      const reply = await client.search(query, 5, 50, 'graph');
      expect(reply.labels).to.have.length(5);
      // Answered before the batch started (appliedSeq 0): ask again once it runs.
      if (reply.appliedSeq > 0) midway = reply.appliedSeq;
    }
    expect(midway, 'a search was answered while the batch was being applied').to.be.a('number');
    expect(midway).to.be.below(total);
    expect(applied).to.equal(false);
    const state = await writing;
    expect(state.appliedSeq).to.equal(total);
    expect(state.count).to.equal(200 + total);
    expect(worker!.pendingSearches()).to.equal(0);
  });

  it('gives every concurrent search its own answer and settles the announced count to zero', async () => {
    const { client, vectors } = await start(500, 4);
    const queries = vectors.slice(0, 64);
    const alone: number[][] = [];
    for (const q of queries) alone.push(Array.from((await client.search(q, 3, 64, 'graph')).labels));
    const together = await Promise.all(queries.map((q) => client.search(q, 3, 64, 'graph')));
    expect(together.map((r) => Array.from(r.labels))).to.deep.equal(alone);
    // Each stored vector is its own nearest neighbour.
    together.forEach((r, i) => expect(r.labels[0]).to.equal(i));
    expect(worker!.pendingSearches()).to.equal(0);
  });

  it('keeps writes moving while searches keep arriving', async () => {
    const { client } = await start(100, 4);
    let done = false;
    const writing = client.applyOps(ops(100, 500, 10), DIMS).then((s) => ((done = true), s));
    const query = randomVector(rng(11), DIMS);
    let searches = 0;
    // Eight searches always in flight: the announced count is rarely zero, yet the batch must finish.
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (!done) {
        await client.search(query, 5, 50, 'graph');
        searches++;
      }
    }));
    expect((await writing).count).to.equal(600);
    expect(searches).to.be.above(0);
    expect(worker!.pendingSearches()).to.equal(0);
  });
});
