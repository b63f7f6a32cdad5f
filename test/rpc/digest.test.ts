// Replica digests: order-free, sensitive to every field that decides last-write-wins, and
// pointing at the buckets that differ.
import { expect } from 'chai';
import fc from 'fast-check';
import { bucketOf, differingBuckets, digestOf, digestRoot } from '../../node/src/rpc/replica/digest.js';

const entry = (id: string, version = 1, origin = 'p', deleted = false) => ({ id, version, origin, deleted });

describe('rpc: replica digests', () => {
  it('do not depend on the order entries are added in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uuid(), { maxLength: 60 }), fc.integer({ min: 0, max: 8 }), (ids, bits) => {
        const entries = ids.map((id, i) => entry(id, i));
        expect(digestRoot(digestOf([...entries].reverse(), bits))).to.equal(digestRoot(digestOf(entries, bits)));
      }),
    );
  });

  it('change with the version, origin or deletion of one entry, in that entry\'s bucket only', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);
    const base = digestOf(ids.map((id) => entry(id)), 6);
    for (const changed of [entry(ids[7], 2), entry(ids[7], 1, 'q'), entry(ids[7], 1, 'p', true)]) {
      const other = digestOf(ids.map((id, i) => (i === 7 ? changed : entry(id))), 6);
      expect(differingBuckets(base, other)).to.deep.equal([bucketOf(ids[7], 6)]);
      expect(digestRoot(other)).to.not.equal(digestRoot(base));
    }
    const missing = digestOf(ids.slice(1).map((id) => entry(id)), 6);
    expect(differingBuckets(base, missing)).to.deep.equal([bucketOf(ids[0], 6)]);
  });

  it('spread sequential ids over the buckets', () => {
    const ids = Array.from({ length: 4096 }, (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);
    const counts = digestOf(ids.map((id) => entry(id)), 4).counts;
    for (const n of counts) expect(n).to.be.within(256 * 0.75, 256 * 1.25);
  });
});
