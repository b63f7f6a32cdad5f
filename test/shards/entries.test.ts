// Shard.entries: what anti-entropy reads to compare replicas, tombstones included, by id, paged.
import { expect } from 'chai';
import { CLASS, Fixture, config, live, randomVector, rng, tombstone, uuid } from './helpers.js';

describe('shards: entries', function () {
  let fx: Fixture;
  beforeEach(() => (fx = new Fixture()));
  afterEach(() => fx.cleanup());

  it('lists (id, version, origin, deleted) of objects and tombstones in id order, paged by `after`', async () => {
    const shard = fx.registry().open(CLASS, 's0', config());
    await shard.loaded;
    const next = rng(7);
    const ids = [8, 2, 6, 4, 1].map(uuid);
    await shard.apply(ids.map((id, i) => live(id, randomVector(next, 4), 10 + i, { n: i }, `pod-${i}`)));
    await shard.apply([tombstone(ids[2], 50, 'pod-z')]);

    const all = shard.entries(undefined, 100);
    expect(all.map((e) => e.id)).to.deep.equal([...ids].sort());
    expect(all.find((e) => e.id === ids[2])).to.deep.equal({ id: ids[2], version: 50, origin: 'pod-z', deleted: true });
    expect(all.find((e) => e.id === ids[0])).to.deep.equal({ id: ids[0], version: 10, origin: 'pod-0', deleted: false });
    // The live listing leaves the tombstone out; entries keeps it.
    expect(shard.list(undefined, 100).map((o) => o.id)).to.not.include(ids[2]);

    const sorted = [...ids].sort();
    expect(shard.entries(undefined, 2).map((e) => e.id)).to.deep.equal(sorted.slice(0, 2));
    expect(shard.entries(sorted[1], 2).map((e) => e.id)).to.deep.equal(sorted.slice(2, 4));
    expect(shard.entries(sorted[4], 2)).to.deep.equal([]);
    expect(shard.entries(undefined, 0)).to.deep.equal([]);
  });
});
