// The sharding state of a class: the value the operator stores in VectorClass.status and every
// pod routes by. It is created once (all randomness drawn here and stored) and changed only by
// explicit moves (see moves.ts and the plan-*.ts planners), each of which increases `epoch`.
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
  /** Pod name (for a StatefulSet, `<set>-<ordinal>`), unique in the cluster. */
  name: string;
  /**
   * Failure domain (topology.kubernetes.io/zone of the pod's node). Replicas of one shard go to
   * distinct zones when the balance rule allows it. Absent means "no zone known".
   */
  zone?: string;
}

export interface PhysicalShard {
  /** Stable, unique name (12 characters [A-Za-z0-9], as Weaviate names shards). */
  name: string;
  /** Pods holding a replica, all distinct; exactly `replicationFactor` of them. */
  replicas: string[];
}

export interface ShardingState {
  /** Format of this value; readers reject formats they do not know. */
  format: 1;
  /** Increases by one with every change of assignment, replicas, pods or replication factor. */
  epoch: number;
  /**
   * Number of virtual shards V. Virtual shard i owns the tokens in (upper(i-1), upper(i)] with
   * upper(i) = floor((i+1) * 2^64 / V) - 1: evenly spaced bounds, so every virtual shard owns the
   * same share of the token space and bounds need not be stored. Splitting (V -> 2V) turns
   * virtual shard i into 2i and 2i+1, which cover exactly its old range.
   */
  virtualCount: number;
  /** assignment[i] is the index in `physical` of the physical shard holding virtual shard i. */
  assignment: number[];
  /** Physical shards: units of storage (one HNSW index + one object store per replica). */
  physical: PhysicalShard[];
  /** Replicas per physical shard. */
  replicationFactor: number;
  /**
   * Every pod that takes part in placement, sorted by name, with its zone. A pod may hold no
   * replica (more pods than replicas); it still counts for the balance rule.
   */
  pods: PodInfo[];
}

export const DEFAULT_VIRTUAL_PER_PHYSICAL = 128;
/**
 * Upper limit on V. Keeps the routing estimate exact in doubles (hi * V < 2^53) and the stored
 * assignment far below etcd's 1.5 MiB object limit.
 */
export const MAX_VIRTUAL_COUNT = 1 << 20;
const TWO_64 = 1n << 64n;

/** Upper token bound of virtual shard i of V (inclusive). */
export function virtualUpperBound(i: number, virtualCount: number): bigint {
  if (i === virtualCount - 1) return MAX_TOKEN;
  return (BigInt(i + 1) * TWO_64) / BigInt(virtualCount) - 1n;
}

/** Number of virtual shards held by each physical shard, in the order of `state.physical`. */
export function virtualCounts(state: ShardingState): number[] {
  const counts = new Array<number>(state.physical.length).fill(0);
  for (const p of state.assignment) counts[p]++;
  return counts;
}

/** Share of the token space held by each physical shard, in the order of `state.physical`. */
export function physicalShares(state: ShardingState): number[] {
  return virtualCounts(state).map((c) => c / state.virtualCount);
}

/** Pods sorted by name: the canonical order stored in the state. */
export function sortPods(pods: readonly PodInfo[]): PodInfo[] {
  return pods
    .map((p) => (p.zone === undefined ? { name: p.name } : { name: p.name, zone: p.zone }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
