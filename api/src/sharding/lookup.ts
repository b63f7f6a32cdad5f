// Routing: UUID -> token -> virtual shard (binary search over the sorted upper bounds, wrapping
// to the first) -> physical shard. Bounds are derived from the state once and cached per state.
import { ShardingState, PhysicalShard, virtualUpperBound } from './state.js';
import { tokenOf } from './token.js';

interface Derived {
  bounds: BigUint64Array;
  byName: Map<string, PhysicalShard>;
}

const cache = new WeakMap<ShardingState, Derived>();

function derived(state: ShardingState): Derived {
  let d = cache.get(state);
  if (!d) {
    const bounds = new BigUint64Array(state.virtualCount);
    for (let i = 0; i < state.virtualCount; i++) bounds[i] = virtualUpperBound(i, state.virtualCount);
    d = { bounds, byName: new Map(state.physical.map((p) => [p.name, p])) };
    cache.set(state, d);
  }
  return d;
}

/** Index of the first virtual shard whose upper bound is >= token, wrapping to 0. */
export function virtualShardOfToken(state: ShardingState, token: bigint): number {
  const { bounds } = derived(state);
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bounds[mid] < token) lo = mid + 1;
    else hi = mid;
  }
  return lo === bounds.length ? 0 : lo;
}

export function physicalShardOfToken(state: ShardingState, token: bigint): PhysicalShard {
  return state.physical[state.assignment[virtualShardOfToken(state, token)]];
}

/** Name of the physical shard that holds the object with this UUID. */
export function physicalShardOf(state: ShardingState, uuid: string): string {
  return physicalShardOfToken(state, tokenOf(uuid)).name;
}

export function shardByName(state: ShardingState, name: string): PhysicalShard | undefined {
  return derived(state).byName.get(name);
}

/** Pods holding a replica of the named physical shard ([] if there is no such shard). */
export function replicasOf(state: ShardingState, shardName: string): string[] {
  return shardByName(state, shardName)?.replicas ?? [];
}

/** Names of the physical shards with a replica on this pod. */
export function shardsOfPod(state: ShardingState, pod: string): string[] {
  return state.physical.filter((p) => p.replicas.includes(pod)).map((p) => p.name);
}
