// The pure decisions of a search: distance conventions, ef, filtered strategy.
import { expect } from 'chai';
import { filteredStrategy, fromHnswDistance, searchEf, spaceOf } from '../../node/src/shards/search-plan.js';
import { config } from './helpers.js';

describe('shards: search plan', () => {
  it('maps distances to hnswlib spaces and converts inner product to -dot', () => {
    expect([spaceOf('cosine'), spaceOf('l2-squared'), spaceOf('dot')]).to.deep.equal(['cosine', 'l2', 'ip']);
    expect(fromHnswDistance('ip', 1 - 0.75)).to.equal(-0.75);
    expect(fromHnswDistance('cosine', 0.2)).to.equal(0.2);
    expect(fromHnswDistance('l2', 4)).to.equal(4);
  });

  it('computes ef: explicit raised to k, else the config ef, else clamp(k * factor, min, max)', () => {
    const auto = config({ ef: -1, dynamicEfMin: 100, dynamicEfMax: 500, dynamicEfFactor: 8 });
    expect(searchEf(10, undefined, auto)).to.equal(100);
    expect(searchEf(20, undefined, auto)).to.equal(160);
    expect(searchEf(100, undefined, auto)).to.equal(500);
    expect(searchEf(800, undefined, auto)).to.equal(800);
    expect(searchEf(10, 5, auto)).to.equal(10);
    expect(searchEf(10, 64, auto)).to.equal(64);
    expect(searchEf(10, undefined, config({ ef: 40 }))).to.equal(40);
    expect(searchEf(50, undefined, config({ ef: 40 }))).to.equal(50);
  });

  it('scans few matches exactly and walks the graph for many, never past the cutoff', () => {
    expect(filteredStrategy(100, 100_000, 100, 40_000)).to.equal('flat');
    expect(filteredStrategy(1_000, 100_000, 100, 40_000)).to.equal('flat');
    expect(filteredStrategy(10_000, 100_000, 100, 40_000)).to.equal('filter');
    expect(filteredStrategy(1_000, 100_000, 100, 500)).to.equal('filter');
    // A tiny index: walking all of it costs less than reading the matches from the store.
    expect(filteredStrategy(50, 60, 100, 40_000)).to.equal('filter');
  });
});
