// The object store side of a shard: apply, get, list, scan, count, last write wins, dimensions,
// files on disk.
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import type { LiveObject } from '../../node/src/objects/types.js';
import { STORE_FILE, ShardStore } from '../../node/src/shards/store.js';
import { CLASS, Fixture, config, live, randomVector, rng, tombstone, uuid } from './helpers.js';

describe('shards: store', function () {
  let fx: Fixture;
  beforeEach(() => (fx = new Fixture()));
  afterEach(() => fx.cleanup());

  async function openShard(overrides = {}) {
    const reg = fx.registry();
    const shard = reg.open(CLASS, 's0', config(overrides));
    await shard.loaded;
    return { reg, shard };
  }

  it('applies objects and reads them back with get, list (by id), scan and count', async () => {
    const { shard } = await openShard();
    const next = rng(1);
    const ids = [5, 3, 9, 1, 7].map(uuid);
    const results = await shard.apply(ids.map((id, i) => live(id, randomVector(next, 4), 1, { n: i, name: `o${i}` })));
    expect(results).to.deep.equal(ids.map(() => ({ outcome: 'applied' })));

    const got = shard.get(ids[0]) as LiveObject;
    expect(got.deleted).to.equal(false);
    expect(got.properties).to.deep.equal({ n: 0, name: 'o0' });
    expect(got.vector).to.be.instanceOf(Float32Array);
    expect(got.vector?.length).to.equal(4);
    expect(shard.get(uuid(42))).to.equal(undefined);

    const sorted = [...ids].sort();
    expect(shard.list(undefined, 10).map((o) => o.id)).to.deep.equal(sorted);
    expect(shard.list(sorted[1], 2).map((o) => o.id)).to.deep.equal(sorted.slice(2, 4));
    expect(shard.list(sorted[4], 10)).to.deep.equal([]);
    expect(shard.scan((o) => (o.properties.n as number) >= 3, 10).map((o) => o.id)).to.deep.equal([ids[3], ids[4]].sort());
    expect(shard.scan(undefined, 2).map((o) => o.id)).to.deep.equal(sorted.slice(0, 2));
    expect(shard.count()).to.equal(5);
    expect(shard.objectCount()).to.equal(5);
    expect(shard.count((o) => o.properties.name === 'o2')).to.equal(1);
    expect(shard.info()).to.include({ class: CLASS, name: 's0', status: 'READY', objectCount: 5, indexSize: 5, indexTombstones: 0, loadProgress: 1 });
  });

  it('reads an object without its vector when asked to, and the same object otherwise', async () => {
    const { shard } = await openShard();
    await shard.apply([live(uuid(1), Float32Array.from([1, 2]), 3, { n: 7 })]);
    const full = shard.get(uuid(1)) as LiveObject;
    const bare = shard.get(uuid(1), false) as LiveObject;
    expect(Array.from(full.vector ?? [])).to.deep.equal([1, 2]);
    expect(bare.vector).to.equal(null);
    expect({ ...bare, vector: full.vector }).to.deep.equal(full);
  });

  it('reads objects stored by earlier versions, which used msgpackr records', async () => {
    const dir = join(fx.dataDir, 'old');
    mkdirSync(dir);
    const old = open({ path: join(dir, STORE_FILE), maxDbs: 10 });
    await old.openDB({ name: 'objects' }).put(uuid(1), { class: CLASS, version: 5, origin: 'n0', deleted: false, properties: { n: 1 }, creationTimeUnix: 2, lastUpdateTimeUnix: 3, label: -1 });
    await old.close();
    const store = ShardStore.open(dir);
    expect(store.getRecord(uuid(1))).to.deep.equal({ id: uuid(1), class: CLASS, version: 5, origin: 'n0', deleted: false, properties: { n: 1 }, creationTimeUnix: 2, lastUpdateTimeUnix: 3, vector: null });
    await store.root.close();
  });

  it('keeps vectors exactly as given, even in cosine space where the index normalises them', async () => {
    const { shard } = await openShard({ distance: 'cosine' });
    const vector = Float32Array.from([3, 4, 0, 12]);
    await shard.apply([live(uuid(1), vector)]);
    expect(Array.from((shard.get(uuid(1)) as LiveObject).vector ?? [])).to.deep.equal([3, 4, 0, 12]);
  });

  it('stores objects without a vector but does not index them', async () => {
    const { shard } = await openShard();
    await shard.apply([live(uuid(1), null, 1, { a: 1 }), live(uuid(2), Float32Array.from([1, 0]))]);
    expect((shard.get(uuid(1)) as LiveObject).vector).to.equal(null);
    expect(shard.count()).to.equal(2);
    expect(shard.info().indexSize).to.equal(1);
    const hits = await shard.search({ vector: Float32Array.from([1, 0]), k: 5 });
    expect(hits.map((h) => h.id)).to.deep.equal([uuid(2)]);
  });

  describe('last write wins', () => {
    it('answers stale for an older or identical write and keeps the stored record', async () => {
      const { shard } = await openShard();
      const v = Float32Array.from([1, 2, 3]);
      expect(await shard.apply([live(uuid(1), v, 5, { x: 'new' })])).to.deep.equal([{ outcome: 'applied' }]);
      expect(await shard.apply([live(uuid(1), v, 4, { x: 'old' })])).to.deep.equal([{ outcome: 'stale' }]);
      expect(await shard.apply([live(uuid(1), v, 5, { x: 'new' })])).to.deep.equal([{ outcome: 'stale' }]);
      expect((shard.get(uuid(1)) as LiveObject).properties).to.deep.equal({ x: 'new' });
    });

    it('breaks version ties by origin', async () => {
      const { shard } = await openShard();
      const v = Float32Array.from([1, 2, 3]);
      await shard.apply([live(uuid(1), v, 5, { from: 'b' }, 'pod-b')]);
      expect(await shard.apply([live(uuid(1), v, 5, { from: 'a' }, 'pod-a')])).to.deep.equal([{ outcome: 'stale' }]);
      expect(await shard.apply([live(uuid(1), v, 5, { from: 'c' }, 'pod-c')])).to.deep.equal([{ outcome: 'applied' }]);
      expect((shard.get(uuid(1)) as LiveObject).properties).to.deep.equal({ from: 'c' });
    });

    it('lets a tombstone win over an older put, and a newer put win over the tombstone', async () => {
      const { shard } = await openShard();
      const v = Float32Array.from([1, 0, 0]);
      await shard.apply([live(uuid(1), v, 1)]);
      expect(await shard.apply([tombstone(uuid(1), 2)])).to.deep.equal([{ outcome: 'applied' }]);
      expect(shard.get(uuid(1))).to.deep.equal(tombstone(uuid(1), 2));
      expect(shard.count()).to.equal(0);
      expect(shard.list(undefined, 10)).to.deep.equal([]);
      expect(await shard.search({ vector: v, k: 3 })).to.deep.equal([]);
      expect(shard.info()).to.include({ indexSize: 1, indexTombstones: 1 });

      // A put older than the tombstone (a replica that missed the delete) does not resurrect it.
      expect(await shard.apply([live(uuid(1), v, 1)])).to.deep.equal([{ outcome: 'stale' }]);
      expect(await shard.apply([tombstone(uuid(1), 2)])).to.deep.equal([{ outcome: 'stale' }]);
      expect(await shard.apply([live(uuid(1), v, 3)])).to.deep.equal([{ outcome: 'applied' }]);
      expect(shard.get(uuid(1))?.deleted).to.equal(false);
      expect((await shard.search({ vector: v, k: 3 })).map((h) => h.id)).to.deep.equal([uuid(1)]);
    });

    it('stores a tombstone for an id never seen, so a late put cannot bring it back', async () => {
      const { shard } = await openShard();
      expect(await shard.apply([tombstone(uuid(7), 10)])).to.deep.equal([{ outcome: 'applied' }]);
      expect(await shard.apply([live(uuid(7), Float32Array.from([1]), 9)])).to.deep.equal([{ outcome: 'stale' }]);
      expect(shard.get(uuid(7))?.deleted).to.equal(true);
      expect(shard.count()).to.equal(0);
    });

    it('resolves several writes to one id inside one call in order', async () => {
      const { shard } = await openShard();
      const v = Float32Array.from([1, 1]);
      const results = await shard.apply([live(uuid(1), v, 2), live(uuid(1), v, 1), tombstone(uuid(1), 3), live(uuid(1), v, 3)]);
      expect(results.map((r) => ('outcome' in r ? r.outcome : r.error))).to.deep.equal(['applied', 'stale', 'applied', 'stale']);
      expect(shard.get(uuid(1))?.deleted).to.equal(true);
    });

    it('re-indexes a changed vector and leaves an unchanged one alone', async () => {
      const { shard } = await openShard();
      await shard.apply([live(uuid(1), Float32Array.from([1, 0]), 1), live(uuid(2), Float32Array.from([0, 1]), 1)]);
      await shard.apply([live(uuid(1), Float32Array.from([1, 0]), 2, { touched: true })]);
      expect(shard.info()).to.include({ indexSize: 2, indexTombstones: 0 });
      await shard.apply([live(uuid(1), Float32Array.from([0, 0.9]), 3)]);
      expect(shard.info()).to.include({ indexSize: 3, indexTombstones: 1 });
      const hits = await shard.search({ vector: Float32Array.from([0, 1]), k: 2 });
      expect(hits.map((h) => h.id)).to.deep.equal([uuid(2), uuid(1)]);
    });
  });

  describe('bad input', () => {
    it('rejects a vector of the wrong length per record, fixed by the first vector', async () => {
      const { shard } = await openShard();
      const results = await shard.apply([live(uuid(1), Float32Array.from([1, 2, 3])), live(uuid(2), Float32Array.from([1, 2])), live(uuid(3), Float32Array.from([3, 2, 1]))]);
      expect(results[0]).to.deep.equal({ outcome: 'applied' });
      expect(results[1]).to.have.property('error').that.matches(/3-dimensional.*found 2/);
      expect(results[2]).to.deep.equal({ outcome: 'applied' });
      expect(shard.get(uuid(2))).to.equal(undefined);
      await expectRejected(shard.search({ vector: Float32Array.from([1, 2]), k: 1 }), /3-dimensional/);
    });

    it('takes the dimensions from the config when given', async () => {
      const { shard } = await openShard({ dimensions: 4 });
      const [r] = await shard.apply([live(uuid(1), Float32Array.from([1, 2, 3]))]);
      expect(r).to.have.property('error').that.matches(/4-dimensional/);
    });

    it('rejects non-finite entries, a foreign class and malformed records without storing them', async () => {
      const { shard } = await openShard();
      const results = await shard.apply([
        live(uuid(1), Float32Array.from([1, NaN])),
        { ...live(uuid(2), Float32Array.from([1, 2])), class: 'Other' },
        { ...live(uuid(3), Float32Array.from([1, 2])), version: Number.POSITIVE_INFINITY },
        live(uuid(4), Float32Array.from([1, 2])),
      ]);
      expect(results.map((r) => ('error' in r ? 'error' : r.outcome))).to.deep.equal(['error', 'error', 'error', 'applied']);
      expect(results[0]).to.have.property('error').that.matches(/entry 1 is not a finite number/);
      expect(shard.count()).to.equal(1);
    });
  });

  describe('files', () => {
    it('lays shards out under <dataDir>/shards/<class>/<shard>/ and lists them', async () => {
      const reg = fx.registry();
      reg.open(CLASS, 's0', config());
      reg.open(CLASS, 's1', config());
      reg.open('Other', 'a', config());
      await Promise.all(reg.all().map((s) => s.loaded));
      expect(reg.open(CLASS, 's0', config())).to.equal(reg.get(CLASS, 's0'));
      expect(reg.allReady()).to.equal(true);
      expect(reg.onDisk()).to.deep.equal([
        { className: 'Other', shardName: 'a' },
        { className: CLASS, shardName: 's0' },
        { className: CLASS, shardName: 's1' },
      ]);
      expect(readdirSync(join(fx.dataDir, 'shards', CLASS, 's0'))).to.include('store.mdb');
    });

    it('drop deletes a shard\'s files and dropClass every shard of a class', async () => {
      const reg = fx.registry();
      for (const name of ['s0', 's1']) {
        const s = reg.open(CLASS, name, config());
        await s.loaded;
        await s.apply([live(uuid(1), Float32Array.from([1, 2]))]);
      }
      await reg.open('Other', 'a', config()).loaded;
      await reg.drop(CLASS, 's0');
      expect(existsSync(join(fx.dataDir, 'shards', CLASS, 's0'))).to.equal(false);
      expect(reg.get(CLASS, 's0')).to.equal(undefined);
      expect(reg.onDisk().map((d) => `${d.className}/${d.shardName}`)).to.deep.equal(['Other/a', `${CLASS}/s1`]);
      await reg.dropClass(CLASS);
      expect(existsSync(join(fx.dataDir, 'shards', CLASS))).to.equal(false);
      expect(reg.onDisk().map((d) => `${d.className}/${d.shardName}`)).to.deep.equal(['Other/a']);
      // A dropped shard opens again empty.
      const again = reg.open(CLASS, 's0', config());
      await again.loaded;
      expect(again.count()).to.equal(0);
    });

    it('refuses class and shard names that are not one safe path segment', () => {
      const reg = fx.registry();
      for (const bad of ['', '..', 'a/b', '.hidden']) expect(() => reg.open(bad, 's0', config())).to.throw(/invalid class name/);
      expect(() => reg.open(CLASS, '../x', config())).to.throw(/invalid shard name/);
    });

    it('reopens a shard closed directly, and refuses to open one while it is closing', async () => {
      const reg = fx.registry();
      const shard = reg.open(CLASS, 's0', config());
      await shard.loaded;
      await shard.apply([live(uuid(1), Float32Array.from([1, 2]))]);
      const closing = shard.close();
      expect(() => reg.open(CLASS, 's0', config())).to.throw(/is closing/);
      await closing;
      expect(reg.get(CLASS, 's0')).to.equal(undefined);
      const again = reg.open(CLASS, 's0', config());
      expect(again).to.not.equal(shard);
      await again.loaded;
      expect(again.count()).to.equal(1);
    });

    it('rejects writes after close', async () => {
      const { shard } = await openShard();
      await shard.close();
      expect(shard.status()).to.equal('SHUTDOWN');
      await expectRejected(shard.apply([live(uuid(1), Float32Array.from([1]))]), /closed/);
    });
  });
});

export async function expectRejected(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a rejection matching ${pattern}`);
}
