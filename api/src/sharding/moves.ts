// Moves: the explicit steps between two sharding states, as the planners return them. They
// drive data movement, so each says what data travels and between whom. The planner's result
// state is authoritative; the moves are listed in an order that is safe to execute one after
// another: structure first (split, createShard), then virtual shards between physical shards,
// then dropShard, then replica changes.
import { ShardingState } from './state.js';

/**
 * Every virtual shard i becomes 2i and 2i+1 (V -> 2V), both held by i's physical shard. The new
 * ranges exactly cover the old one, so no data moves; only the numbering of virtual shards
 * changes (virtual indices in later moves are in the new numbering).
 */
export interface SplitMove {
  kind: 'split';
  fromCount: number;
  toCount: number;
}

/** A new, empty physical shard is created with replicas on `replicas`. */
export interface CreateShardMove {
  kind: 'createShard';
  shard: string;
  replicas: string[];
}

/**
 * The objects of virtual shard `virtual` travel from physical shard `fromShard` to `toShard`
 * (copied from fromShard's replicas into toShard's, then deleted from fromShard).
 */
export interface VirtualMove {
  kind: 'virtual';
  virtual: number;
  fromShard: string;
  toShard: string;
}

/** A physical shard that holds no virtual shard any more is deleted from its replicas. */
export interface DropShardMove {
  kind: 'dropShard';
  shard: string;
  replicas: string[];
}

/**
 * The replica of `shard` on pod `from` moves to pod `to`: copy the shard to `to`, then delete it
 * from `from`. When `fromLost` is true, `from` is gone for good (or was re-created empty under
 * the same name, then `from === to`): copy from another replica of the shard instead. With
 * replicationFactor 1 a lost replica has no copy left, and the shard starts empty on `to`.
 */
export interface ReplicaMove {
  kind: 'replica';
  shard: string;
  from: string;
  to: string;
  fromLost: boolean;
}

/** A new replica of `shard` on pod `to`, copied from the existing replicas. */
export interface AddReplicaMove {
  kind: 'addReplica';
  shard: string;
  to: string;
}

/** The replica of `shard` on pod `from` is deleted (the shard keeps its other replicas). */
export interface RemoveReplicaMove {
  kind: 'removeReplica';
  shard: string;
  from: string;
}

export type Move = SplitMove | CreateShardMove | VirtualMove | DropShardMove | ReplicaMove | AddReplicaMove | RemoveReplicaMove;

/** What a planner returns: the moves to make, and the state they lead to. */
export interface Plan {
  moves: Move[];
  state: ShardingState;
}

/**
 * The replica moves that turn `before` into `after` for one shard: pods that left are paired
 * with pods that joined, in order, as replica moves; the unpaired rest are adds or removes.
 */
export function replicaMovesOfShard(
  shard: string,
  before: readonly string[],
  after: readonly string[],
  lost: ReadonlySet<string> = new Set(),
): Move[] {
  const left = before.filter((p) => !after.includes(p));
  const joined = after.filter((p) => !before.includes(p));
  const moves: Move[] = [];
  const paired = Math.min(left.length, joined.length);
  for (let i = 0; i < paired; i++)
    moves.push({ kind: 'replica', shard, from: left[i], to: joined[i], fromLost: lost.has(left[i]) });
  for (const to of joined.slice(paired)) moves.push({ kind: 'addReplica', shard, to });
  for (const from of left.slice(paired)) moves.push({ kind: 'removeReplica', shard, from });
  return moves;
}

/**
 * New replica list of a shard that keeps the position of every pod it keeps and puts each
 * joining pod where a leaving one was, so that a replica move keeps its slot.
 */
export function orderReplicas(before: readonly string[], after: readonly string[]): string[] {
  const joined = after.filter((p) => !before.includes(p));
  const out: string[] = [];
  for (const p of before) {
    if (after.includes(p)) out.push(p);
    else if (joined.length > 0) out.push(joined.shift()!);
  }
  return out.concat(joined);
}

/** Count moves by kind (for reports and tests). */
export function countMoves(moves: readonly Move[]): Record<Move['kind'], number> {
  const out = { split: 0, createShard: 0, virtual: 0, dropShard: 0, replica: 0, addReplica: 0, removeReplica: 0 };
  for (const m of moves) out[m.kind]++;
  return out;
}
