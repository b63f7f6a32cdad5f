// Shared test helpers for the sharding model: a seeded generator, random UUIDs, fast-check
// arbitraries for clusters, an independent re-implementation of what moves mean (applyMoves),
// and the lower bounds that the planners must meet.
import fc from 'fast-check';
import { expect } from 'chai';
import {
  Move,
  PodInfo,
  ShardingState,
  balanceViolations,
  parseShardingState,
  serializeShardingState,
} from '../../../api/index.js';
import { seededRandom } from '../../../api/index.js';

/** Seeded uniform numbers in [0, 1) (api/src/random.ts). */
export const seeded = seededRandom;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** A UUID string made of 16 random bytes (not a v4 UUID: every bit is random). */
export function randomUuid(random: () => number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[Math.floor(random() * 256)];
  }
  return s;
}

/** Pods `prefix-0..count-1`, in `zones` zones (none when zones is 0), zone sizes may differ. */
export function makePods(count: number, zones: number, prefix = 'pod', offset = 0): PodInfo[] {
  return Array.from({ length: count }, (_, i) =>
    zones === 0 ? { name: `${prefix}-${offset + i}` } : { name: `${prefix}-${offset + i}`, zone: `zone-${(offset + i) % zones}` },
  );
}

/** A random cluster: config and pods, small enough for many runs. */
export const clusterArb = fc
  .record({
    desiredCount: fc.integer({ min: 1, max: 12 }),
    virtualPerPhysical: fc.constantFrom(128, 128, 64, 200),
    replicationFactor: fc.integer({ min: 1, max: 3 }),
    extraPods: fc.integer({ min: 0, max: 7 }),
    zones: fc.integer({ min: 0, max: 4 }),
    seed: fc.integer(),
  })
  .map((c) => ({ ...c, pods: makePods(c.replicationFactor + c.extraPods, c.zones) }));

/** Deep-freeze a state so that any attempt of a planner to mutate it throws. */
export function frozen(state: ShardingState): ShardingState {
  const freeze = (v: unknown): void => {
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
      Object.freeze(v);
      Object.values(v).forEach(freeze);
    }
  };
  freeze(state);
  return state;
}

/** Everything that must hold of any state a planner returns. */
export function expectValidBalanced(state: ShardingState): void {
  const text = serializeShardingState(state);
  expect(parseShardingState(text), 'parse(serialize(state)) equals state').to.deep.equal(state);
  expect(balanceViolations(state)).to.deep.equal([]);
  for (const s of state.physical) {
    expect(s.replicas).to.have.length(state.replicationFactor);
    expect(new Set(s.replicas).size, `replicas of ${s.name} are distinct`).to.equal(s.replicas.length);
  }
}

interface Layout {
  assignment: string[];
  replicas: Map<string, string[]>;
}

function layoutOf(state: ShardingState): Layout {
  return {
    assignment: state.assignment.map((p) => state.physical[p].name),
    replicas: new Map(state.physical.map((s) => [s.name, s.replicas.slice()])),
  };
}

/**
 * Apply moves to a state's layout, checking each move's preconditions (the data it moves is
 * where it says). An independent reading of the Move contract, used to check the planners.
 */
export function applyMoves(state: ShardingState, moves: readonly Move[]): Layout {
  const { assignment: a, replicas } = layoutOf(state);
  let assignment = a;
  for (const m of moves) {
    const where = `move ${JSON.stringify(m)}`;
    switch (m.kind) {
      case 'split':
        expect(assignment.length, where).to.equal(m.fromCount);
        expect(m.toCount, where).to.equal(2 * m.fromCount);
        assignment = assignment.flatMap((s) => [s, s]);
        break;
      case 'createShard':
        expect(replicas.has(m.shard), where).to.equal(false);
        replicas.set(m.shard, m.replicas.slice());
        break;
      case 'virtual':
        expect(assignment[m.virtual], where).to.equal(m.fromShard);
        expect(replicas.has(m.toShard), where).to.equal(true);
        assignment[m.virtual] = m.toShard;
        break;
      case 'dropShard':
        expect(assignment.includes(m.shard), where).to.equal(false);
        expect(replicas.get(m.shard), where).to.deep.equal(m.replicas);
        replicas.delete(m.shard);
        break;
      case 'replica': {
        const r = replicas.get(m.shard)!;
        expect(r, where).to.include(m.from);
        if (m.from === m.to) expect(m.fromLost, where).to.equal(true);
        else expect(r, where).not.to.include(m.to);
        r[r.indexOf(m.from)] = m.to;
        break;
      }
      case 'addReplica':
        expect(replicas.get(m.shard), where).not.to.include(m.to);
        replicas.get(m.shard)!.push(m.to);
        break;
      case 'removeReplica': {
        const r = replicas.get(m.shard)!;
        expect(r, where).to.include(m.from);
        r.splice(r.indexOf(m.from), 1);
        break;
      }
    }
  }
  return { assignment, replicas };
}

/** The moves lead exactly from `before` to `after` (same assignment, same replica sets). */
export function expectMovesExplain(before: ShardingState, moves: readonly Move[], after: ShardingState): void {
  const got = applyMoves(before, moves);
  const want = layoutOf(after);
  expect(got.assignment, 'assignment after applying the moves').to.deep.equal(want.assignment);
  const sets = (m: Map<string, string[]>) => new Map([...m].map(([k, v]) => [k, [...v].sort()]));
  expect(sets(got.replicas), 'replicas after applying the moves').to.deep.equal(sets(want.replicas));
}

/**
 * Fewest replica moves any balanced placement needs when pods carry `loads` now (leaving pods
 * included, with `stays` false) and `total` replicas must end on the staying pods: the staying
 * pods holding most get the ceil(total/pods) targets, the rest floor; leaving pods get 0.
 */
export function replicaMoveLowerBound(loads: { load: number; stays: boolean }[], total: number): number {
  const staying = loads.filter((l) => l.stays).sort((a, b) => b.load - a.load);
  const base = Math.floor(total / staying.length);
  const extra = total % staying.length;
  const excessStaying = staying.reduce((n, l, i) => n + Math.max(0, l.load - (base + (i < extra ? 1 : 0))), 0);
  const leaving = loads.filter((l) => !l.stays).reduce((n, l) => n + l.load, 0);
  return excessStaying + leaving;
}
