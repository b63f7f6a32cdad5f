// Restart paths: snapshot + replay of later changes, missing/corrupt/mismatched snapshots
// rebuilt from the store, periodic snapshots, metrics.
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../../node/src/metrics/registry.js';
import { createShardRegistry, type Shard, type ShardRegistry } from '../../node/src/shards/index.js';
import { CLASS, Fixture, config, eventually, live, quietLog, randomVector, rng, tombstone, uuid } from './helpers.js';

const DIMS = 8;

async function recoveries(mode: string, reason: string): Promise<number> {
  const metric = await registry.getSingleMetric('shoal_shard_recoveries_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels.mode === mode && v.labels.reason === reason).reduce((a, v) => a + v.value, 0);
}

/** Top-5 ids of a few fixed queries: equal before and after a restart means the same index content. */
async function fingerprint(shard: Shard): Promise<string[][]> {
  const next = rng(1234);
  const out: string[][] = [];
  for (let i = 0; i < 20; i++) out.push((await shard.search({ vector: randomVector(next, DIMS), k: 5, ef: 200 })).map((h) => h.id));
  return out;
}

describe('shards: snapshots and recovery', function () {
  let fx: Fixture;
  beforeEach(() => (fx = new Fixture()));
  afterEach(() => fx.cleanup());

  const shardDir = () => join(fx.dataDir, 'shards', CLASS, 's0');

  async function reopen(opts = {}): Promise<{ reg: ShardRegistry; shard: Shard }> {
    const reg = fx.registry(opts);
    const shard = reg.open(CLASS, 's0', config());
    await shard.loaded;
    return { reg, shard };
  }

  /** 1000 objects, a snapshot, then updates, deletes and inserts that only the change log holds. */
  async function snapshotThenMoreWrites(shard: Shard): Promise<void> {
    const next = rng(3);
    await shard.apply(Array.from({ length: 1000 }, (_, i) => live(uuid(i + 1), randomVector(next, DIMS))));
    await shard.snapshot();
    await shard.apply(Array.from({ length: 100 }, (_, i) => live(uuid(i + 1), randomVector(next, DIMS), 2)));
    await shard.apply(Array.from({ length: 100 }, (_, i) => tombstone(uuid(i + 101), 2)));
    await shard.apply(Array.from({ length: 200 }, (_, i) => live(uuid(i + 2001), randomVector(next, DIMS))));
  }

  it('reopens from the snapshot and replays only the later changes', async () => {
    const first = await reopen({ snapshotOnClose: false });
    await snapshotThenMoreWrites(first.shard);
    const before = await fingerprint(first.shard);
    await first.reg.close();

    const fromSnapshot = await recoveries('snapshot', 'snapshot');
    const { shard } = await reopen();
    expect(await recoveries('snapshot', 'snapshot')).to.equal(fromSnapshot + 1);
    expect(shard.count()).to.equal(1100);
    expect(shard.info()).to.include({ status: 'READY', loadProgress: 1, objectCount: 1100 });
    expect(await fingerprint(shard)).to.deep.equal(before);
    expect((await shard.search({ vector: randomVector(rng(9), DIMS), k: 1100, ef: 2000 })).map((h) => h.id)).to.not.include(uuid(150));
  });

  it('keeps one snapshot file, published through snapshot.json, and prunes the change log', async () => {
    const { reg, shard } = await reopen();
    await snapshotThenMoreWrites(shard);
    await shard.snapshot();
    const files = readdirSync(shardDir()).filter((f) => f.endsWith('.hnsw'));
    const meta = JSON.parse(readFileSync(join(shardDir(), 'snapshot.json'), 'utf8'));
    expect(files).to.deep.equal([meta.file]);
    expect(meta.seq).to.equal(1400);
    await reg.close();
    // Reopen writes no snapshot when nothing changed, and a restart replays nothing.
    const again = await reopen();
    expect(again.shard.count()).to.equal(1100);
    await again.reg.close();
    expect(JSON.parse(readFileSync(join(shardDir(), 'snapshot.json'), 'utf8')).seq).to.equal(1400);
  });

  for (const damage of ['flipped byte', 'truncated file', 'garbled snapshot.json'] as const) {
    it(`detects a corrupt snapshot (${damage}) and rebuilds the index from the store`, async () => {
      const first = await reopen();
      await snapshotThenMoreWrites(first.shard);
      const before = await fingerprint(first.shard);
      await first.reg.close();
      const meta = JSON.parse(readFileSync(join(shardDir(), 'snapshot.json'), 'utf8'));
      const file = join(shardDir(), meta.file);
      const bytes = readFileSync(file);
      if (damage === 'flipped byte') bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      if (damage === 'flipped byte' || damage === 'truncated file') writeFileSync(file, damage === 'truncated file' ? bytes.subarray(0, bytes.length - 100) : bytes);
      if (damage === 'garbled snapshot.json') writeFileSync(join(shardDir(), 'snapshot.json'), '{"format":1,"fi');

      const rebuilds = await recoveries('rebuild', 'corrupt');
      const { shard } = await reopen();
      expect(await recoveries('rebuild', 'corrupt')).to.equal(rebuilds + 1);
      expect(shard.count()).to.equal(1100);
      expect(await fingerprint(shard)).to.deep.equal(before);
      // The rebuild is followed by a fresh, valid snapshot.
      const republished = () => {
        try {
          return JSON.parse(readFileSync(join(shardDir(), 'snapshot.json'), 'utf8')).createdAt !== meta.createdAt;
        } catch {
          return false;
        }
      };
      await eventually(republished, 10_000, 'a new snapshot after the rebuild');
    });
  }

  it('rebuilds when the snapshot does not match the store (settings changed, or taken of another store)', async () => {
    const first = await reopen();
    await snapshotThenMoreWrites(first.shard);
    await first.reg.close();
    const mismatches = await recoveries('rebuild', 'mismatch');
    const reg = fx.registry();
    const shard = reg.open(CLASS, 's0', config({ maxConnections: 8 }));
    await shard.loaded;
    expect(await recoveries('rebuild', 'mismatch')).to.equal(mismatches + 1);
    expect((await shard.search({ vector: randomVector(rng(1), DIMS), k: 3 })).length).to.equal(3);
  });

  it('rebuilds when the snapshot is missing, reporting progress until ready', async () => {
    const first = await reopen({ snapshotOnClose: false });
    const next = rng(4);
    await first.shard.apply(Array.from({ length: 3000 }, (_, i) => live(uuid(i + 1), randomVector(next, DIMS))));
    await first.reg.close();
    const reg = fx.registry();
    const shard = reg.open(CLASS, 's0', config());
    const seen: number[] = [];
    const progress = shard.loaded.then(() => 'done');
    while ((await Promise.race([progress, Promise.resolve('pending')])) === 'pending') {
      const info = shard.info();
      if (info.status === 'LOADING') seen.push(info.loadProgress);
      expect(reg.allReady()).to.equal(info.status === 'READY');
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(seen.length).to.be.greaterThan(0);
    expect(seen.every((p) => p >= 0 && p <= 1)).to.equal(true);
    expect(shard.info()).to.include({ status: 'READY', loadProgress: 1, indexSize: 3000 });
    const text = await registry.metrics();
    expect(text).to.match(/shoal_shard_load_progress_ratio\{class="Thing",shard="s0"\} 1/);
  });

  it('accepts writes while loading and makes them searchable once ready', async () => {
    const first = await reopen({ snapshotOnClose: false });
    const next = rng(5);
    await first.shard.apply(Array.from({ length: 3000 }, (_, i) => live(uuid(i + 1), randomVector(next, DIMS))));
    await first.reg.close();
    const shard = fx.registry().open(CLASS, 's0', config());
    const v = randomVector(next, DIMS);
    const written = shard.apply([live(uuid(99_999), v), tombstone(uuid(1), 2)]);
    expect(await written).to.deep.equal([{ outcome: 'applied' }, { outcome: 'applied' }]);
    await shard.loaded;
    const hits = await shard.search({ vector: v, k: 3 });
    expect(hits[0].id).to.equal(uuid(99_999));
    expect(shard.count()).to.equal(3000);
  });

  it('keeps freed labels across a restart and reuses them without answering with a wrong object', async () => {
    const reuse = { labelReuse: { minFree: 0, fraction: 0 } };
    const first = await reopen(reuse);
    const next = rng(6);
    await first.shard.apply(Array.from({ length: 200 }, (_, i) => live(uuid(i + 1), randomVector(next, DIMS))));
    await first.shard.apply(Array.from({ length: 100 }, (_, i) => tombstone(uuid(i + 1), 2)));
    await first.reg.close();

    const { shard } = await reopen(reuse);
    const fresh = Array.from({ length: 100 }, (_, i) => live(uuid(i + 1001), randomVector(next, DIMS)));
    await shard.apply(fresh);
    expect(shard.info()).to.include({ indexSize: 200, indexTombstones: 0, objectCount: 200 });
    for (const obj of fresh) {
      const hits = await shard.search({ vector: obj.vector as Float32Array, k: 3 });
      expect(hits.map((h) => h.id)).to.include(obj.id);
      for (const h of hits) expect(Number.parseInt(h.id.replace(/-/g, ''), 16)).to.be.above(100);
    }
  });

  it('snapshots periodically when the index changed', async () => {
    const { shard } = await reopen({ snapshotIntervalMs: 50 });
    await shard.apply([live(uuid(1), randomVector(rng(1), DIMS))]);
    await eventually(() => readdirSync(shardDir()).includes('snapshot.json'), 10_000, 'a periodic snapshot');
  });

  it('registers its metrics once however many registries a process creates', async () => {
    const a = createShardRegistry({ dataDir: join(fx.dataDir, 'a'), workers: 1, snapshotIntervalMs: 0, log: quietLog });
    const b = createShardRegistry({ dataDir: join(fx.dataDir, 'b'), workers: 1, snapshotIntervalMs: 0, log: quietLog });
    const s = a.open('M', 's0', config());
    await s.loaded;
    await s.apply([live(uuid(1), randomVector(rng(1), DIMS))].map((o) => ({ ...o, class: 'M' })));
    const text = await registry.metrics();
    for (const name of ['shoal_shard_objects', 'shoal_shard_index_size', 'shoal_shard_index_tombstones', 'shoal_shard_snapshot_duration_seconds', 'shoal_shard_recovery_duration_seconds', 'shoal_shard_apply_duration_seconds', 'shoal_shard_search_duration_seconds']) {
      expect(text).to.include(`# TYPE ${name} `);
    }
    expect(text).to.match(/shoal_shard_objects\{class="M",shard="s0"\} 1/);
    await a.close();
    await b.close();
    expect(await registry.metrics()).to.not.match(/shoal_shard_objects\{class="M"/);
  });
});
