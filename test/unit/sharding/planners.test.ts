// Property tests of the movement planners over random clusters and random sequences of changes.
// After every planner: the input is untouched, the result is valid and balanced, the epoch went
// up by one, the moves explain the change exactly, and no more moved than the stated bound.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  Move,
  Plan,
  PodInfo,
  ShardingState,
  countMoves,
  createShardingState,
  planAddPods,
  planRemovePods,
  planReplacePod,
  planReplicationFactor,
  planReshard,
  podReplicaCounts,
  serializeShardingState,
  virtualCounts,
  zoneSpread,
} from '../../../api/index.js';
import { clusterArb, expectMovesExplain, expectValidBalanced, frozen, makePods, replicaMoveLowerBound, seeded } from './helpers.js';

type Op =
  | { kind: 'add'; count: number; zones: number }
  | { kind: 'remove'; picks: number[] }
  | { kind: 'replace'; pick: number; how: 'none' | 'new' | 'same' }
  | { kind: 'reshard'; count: number }
  | { kind: 'rf'; factor: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), count: fc.integer({ min: 1, max: 4 }), zones: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('remove' as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), how: fc.constantFrom('none' as const, 'new' as const, 'same' as const) }),
  fc.record({ kind: fc.constant('reshard' as const), count: fc.integer({ min: 1, max: 14 }) }),
  fc.record({ kind: fc.constant('rf' as const), factor: fc.integer({ min: 1, max: 4 }) }),
);

let podSerial = 0;

function loadsBefore(state: ShardingState, stays: (pod: string) => boolean): { load: number; stays: boolean }[] {
  return [...podReplicaCounts(state)].map(([pod, load]) => ({ load, stays: stays(pod) }));
}

function expectOnlyKinds(moves: readonly Move[], kinds: Move['kind'][]): void {
  for (const m of moves) expect(kinds, `unexpected move ${JSON.stringify(m)}`).to.include(m.kind);
}

/** Replica moves that relocate a replica (rebuilds in place, from === to, are not relocations). */
function relocations(moves: readonly Move[]): number {
  return moves.filter((m) => m.kind === 'replica' && m.from !== m.to).length;
}

/**
 * When pods leave, the lower bound (replicas on leaving pods plus excess elsewhere) is reached
 * when the pods with room do not already hold the orphaned shards. It always is with one
 * replica per shard; otherwise a replica may need a second hop, never more than one per bound
 * unit. (placement.test.ts checks exact optimality against brute force on small cases.)
 */
function expectRelocationsNear(state: ShardingState, moves: readonly Move[], bound: number): void {
  const n = relocations(moves);
  if (state.replicationFactor === 1) expect(n).to.equal(bound);
  expect(n).to.be.at.least(bound).and.at.most(2 * bound);
}

/** Run one operation if it is possible in this state; check its movement bound. */
function runOp(state: ShardingState, op: Op, random: () => number): Plan | undefined {
  const total = state.physical.length * state.replicationFactor;
  switch (op.kind) {
    case 'add': {
      const added: PodInfo[] = makePods(op.count, op.zones, 'new', podSerial);
      podSerial += op.count;
      const plan = planAddPods(state, added);
      expectOnlyKinds(plan.moves, ['replica']);
      // Adding pods only, the lower bound is always reachable: a pod above its target holds more
      // shards than one below it, so it has a shard the other lacks.
      expect(relocations(plan.moves)).to.equal(replicaMoveLowerBound([...loadsBefore(state, () => true), ...added.map(() => ({ load: 0, stays: true }))], total));
      return plan;
    }
    case 'remove': {
      const names = [...new Set(op.picks.map((i) => state.pods[i % state.pods.length].name))];
      if (state.pods.length - names.length < state.replicationFactor) return undefined;
      const plan = planRemovePods(state, names);
      expectOnlyKinds(plan.moves, ['replica']);
      expectRelocationsNear(state, plan.moves, replicaMoveLowerBound(loadsBefore(state, (p) => !names.includes(p)), total));
      for (const m of plan.moves) expect(m.kind === 'replica' && m.fromLost, 'a drained pod is alive').to.equal(false);
      return plan;
    }
    case 'replace':
      return runReplace(state, op);
    case 'reshard':
      return runReshard(state, op.count, random);
    case 'rf': {
      if (op.factor > state.pods.length) return undefined;
      const plan = planReplicationFactor(state, op.factor);
      const c = countMoves(plan.moves);
      const delta = state.physical.length * (op.factor - state.replicationFactor);
      expect(c.addReplica - c.removeReplica).to.equal(delta);
      expect(c.addReplica + c.removeReplica, 'only the replicas the new factor needs are added or removed').to.equal(Math.abs(delta));
      expectOnlyKinds(plan.moves, ['addReplica', 'removeReplica', 'replica']);
      return plan;
    }
  }
}

function runReplace(state: ShardingState, op: Extract<Op, { kind: 'replace' }>): Plan | undefined {
  const gone = state.pods[op.pick % state.pods.length];
  const goneLoad = podReplicaCounts(state).get(gone.name)!;
  const total = state.physical.length * state.replicationFactor;
  if (op.how === 'none' && state.pods.length - 1 < state.replicationFactor) return undefined;
  const replacement = op.how === 'none' ? undefined : op.how === 'same' ? gone : { name: `new-${podSerial++}`, zone: gone.zone };
  const plan = planReplacePod(state, gone.name, replacement);
  expectOnlyKinds(plan.moves, ['replica']);
  for (const m of plan.moves) if (m.kind === 'replica') expect(m.fromLost).to.equal(m.from === gone.name);
  if (op.how === 'same') {
    expect(plan.moves.filter((m) => m.kind === 'replica' && m.from === m.to)).to.have.length(goneLoad);
    expect(relocations(plan.moves)).to.equal(0);
  } else {
    const stays = op.how === 'none' ? [] : [{ load: 0, stays: true }];
    const bound = replicaMoveLowerBound([...loadsBefore(state, (p) => p !== gone.name), ...stays], total);
    if (op.how === 'new') expect(relocations(plan.moves), 'a new pod takes the lost replicas').to.equal(bound);
    else expectRelocationsNear(state, plan.moves, bound);
    expect(plan.moves.filter((m) => m.kind === 'replica' && m.from === gone.name)).to.have.length(goneLoad);
    if (op.how === 'new') expect(plan.moves.every((m) => m.kind === 'replica' && m.from === gone.name)).to.equal(true);
  }
  return plan;
}

/** Fewest virtual moves for the split counts: ceil(V/m) targets to the shards holding most. */
function virtualMoveLowerBound(counts: number[], virtualCount: number, shardCount: number): number {
  const kept = counts.slice(0, shardCount).sort((a, b) => b - a);
  const base = Math.floor(virtualCount / shardCount);
  const extra = virtualCount % shardCount;
  const excess = kept.reduce((n, c, i) => n + Math.max(0, c - base - (i < extra ? 1 : 0)), 0);
  return excess + counts.slice(shardCount).reduce((n, c) => n + c, 0);
}

function runReshard(state: ShardingState, shardCount: number, random: () => number): Plan | undefined {
  const n = state.physical.length;
  const plan = planReshard(state, shardCount, random);
  const c = countMoves(plan.moves);
  const factor = plan.state.virtualCount / state.virtualCount;
  expect(c.split).to.equal(Math.log2(factor));
  const counts = virtualCounts(state).map((x) => x * factor);
  expect(c.virtual).to.equal(virtualMoveLowerBound(counts, plan.state.virtualCount, shardCount));
  const oldNames = new Set(state.physical.map((s) => s.name));
  const kept = new Set(state.physical.slice(0, shardCount).map((s) => s.name));
  for (const m of plan.moves) {
    if (m.kind !== 'virtual') continue;
    // Nothing else moves: growing, only new shards receive; shrinking, only removed ones give.
    if (shardCount > n) expect(oldNames.has(m.toShard), `${m.toShard} is new`).to.equal(false);
    if (shardCount < n) expect(kept.has(m.fromShard), `${m.fromShard} is removed`).to.equal(false);
  }
  expect(c.createShard).to.equal(Math.max(0, shardCount - n));
  expect(c.dropShard).to.equal(Math.max(0, n - shardCount));
  if (shardCount === n + 1) expect(c.virtual).to.be.at.most(Math.ceil(plan.state.virtualCount / (n + 1)));
  if (shardCount > n) expect(relocations(plan.moves), 'growing moves no existing replica').to.equal(0);
  return plan;
}

function expectPlanSound(before: ShardingState, beforeText: string, plan: Plan): void {
  expect(serializeShardingState(before), 'the input state is unchanged').to.equal(beforeText);
  expectValidBalanced(plan.state);
  if (plan.state === before) expect(plan.moves).to.deep.equal([]);
  else expect(plan.state.epoch).to.equal(before.epoch + 1);
  expectMovesExplain(before, plan.moves, plan.state);
}

describe('sharding: planners', () => {
  it('after every planner: input untouched, valid, balanced, epoch + 1, moves explain the change, minimal movement', function () {
    this.timeout(60_000);
    fc.assert(
      fc.property(clusterArb, fc.array(opArb, { minLength: 1, maxLength: 5 }), (c, ops) => {
        const random = seeded(c.seed);
        let state = createShardingState(c, c.pods, random);
        for (const op of ops) {
          const text = serializeShardingState(state);
          const plan = runOp(frozen(state), op, random);
          if (!plan) continue;
          expectPlanSound(state, text, plan);
          state = plan.state;
        }
      }),
      { numRuns: 250, seed: 42 },
    );
  });

  it('re-sharding 4 -> 5 moves 20% of the virtual shards, each existing shard giving about equally', () => {
    const state = createShardingState({ desiredCount: 4, virtualPerPhysical: 128, replicationFactor: 2 }, makePods(6, 3), seeded(5));
    const plan = planReshard(state, 5, seeded(6));
    const virtualMoves = plan.moves.filter((m) => m.kind === 'virtual');
    expect(virtualMoves).to.have.length(102); // 512 / 5 = 102.4
    const given = new Map<string, number>();
    for (const m of virtualMoves) given.set(m.fromShard, (given.get(m.fromShard) ?? 0) + 1);
    expect([...given.values()].sort()).to.deep.equal([25, 25, 26, 26]);
    expect(plan.moves.filter((m) => m.kind === 'split')).to.deep.equal([]);
  });

  it('splits every virtual shard first when V/m is too small for 2% balance, moving no data for it', () => {
    const state = createShardingState({ desiredCount: 2, virtualPerPhysical: 128, replicationFactor: 1 }, makePods(3, 0), seeded(5));
    // 256 / 10 = 25.6: a share of 26 is 1.6% off and one of 25 is 2.3% off; 512 / 10 = 51.2 is within 0.4%.
    const plan = planReshard(state, 10, seeded(6));
    expect(plan.moves[0]).to.deep.equal({ kind: 'split', fromCount: 256, toCount: 512 });
    expect(plan.moves.filter((m) => m.kind === 'split')).to.have.length(1);
    expect(plan.state.virtualCount).to.equal(512);
    expectValidBalanced(plan.state);
  });

  it('draining a pod moves exactly its replicas when the others have room', () => {
    const state = createShardingState({ desiredCount: 6, virtualPerPhysical: 16, replicationFactor: 2 }, makePods(5, 0), seeded(8));
    const plan = planRemovePods(state, ['pod-1']);
    expect(plan.moves.every((m) => m.kind === 'replica' && m.from === 'pod-1')).to.equal(true);
    expect(plan.moves).to.have.length(podReplicaCounts(state).get('pod-1')!);
    expect(plan.state.pods.map((p) => p.name)).to.deep.equal(['pod-0', 'pod-2', 'pod-3', 'pod-4']);
  });

  it('draining takes a second hop when the pods with room already hold the orphaned shards', () => {
    // Round-robin with RF 2 over 4 pods pairs pod-0 with pod-1 and pod-2 with pod-3. Draining
    // pod-1: pod-0 needs one more replica but holds all of pod-1's shards, so one replica of
    // pod-2/pod-3 moves to pod-0 to make room: 4 moves, where 3 replicas were on pod-1.
    const state = createShardingState({ desiredCount: 6, virtualPerPhysical: 16, replicationFactor: 2 }, makePods(4, 0), seeded(8));
    expect(state.physical.filter((s) => s.replicas.includes('pod-1')).every((s) => s.replicas.includes('pod-0'))).to.equal(true);
    const plan = planRemovePods(state, ['pod-1']);
    expect(plan.moves.filter((m) => m.kind === 'replica' && m.from === 'pod-1')).to.have.length(3);
    expect(plan.moves).to.have.length(4);
    expectValidBalanced(plan.state);
  });

  it('keeps zone spread when a lost pod is replaced by a new pod in the same zone', () => {
    const state = createShardingState({ desiredCount: 9, virtualPerPhysical: 8, replicationFactor: 3 }, makePods(6, 3), seeded(3));
    const plan = planReplacePod(state, 'pod-4', { name: 'pod-6', zone: 'zone-1' });
    expect(zoneSpread(plan.state)).to.deep.equal(plan.state.physical.map(() => 3));
    // pod-4 held 5 of 27 replicas; the new pod takes 4 or 5 (27 / 6 = 4.5), the rest go within zone-1.
    expect(plan.moves.every((m) => m.kind === 'replica' && m.from === 'pod-4' && m.fromLost)).to.equal(true);
    expect(plan.moves).to.have.length(5);
    expect(plan.moves.filter((m) => m.kind === 'replica' && m.to === 'pod-6').length).to.be.at.least(4);
  });

  it('prefers distinct zones when adding replicas', () => {
    const state = createShardingState({ desiredCount: 6, virtualPerPhysical: 8, replicationFactor: 1 }, makePods(6, 3), seeded(4));
    const plan = planReplicationFactor(state, 3);
    expect(zoneSpread(plan.state)).to.deep.equal(plan.state.physical.map(() => 3));
  });

  it('returns the input unchanged, without moves, when nothing changes', () => {
    const state = createShardingState({ desiredCount: 3, virtualPerPhysical: 8, replicationFactor: 2 }, makePods(3, 0), seeded(1));
    for (const plan of [planReshard(state, 3), planReplicationFactor(state, 2)]) {
      expect(plan.state).to.equal(state);
      expect(plan.moves).to.deep.equal([]);
    }
  });

  it('is deterministic: the same input (and random source) gives the same plan', () => {
    const state = createShardingState({ desiredCount: 5, virtualPerPhysical: 32, replicationFactor: 2 }, makePods(5, 2), seeded(1));
    expect(planAddPods(state, makePods(2, 2, 'x'))).to.deep.equal(planAddPods(state, makePods(2, 2, 'x')));
    expect(planReshard(state, 8, seeded(3))).to.deep.equal(planReshard(state, 8, seeded(3)));
  });

  it('rejects impossible requests with messages that say what to do', () => {
    const state = createShardingState({ desiredCount: 2, virtualPerPhysical: 8, replicationFactor: 2 }, makePods(2, 0), seeded(1));
    expect(() => planRemovePods(state, ['pod-0'])).to.throw(RangeError, /needs at least 2 pods, the new pod set has 1; lower the replication factor first/);
    expect(() => planRemovePods(state, ['pod-9'])).to.throw(RangeError, /"pod-9" is not in the sharding state \(pods: pod-0, pod-1\)/);
    expect(() => planAddPods(state, [{ name: 'pod-0' }])).to.throw(RangeError, /already in the sharding state/);
    expect(() => planReplicationFactor(state, 3)).to.throw(RangeError, /needs at least 3 pods, found 2; add pods first/);
    expect(() => planReshard(state, 0)).to.throw(RangeError, /shard count must be an integer >= 1, found 0/);
    expect(() => planReplacePod(state, 'pod-0', { name: 'pod-1' })).to.throw(RangeError, /already in the sharding state/);
  });
});
