// The label table: fresh labels until reuse is due, oldest freed first, and bindings newer than
// a search never resolve.
import { expect } from 'chai';
import { LabelTable } from '../../node/src/shards/labels.js';

describe('shards: labels', () => {
  it('hands out fresh labels until enough are free, then reuses the oldest freed first', () => {
    const table = LabelTable.restore(0, [], { minFree: 2, fraction: 0 });
    const labels = [1, 2, 3, 4, 5].map((seq) => table.allocate(seq).label);
    expect(labels).to.deep.equal([0, 1, 2, 3, 4]);
    table.release(3);
    table.release(1);
    expect(table.allocate(6)).to.deep.equal({ label: 5, reused: false }); // 2 free: not more than minFree
    table.release(0);
    expect(table.allocate(7)).to.deep.equal({ label: 3, reused: true });
    expect(table.bound).to.equal(4);
    expect(table.freeCount).to.equal(2);
    expect(() => table.release(3 + 100)).to.throw(/not bound/);
  });

  it('resolves a label only if its binding is not newer than the change a search saw', () => {
    const table = LabelTable.restore(0, [], { minFree: 0, fraction: 0 });
    const { label } = table.allocate(10);
    expect(table.boundSince(label, 9)).to.equal(false);
    expect(table.boundSince(label, 10)).to.equal(true);
    table.release(label);
    expect(table.boundSince(label, 10)).to.equal(false);
    expect(table.allocate(12)).to.deep.equal({ label, reused: true });
    expect(table.boundSince(label, 11)).to.equal(false);
    expect(table.boundSince(label, 12)).to.equal(true);
  });

  it('restores from the durable next label and free list, every old binding visible', () => {
    const table = LabelTable.restore(6, [4, 1], { minFree: 0, fraction: 0 });
    expect(table.bound).to.equal(4);
    expect([0, 1, 2, 3, 4, 5].map((l) => table.boundSince(l, 0))).to.deep.equal([true, false, true, true, false, true]);
    expect(table.allocate(1).label).to.equal(4);
    expect(table.allocate(2).label).to.equal(1);
    expect(table.allocate(3).label).to.equal(6);
  });
});
