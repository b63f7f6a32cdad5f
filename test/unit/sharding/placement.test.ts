// The replica placement solver against brute force: on small problems, enumerate every
// placement, keep the balanced ones, and check that the solver's choice has the fewest moves
// and, among those, the most distinct zones.
import { expect } from 'chai';
import fc from 'fast-check';
import { PodInfo, placeReplicas } from '../../../api/index.js';

function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items;
  return [...combinations(rest, k - 1).map((c) => [first, ...c]), ...combinations(rest, k)];
}

/** (moves, zone duplicates) of a placement: moves are replicas on pods that did not hold the shard. */
function score(placement: string[][], current: string[][], zoneOf: Map<string, string>): [number, number] {
  let moves = 0;
  let duplicates = 0;
  placement.forEach((pods, s) => {
    moves += pods.filter((p) => !current[s].includes(p)).length;
    duplicates += pods.length - new Set(pods.map((p) => zoneOf.get(p))).size;
  });
  return [moves, duplicates];
}

function balanced(placement: string[][], pods: readonly PodInfo[]): boolean {
  const loads = new Map(pods.map((p) => [p.name, 0]));
  for (const shard of placement) for (const p of shard) loads.set(p, loads.get(p)! + 1);
  return Math.max(...loads.values()) - Math.min(...loads.values()) <= 1;
}

function bruteForceBest(current: string[][], pods: readonly PodInfo[], rf: number): [number, number] {
  const zoneOf = new Map(pods.map((p) => [p.name, p.zone ?? '']));
  const choices = combinations(pods.map((p) => p.name), rf);
  let best: [number, number] = [Infinity, Infinity];
  const walk = (s: number, acc: string[][]): void => {
    if (s === current.length) {
      if (!balanced(acc, pods)) return;
      const sc = score(acc, current, zoneOf);
      if (sc[0] < best[0] || (sc[0] === best[0] && sc[1] < best[1])) best = sc;
      return;
    }
    for (const c of choices) walk(s + 1, [...acc, c]);
  };
  walk(0, []);
  return best;
}

const problemArb = fc
  .record({
    podCount: fc.integer({ min: 1, max: 5 }),
    zones: fc.integer({ min: 0, max: 3 }),
    rf: fc.integer({ min: 1, max: 3 }),
    shards: fc.integer({ min: 1, max: 4 }),
    current: fc.array(fc.array(fc.nat(6), { maxLength: 4 }), { minLength: 4, maxLength: 4 }),
    zonePick: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  })
  .filter((p) => p.rf <= p.podCount)
  .map((p) => {
    const pods: PodInfo[] = Array.from({ length: p.podCount }, (_, i) =>
      p.zones === 0 ? { name: `p${i}` } : { name: `p${i}`, zone: `z${p.zonePick[i] % p.zones}` },
    );
    // Current replicas may name pods that are gone (p5, p6) and may have too few or too many.
    const current = p.current.slice(0, p.shards).map((c) => [...new Set(c.map((i) => `p${i}`))]);
    return { pods, rf: p.rf, current };
  });

describe('sharding: replica placement solver', () => {
  it('finds a balanced placement with the fewest moves, then the most distinct zones (brute force check)', function () {
    this.timeout(60_000);
    fc.assert(
      fc.property(problemArb, ({ pods, rf, current }) => {
        const placed = placeReplicas({ current, pods, replicationFactor: rf });
        for (const shard of placed) {
          expect(shard).to.have.length(rf);
          expect(new Set(shard).size).to.equal(rf);
        }
        expect(balanced(placed, pods), 'balanced').to.equal(true);
        const zoneOf = new Map(pods.map((p) => [p.name, p.zone ?? '']));
        expect(score(placed, current, zoneOf)).to.deep.equal(bruteForceBest(current, pods, rf));
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it('refuses fewer pods than the replication factor', () => {
    expect(() => placeReplicas({ current: [[]], pods: [{ name: 'a' }], replicationFactor: 2 })).to.throw(RangeError, /needs at least 2 pods, found 1/);
  });
});
