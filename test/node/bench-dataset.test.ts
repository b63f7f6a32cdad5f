// The benchmark data set is reproducible and its ground truth is exact.
import { expect } from 'chai';
import { generateDataset, recallAtK, row } from '../../bench/dataset.js';
import { cosineDistance as cosine } from '../support/vectors.js';

describe('bench data set', () => {
  const opts = { count: 400, dims: 8, queries: 6, k: 5, clusters: 4 };

  it('is the same for the same seed and differs for another', () => {
    const a = generateDataset(opts);
    const b = generateDataset(opts);
    expect(Buffer.from(a.vectors.buffer).equals(Buffer.from(b.vectors.buffer))).to.equal(true);
    expect([...a.truth]).to.deep.equal([...b.truth]);
    const c = generateDataset({ ...opts, seed: 7 });
    expect(Buffer.from(a.vectors.buffer).equals(Buffer.from(c.vectors.buffer))).to.equal(false);
  });

  it('holds the exact top-k of every query, nearest first', () => {
    const ds = generateDataset(opts);
    for (let q = 0; q < opts.queries; q++) {
      const query = row(ds.queries, opts.dims, q);
      const expected = Array.from({ length: opts.count }, (_, i) => ({ i, d: cosine(query, row(ds.vectors, opts.dims, i)) }))
        .sort((x, y) => x.d - y.d).slice(0, opts.k).map((x) => x.i);
      expect([...ds.truth.subarray(q * opts.k, (q + 1) * opts.k)]).to.deep.equal(expected);
    }
  });

  it('computes recall@k', () => {
    const ds = generateDataset(opts);
    const perfect = Array.from({ length: opts.queries }, (_, q) => [...ds.truth.subarray(q * opts.k, (q + 1) * opts.k)]);
    expect(recallAtK(ds.truth, opts.k, perfect)).to.equal(1);
    expect(recallAtK(ds.truth, opts.k, perfect.map((ids) => ids.slice(0, 2)))).to.equal(0.4);
  });
});
