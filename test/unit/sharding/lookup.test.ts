import { expect } from 'chai';
import fc from 'fast-check';
import {
  MAX_TOKEN,
  MAX_VIRTUAL_COUNT,
  ShardingState,
  createShardingState,
  parseShardingState,
  physicalIndexOf,
  physicalShardOf,
  physicalShardOfToken,
  physicalShares,
  planReshard,
  replicasOf,
  serializeShardingState,
  shardsOfPod,
  tokenOf,
  virtualShardOf,
  virtualShardOfToken,
  virtualUpperBound,
} from '../../../api/index.js';
import { clusterArb, makePods, randomUuid, seeded } from './helpers.js';

/** The definition, literally: first virtual shard whose upper bound is >= token, else 0. */
function referenceVirtual(virtualCount: number, token: bigint): number {
  let lo = 0;
  let hi = virtualCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (virtualUpperBound(mid, virtualCount) < token) lo = mid + 1;
    else hi = mid;
  }
  return lo === virtualCount ? 0 : lo;
}

function stateWithVirtualCount(virtualCount: number): ShardingState {
  return createShardingState({ desiredCount: 1, virtualPerPhysical: virtualCount, replicationFactor: 1 }, makePods(1, 0), seeded(1));
}

describe('sharding: lookup', () => {
  it('evenly spaced bounds: the last is 2^64-1 and all shares are equal to within one token', () => {
    for (const v of [1, 3, 128, 1000, 8192]) {
      expect(virtualUpperBound(v - 1, v)).to.equal(MAX_TOKEN);
      const sizes = Array.from({ length: v }, (_, i) => virtualUpperBound(i, v) - (i === 0 ? -1n : virtualUpperBound(i - 1, v)));
      const min = sizes.reduce((a, b) => (a < b ? a : b));
      const max = sizes.reduce((a, b) => (a > b ? a : b));
      expect(max - min <= 1n, `V=${v}`).to.equal(true);
    }
  });

  it('splitting V -> 2V: virtual i covers exactly the ranges of 2i and 2i+1', () => {
    for (const v of [1, 3, 7, 128, 1000]) {
      for (let i = 0; i < v; i++) expect(virtualUpperBound(2 * i + 1, 2 * v)).to.equal(virtualUpperBound(i, v));
    }
  });

  it('finds the virtual shard the definition gives, for random tokens and tokens on and next to bounds', () => {
    const tokenNearBound = fc
      .tuple(fc.integer({ min: 1, max: 5000 }), fc.nat(), fc.integer({ min: -1, max: 1 }))
      .map(([v, i, d]) => {
        const t = virtualUpperBound(i % v, v) + BigInt(d);
        return { v, token: t < 0n ? 0n : t > MAX_TOKEN ? MAX_TOKEN : t };
      });
    const anyToken = fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.bigInt({ min: 0n, max: MAX_TOKEN })).map(([v, token]) => ({ v, token }));
    fc.assert(
      fc.property(fc.oneof(tokenNearBound, anyToken), ({ v, token }) => {
        expect(virtualShardOfToken(stateWithVirtualCount(v), token)).to.equal(referenceVirtual(v, token));
      }),
      { numRuns: 1500, seed: 5 },
    );
  });

  it('finds the right virtual shard next to bounds for the largest virtual count too', () => {
    const v = MAX_VIRTUAL_COUNT;
    const state = stateWithVirtualCount(v);
    for (const i of [0, 1, 2, 12345, v / 2 - 1, v / 2, v - 3, v - 2])
      for (const d of [-1n, 0n, 1n]) {
        const token = virtualUpperBound(i, v) + d;
        expect(virtualShardOfToken(state, token), `bound ${i} ${d}`).to.equal(referenceVirtual(v, token));
      }
    expect(virtualShardOfToken(state, MAX_TOKEN)).to.equal(v - 1);
    expect(virtualShardOfToken(state, 0n)).to.equal(0);
  });

  it('routes identically after a serialise/parse round trip, and by token, UUID and index alike', () => {
    fc.assert(
      fc.property(clusterArb, fc.array(fc.uuid(), { minLength: 1, maxLength: 50 }), (c, uuids) => {
        const state = createShardingState(c, c.pods, seeded(c.seed));
        const copy = parseShardingState(serializeShardingState(state));
        for (const id of uuids) {
          const name = physicalShardOf(state, id);
          expect(physicalShardOf(copy, id)).to.equal(name);
          expect(physicalShardOfToken(state, tokenOf(id)).name).to.equal(name);
          expect(state.physical[physicalIndexOf(state, id)].name).to.equal(name);
          const v = virtualShardOf(state, id);
          expect(v).to.equal(referenceVirtual(state.virtualCount, tokenOf(id)));
          expect(state.physical[state.assignment[v]].name).to.equal(name);
        }
      }),
      { numRuns: 60, seed: 9 },
    );
  });

  it('answers replicasOf and shardsOfPod consistently with the state', () => {
    const state = createShardingState({ desiredCount: 5, virtualPerPhysical: 16, replicationFactor: 2 }, makePods(4, 2), seeded(2));
    for (const s of state.physical) expect(replicasOf(state, s.name)).to.deep.equal(s.replicas);
    expect(replicasOf(state, 'no-such-shard')).to.deep.equal([]);
    for (const p of state.pods)
      expect(shardsOfPod(state, p.name)).to.deep.equal(state.physical.filter((s) => s.replicas.includes(p.name)).map((s) => s.name));
    expect(shardsOfPod(state, 'no-such-pod')).to.deep.equal([]);
  });

  // 1,000,000 UUIDs of 16 random bytes, routed to the physical shards of a state whose shares
  // differ (after re-sharding 3 -> 7, shares are 1/7 within 2%, not exactly equal). Pearson's
  // chi-square against the shares, at the 0.1% level, both per physical and per virtual shard.
  it('spreads 1,000,000 random UUIDs over shards in proportion to their share (chi-square)', function () {
    this.timeout(60_000);
    const created = createShardingState({ desiredCount: 3, virtualPerPhysical: 40, replicationFactor: 1 }, makePods(3, 0), seeded(21));
    const state = planReshard(created, 7, seeded(22)).state;
    const shares = physicalShares(state);
    expect(new Set(shares).size, 'shares differ, so the test can tell them apart').to.be.greaterThan(1);
    const samples = 1_000_000;
    const perPhysical = new Array<number>(state.physical.length).fill(0);
    const perVirtual = new Array<number>(state.virtualCount).fill(0);
    const random = seeded(12345);
    for (let i = 0; i < samples; i++) {
      const id = randomUuid(random);
      const v = virtualShardOf(state, id);
      perVirtual[v]++;
      perPhysical[state.assignment[v]]++;
    }
    const chi = (observed: number[], expected: number[]) => observed.reduce((x, o, i) => x + (o - expected[i]) ** 2 / expected[i], 0);
    const physicalChi = chi(perPhysical, shares.map((s) => s * samples));
    const virtualChi = chi(perVirtual, perVirtual.map(() => samples / state.virtualCount));
    expect(physicalChi).to.be.below(chiSquareCritical(state.physical.length - 1));
    expect(virtualChi).to.be.below(chiSquareCritical(state.virtualCount - 1));
  });

  it('the chi-square test detects a skew as small as a share 1% off', () => {
    // Sanity check of the test above: counts drawn from shares 1% off are rejected.
    const shares = [0.25, 0.25, 0.25, 0.25];
    const observed = [252_500, 249_166, 249_167, 249_167];
    const chi = observed.reduce((x, o, i) => x + (o - shares[i] * 1e6) ** 2 / (shares[i] * 1e6), 0);
    expect(chi).to.be.above(chiSquareCritical(3));
  });
});

/** Upper 0.1% point of chi-square with k degrees of freedom (Wilson-Hilferty; exact enough for k >= 3). */
function chiSquareCritical(k: number): number {
  const z = 3.0902; // standard normal quantile at 0.999
  const a = 2 / (9 * k);
  return k * (1 - a + z * Math.sqrt(a)) ** 3;
}
