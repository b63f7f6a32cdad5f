// The store reserves its memory map up front: lmdb-js otherwise starts at 128 KB and doubles the
// map as the file grows, keeping every outgrown map (and its resident pages) alive, which left
// 158 MB resident for a 100 MB store at 100k x 128-d.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardStore, STORE_MAP_BYTES } from '../../node/src/shards/store.js';

describe('shards: store memory map', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'shoal-store-map-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('maps the whole reserved size at open and does not grow it while writing', async () => {
    const store = ShardStore.open(dir);
    try {
      const mapSize = () => (store.root.getStats() as { mapSize: number }).mapSize;
      expect(mapSize()).to.be.at.least(STORE_MAP_BYTES);
      const before = mapSize();
      const bytes = Buffer.alloc(512, 7);
      for (let b = 0; b < 4000; b += 500) {
        await store.transact(() => {
          for (let i = b; i < b + 500; i++) store.vectors.put(i, bytes);
        });
      }
      await store.flushed();
      expect(mapSize()).to.equal(before);
    } finally {
      await store.close();
    }
  });
});
