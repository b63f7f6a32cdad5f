// Search through the index worker: recall per distance, distance conventions, ef, filters
// (exact scan and filtered graph walk), maxDistance, and label reuse never answering with the
// wrong object.
import { expect } from 'chai';
import type { LiveObject } from '../../node/src/objects/types.js';
import { registry } from '../../node/src/metrics/registry.js';
import type { Distance, Shard } from '../../node/src/shards/index.js';
import { CLASS, Fixture, bruteForce, config, distance, live, randomVector, rng, tombstone, uuid } from './helpers.js';

const DIMS = 16;

interface Seeded {
  id: string;
  vector: Float32Array;
  group: number;
}

function seeded(n: number, seed: number): Seeded[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) => ({ id: uuid(i + 1), vector: randomVector(next, DIMS), group: i % 100 }));
}

async function strategyCount(strategy: string): Promise<number> {
  const metric = await registry.getSingleMetric('shoal_shard_searches_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels.strategy === strategy).reduce((a, v) => a + v.value, 0);
}

describe('shards: search', function () {
  let fx: Fixture;
  beforeEach(() => (fx = new Fixture()));
  afterEach(() => fx.cleanup());

  async function load(kind: Distance, objects: Seeded[], overrides = {}): Promise<Shard> {
    const shard = fx.registry().open(CLASS, 's0', config({ distance: kind, ...overrides }));
    await shard.loaded;
    const results = await shard.apply(objects.map((o) => live(o.id, o.vector, 1, { group: o.group })));
    expect(results.every((r) => 'outcome' in r && r.outcome === 'applied')).to.equal(true);
    return shard;
  }

  for (const kind of ['cosine', 'l2-squared', 'dot'] as Distance[]) {
    it(`finds the true nearest neighbours in ${kind}, with distances in Weaviate's convention`, async () => {
      const objects = seeded(2000, 11);
      const shard = await load(kind, objects);
      const next = rng(99);
      let found = 0;
      const k = 10;
      const queries = 40;
      for (let q = 0; q < queries; q++) {
        const query = randomVector(next, DIMS);
        const hits = await shard.search({ vector: query, k });
        expect(hits).to.have.length(k);
        const truth = new Set(bruteForce(kind, query, objects, k));
        found += hits.filter((h) => truth.has(h.id)).length;
        for (let i = 0; i < hits.length; i++) {
          const obj = shard.get(hits[i].id) as LiveObject;
          expect(hits[i].distance).to.be.closeTo(distance(kind, query, obj.vector as Float32Array), 1e-4);
          if (i > 0) expect(hits[i].distance).to.be.at.least(hits[i - 1].distance);
        }
      }
      expect(found / (queries * k)).to.be.at.least(kind === 'dot' ? 0.9 : 0.95);
    });
  }

  it('returns k hits for a selective filter (exact scan) and for a broad one (filtered graph walk)', async () => {
    const objects = seeded(4000, 5);
    const shard = await load('l2-squared', objects, { flatSearchCutoff: 1000 });
    const next = rng(7);
    const flatBefore = await strategyCount('flat');
    const filterBefore = await strategyCount('filter');
    for (let q = 0; q < 10; q++) {
      const query = randomVector(next, DIMS);
      // 1% of the objects: few enough to scan exactly, and the scan must be exact.
      const selective = await shard.search({ vector: query, k: 10, filter: (o) => o.properties.group === 42 });
      expect(selective.map((h) => h.id)).to.deep.equal(bruteForce('l2-squared', query, objects.filter((o) => o.group === 42), 10));
      // 50%: above the cutoff, so the graph walk with the filter callback answers.
      const broad = await shard.search({ vector: query, k: 10, filter: (o) => (o.properties.group as number) < 50 });
      expect(broad).to.have.length(10);
      for (const h of broad) expect(objects[Number.parseInt(h.id.replace(/-/g, ''), 16) - 1].group).to.be.below(50);
      const truth = new Set(bruteForce('l2-squared', query, objects.filter((o) => o.group < 50), 10));
      expect(broad.filter((h) => truth.has(h.id)).length).to.be.at.least(8);
    }
    expect((await strategyCount('flat')) - flatBefore).to.equal(10);
    expect((await strategyCount('filter')) - filterBefore).to.equal(10);
  });

  it('returns all matches when fewer than k match, and nothing when none do', async () => {
    const shard = await load('cosine', seeded(500, 3));
    const hits = await shard.search({ vector: randomVector(rng(1), DIMS), k: 10, filter: (o) => o.id === uuid(17) || o.id === uuid(300) });
    expect(hits.map((h) => h.id).sort()).to.deep.equal([uuid(17), uuid(300)]);
    expect(await shard.search({ vector: randomVector(rng(1), DIMS), k: 10, filter: () => false })).to.deep.equal([]);
  });

  it('drops hits farther than maxDistance and never returns deleted objects', async () => {
    const objects = seeded(300, 8);
    const shard = await load('l2-squared', objects);
    const query = objects[0].vector;
    const all = await shard.search({ vector: query, k: 20 });
    const cut = all[5].distance;
    const near = await shard.search({ vector: query, k: 20, maxDistance: cut });
    expect(near.map((h) => h.id)).to.deep.equal(all.filter((h) => h.distance <= cut).map((h) => h.id));
    await shard.apply(all.slice(0, 3).map((h) => tombstone(h.id, 2)));
    const after = await shard.search({ vector: query, k: 20 });
    expect(after.map((h) => h.id)).to.not.include.members(all.slice(0, 3).map((h) => h.id));
    expect(after[0].id).to.equal(all[3].id);
  });

  it('uses at least k as ef, whatever ef is asked for', async () => {
    const objects = seeded(1000, 4);
    const shard = await load('l2-squared', objects, { ef: 2 });
    const query = randomVector(rng(5), DIMS);
    const hits = await shard.search({ vector: query, k: 50, ef: 1 });
    expect(hits).to.have.length(50);
    const truth = new Set(bruteForce('l2-squared', query, objects, 50));
    expect(hits.filter((h) => truth.has(h.id)).length).to.be.at.least(40);
  });

  it('never resolves a reused label to the wrong object, even while labels change under running searches', async () => {
    const shard = fx.registry({ labelReuse: { minFree: 0, fraction: 0 } }).open(CLASS, 's0', config({ distance: 'l2-squared' }));
    await shard.loaded;
    const next = rng(21);
    const vectors = new Map<string, Float32Array>();
    let nextId = 1;
    const insert = (n: number) => {
      const recs = Array.from({ length: n }, () => {
        const id = uuid(nextId++);
        const v = randomVector(next, DIMS);
        vectors.set(id, v);
        return live(id, v);
      });
      return shard.apply(recs);
    };
    await insert(300);
    const labelsBefore = shard.info().indexSize;
    const checkHits = async () => {
      const query = randomVector(next, DIMS);
      for (const hit of await shard.search({ vector: query, k: 10 })) {
        // Every id answered must be the object whose vector the distance was computed against.
        expect(hit.distance).to.be.closeTo(distance('l2-squared', query, vectors.get(hit.id) as Float32Array), 1e-4);
      }
    };
    for (let round = 0; round < 15; round++) {
      const victims = [...vectors.keys()].filter((_, i) => i % 3 === round % 3).slice(0, 40);
      const writes = Promise.all([shard.apply(victims.map((id) => tombstone(id, 2))), insert(40)]);
      const searches = Promise.all(Array.from({ length: 8 }, checkHits));
      await Promise.all([writes, searches]);
      for (const id of victims) vectors.delete(id);
    }
    // Labels were reused (the index did not grow by the 600 inserts) and every live object is found.
    expect(shard.info().indexSize).to.be.below(labelsBefore + 200);
    for (const [id, v] of vectors) {
      const hits = await shard.search({ vector: v, k: 3 });
      expect(hits.map((h) => h.id)).to.include(id);
    }
  });

  it('refuses searches while the shard is not ready', async () => {
    const shard = fx.registry().open(CLASS, 's0', config());
    await shard.loaded;
    await shard.close();
    let message = '';
    await shard.search({ vector: Float32Array.from([1]), k: 1 }).catch((err: Error) => (message = err.message));
    expect(message).to.match(/closed/);
  });
});
