// Planner for a new number of physical shards (re-sharding). Data moves only as whole virtual
// shards: going from n to m > n, the new shards take virtual shards from the existing ones
// (about (m-n)/m of all of them, 1/(n+1) for n -> n+1) and no virtual shard moves between
// existing shards; going down, the last n-m shards give all theirs to the survivors and nothing
// else moves. When V/m is too small for every share to be within BALANCE_TOLERANCE of 1/m,
// every virtual shard is first split in two (as often as needed), which moves no data.
import { ShardingState, MAX_VIRTUAL_COUNT } from './state.js';
import { BALANCE_TOLERANCE, bestShareDeviation } from './balance.js';
import { Move, Plan, SplitMove, VirtualMove } from './moves.js';
import { Random, randomShardNames } from './create.js';
import { nextState, replaceReplicas } from './plan-replicas.js';

/** Split every virtual shard in two until m shards can be balanced; virtual i -> 2i, 2i+1. */
export function splitForBalance(assignment: readonly number[], shardCount: number): { assignment: number[]; splits: SplitMove[] } {
  let current = assignment.slice();
  const splits: SplitMove[] = [];
  while (bestShareDeviation(current.length, shardCount) > BALANCE_TOLERANCE) {
    if (current.length * 2 > MAX_VIRTUAL_COUNT)
      throw new RangeError(
        `cannot balance ${shardCount} physical shards within ${BALANCE_TOLERANCE * 100}% using at most ${MAX_VIRTUAL_COUNT} virtual shards`,
      );
    splits.push({ kind: 'split', fromCount: current.length, toCount: current.length * 2 });
    current = current.flatMap((p) => [p, p]);
  }
  return { assignment: current, splits };
}

/**
 * Target virtual shard count per physical shard index: 0 for indices >= shardCount, else floor
 * or ceil of V/shardCount, the ceilings going to the shards holding most now (fewest moves).
 */
export function balancedTargets(counts: readonly number[], virtualCount: number, shardCount: number): number[] {
  const base = Math.floor(virtualCount / shardCount);
  let extra = virtualCount % shardCount;
  const byCount = Array.from({ length: shardCount }, (_, i) => i).sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a - b);
  const targets = new Array<number>(Math.max(counts.length, shardCount)).fill(0);
  for (const i of byCount) targets[i] = base + (extra-- > 0 ? 1 : 0);
  return targets;
}

/**
 * Move virtual shards from shards above their target to shards below it. Each donor gives its
 * highest-numbered surplus; donors are interleaved so a receiver takes from all of them.
 */
export function reassignVirtual(assignment: readonly number[], targets: readonly number[]): { assignment: number[]; moved: { virtual: number; from: number; to: number }[] } {
  const held: number[][] = targets.map(() => []);
  assignment.forEach((p, v) => held[p].push(v));
  const surplus = held.map((vs, p) => vs.slice(targets[p]));
  const total = surplus.reduce((n, s) => n + s.length, 0);
  const pool: number[] = [];
  for (let k = 0; pool.length < total; k++)
    for (const s of surplus) if (k < s.length) pool.push(s[k]);
  const next = assignment.slice();
  const moved: { virtual: number; from: number; to: number }[] = [];
  let taken = 0;
  targets.forEach((target, p) => {
    for (let need = target - held[p].length; need > 0; need--) {
      const v = pool[taken++];
      moved.push({ virtual: v, from: next[v], to: p });
      next[v] = p;
    }
  });
  return { assignment: next, moved };
}

export function planReshard(state: ShardingState, shardCount: number, random: Random = Math.random): Plan {
  if (!Number.isInteger(shardCount) || shardCount < 1)
    throw new RangeError(`shard count must be an integer >= 1, found ${shardCount}`);
  const n = state.physical.length;
  if (shardCount === n) return { moves: [], state };
  const { assignment: split, splits } = splitForBalance(state.assignment, shardCount);
  const counts = new Array<number>(Math.max(n, shardCount)).fill(0);
  for (const p of split) counts[p]++;
  const { assignment, moved } = reassignVirtual(split, balancedTargets(counts, split.length, shardCount));
  const added = randomShardNames(Math.max(0, shardCount - n), random, state.physical.map((s) => s.name));
  const shards = [...state.physical.slice(0, shardCount), ...added.map((name) => ({ name, replicas: [] as string[] }))];
  const { physical, moves: replicaMoves } = replaceReplicas(shards, state.pods, state.replicationFactor);
  const nameOf = (i: number) => (i < n ? state.physical[i].name : added[i - n]);
  const moves: Move[] = [
    ...splits,
    ...physical.slice(n).map((s): Move => ({ kind: 'createShard', shard: s.name, replicas: s.replicas.slice() })),
    ...moved.map((m): VirtualMove => ({ kind: 'virtual', virtual: m.virtual, fromShard: nameOf(m.from), toShard: nameOf(m.to) })),
    ...state.physical.slice(shardCount).map((s): Move => ({ kind: 'dropShard', shard: s.name, replicas: s.replicas.slice() })),
    ...replicaMoves.filter((m) => m.kind !== 'addReplica' || !added.includes(m.shard)),
  ];
  return { moves, state: nextState(state, { virtualCount: assignment.length, assignment, physical }) };
}
