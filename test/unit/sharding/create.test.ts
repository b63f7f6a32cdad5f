import { expect } from 'chai';
import fc from 'fast-check';
import {
  createShardingState,
  physicalShares,
  podReplicaCounts,
  roundRobinReplicas,
  zoneInterleaved,
  zoneSpread,
} from '../../../api/index.js';
import { clusterArb, expectValidBalanced, makePods, seeded } from './helpers.js';

describe('sharding: createShardingState', () => {
  it('gives every physical shard exactly 1/n of the token space, distinct replicas, pods within one replica', () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        const state = createShardingState(c, c.pods, seeded(c.seed));
        expect(state.epoch).to.equal(1);
        expect(state.virtualCount).to.equal(c.desiredCount * c.virtualPerPhysical);
        for (const share of physicalShares(state)) expect(share).to.equal(1 / c.desiredCount);
        expectValidBalanced(state);
      }),
      { numRuns: 150, seed: 1 },
    );
  });

  it('is reproducible from the random source alone, and a different source places differently', () => {
    const config = { desiredCount: 4, virtualPerPhysical: 128, replicationFactor: 2 };
    const pods = makePods(5, 0);
    expect(createShardingState(config, pods, seeded(7))).to.deep.equal(createShardingState(config, [...pods].reverse(), seeded(7)));
    expect(createShardingState(config, pods, seeded(7))).not.to.deep.equal(createShardingState(config, pods, seeded(8)));
  });

  it('starts the round-robin at a random pod: every pod is some run\'s first replica', () => {
    const pods = makePods(5, 0);
    const firsts = new Set<string>();
    for (let seed = 0; seed < 60; seed++)
      firsts.add(createShardingState({ desiredCount: 1, virtualPerPhysical: 8, replicationFactor: 1 }, pods, seeded(seed)).physical[0].replicas[0]);
    expect(firsts.size).to.equal(5);
  });

  it('round-robin deals consecutive pods to a shard, wrapping around', () => {
    expect(roundRobinReplicas(3, 2, makePods(4, 0), 3)).to.deep.equal([
      ['pod-3', 'pod-0'],
      ['pod-1', 'pod-2'],
      ['pod-3', 'pod-0'],
    ]);
  });

  it('interleaves zones so consecutive pods are in distinct zones when zones are equal in size', () => {
    const ring = zoneInterleaved(makePods(9, 3));
    for (let i = 0; i < ring.length; i++) expect(ring[i].zone).not.to.equal(ring[(i + 1) % ring.length].zone);
  });

  it('spreads each shard over RF distinct zones when zones are equal in size and at least RF', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (rf, extraZones, perZone, shards, seed) => {
        const zones = rf + extraZones;
        const state = createShardingState({ desiredCount: shards, virtualPerPhysical: 8, replicationFactor: rf }, makePods(zones * perZone, zones), seeded(seed));
        expect(zoneSpread(state)).to.deep.equal(state.physical.map(() => rf));
      }),
      { numRuns: 100, seed: 2 },
    );
  });

  it('counts pods that hold no replica in the balance rule', () => {
    const state = createShardingState({ desiredCount: 2, virtualPerPhysical: 8, replicationFactor: 1 }, makePods(5, 0), seeded(3));
    const loads = [...podReplicaCounts(state).values()].sort();
    expect(loads).to.deep.equal([0, 0, 0, 1, 1]);
  });

  it('rejects impossible configs with messages naming the field', () => {
    const pods = makePods(2, 0);
    expect(() => createShardingState({ desiredCount: 0, virtualPerPhysical: 128, replicationFactor: 1 }, pods)).to.throw(RangeError, /desiredCount must be an integer >= 1, got 0/);
    expect(() => createShardingState({ desiredCount: 1, virtualPerPhysical: 1.5, replicationFactor: 1 }, pods)).to.throw(RangeError, /virtualPerPhysical/);
    expect(() => createShardingState({ desiredCount: 1, virtualPerPhysical: 128, replicationFactor: 3 }, pods)).to.throw(RangeError, /factor 3 needs at least 3 pods, found 2/);
    expect(() => createShardingState({ desiredCount: 1, virtualPerPhysical: 128, replicationFactor: 1 }, [{ name: 'a' }, { name: 'a' }])).to.throw(RangeError, /"a" is listed twice/);
    expect(() => createShardingState({ desiredCount: 10_000, virtualPerPhysical: 128, replicationFactor: 1 }, pods)).to.throw(RangeError, /at most 1048576/);
  });
});
