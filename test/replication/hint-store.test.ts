// The durable hint store: batches per target in the order hinted, counts without decoding,
// expiry by creation time, and everything still there after a reopen.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LiveObject } from '../../node/src/objects/types.js';
import { HintStore } from '../../node/src/coordinator/distributed/hints/store.js';
import { CLASS, live, randomVector, rng, tombstone, uuid } from '../shards/helpers.js';

describe('replication: hint store', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'shoal-hints-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps batches per target in order, with exact vectors, and survives a reopen', async () => {
    const next = rng(1);
    const a = [live(uuid(1), randomVector(next, 4), 7), tombstone(uuid(2), 9)];
    const b = [live(uuid(3), null, 8)];
    let store = HintStore.open(dir);
    await store.add('pod-1', { class: CLASS, shard: 's1' }, a, 1_000);
    await store.add('pod-10', { class: CLASS, shard: 's2' }, b, 1_000);
    await store.add('pod-1', { class: CLASS, shard: 's2' }, b, 2_000);
    await store.close();

    store = HintStore.open(dir);
    expect(store.targets()).to.deep.equal(['pod-1', 'pod-10']);
    expect([store.pending('pod-1'), store.pending('pod-10'), store.pending('pod-2')]).to.deep.equal([3, 1, 0]);
    const batches = store.oldest('pod-1', 10);
    expect(batches.map((x) => [x.ref.shard, x.records.length, x.createdMs])).to.deep.equal([['s1', 2, 1_000], ['s2', 1, 2_000]]);
    expect(Array.from((batches[0].records[0] as LiveObject).vector!)).to.deep.equal(Array.from((a[0] as LiveObject).vector!));
    expect(batches[0].records[1]).to.deep.equal(a[1]);

    expect(store.createdBy('pod-1', 1_500).map((k) => k[2])).to.deep.equal([2]);
    await store.remove(batches[0].key);
    expect(store.pending('pod-1')).to.equal(1);
    expect(store.oldest('pod-1', 10).map((x) => x.ref.shard)).to.deep.equal(['s2']);
    expect(store.oldest('pod-10', 10)).to.have.length(1);
    await store.close();
  });
});
