// The sharding state of a class: the value the operator stores in VectorClass.status and every
// pod routes by. It is created once (all randomness drawn here and stored) and changed only by
// explicit moves, each of which increases `epoch`.
import { MAX_TOKEN } from './token.js';

export interface ShardingConfig {
  /** Number of physical shards. */
  desiredCount: number;
  /** Virtual shards per physical shard at creation (Weaviate's default: 128). */
  virtualPerPhysical: number;
  /** Replicas of every physical shard, each on a distinct pod. */
  replicationFactor: number;
}

export interface PodInfo {
  name: string;
  /** Failure domain (topology.kubernetes.io/zone); replicas of a shard spread over zones when possible. */
  zone?: string;
}

export interface PhysicalShard {
  /** Stable, unique name (12 characters [A-Za-z0-9], as Weaviate names shards). */
  name: string;
  /** Pods holding a replica, all distinct. */
  replicas: string[];
}

export interface ShardingState {
  /** Format of this value; readers reject formats they do not know. */
  format: 1;
  /** Increases with every change of assignment or replicas. */
  epoch: number;
  /**
   * Number of virtual shards V. Virtual shard i owns the tokens in (upper(i-1), upper(i)] with
   * upper(i) = floor((i+1) * 2^64 / V) - 1: evenly spaced bounds, so every virtual shard owns the
   * same share of the token space and bounds need not be stored.
   */
  virtualCount: number;
  /** assignment[i] is the index in `physical` of the physical shard holding virtual shard i. */
  assignment: number[];
  physical: PhysicalShard[];
  replicationFactor: number;
}

export const DEFAULT_VIRTUAL_PER_PHYSICAL = 128;
const TWO_64 = 1n << 64n;

/** Upper token bound of virtual shard i of V (inclusive). */
export function virtualUpperBound(i: number, virtualCount: number): bigint {
  if (i === virtualCount - 1) return MAX_TOKEN;
  return (BigInt(i + 1) * TWO_64) / BigInt(virtualCount) - 1n;
}

/** Share of the token space held by each physical shard, in the order of `state.physical`. */
export function physicalShares(state: ShardingState): number[] {
  const counts = new Array<number>(state.physical.length).fill(0);
  for (const p of state.assignment) counts[p]++;
  return counts.map((c) => c / state.virtualCount);
}
