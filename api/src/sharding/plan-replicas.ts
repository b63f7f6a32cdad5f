// The common tail of every planner that changes where replicas live: place replicas with the
// exact solver, keep each shard's replica slots stable, and list the replica moves.
import { ShardingState, PodInfo, PhysicalShard } from './state.js';
import { Move, orderReplicas, replicaMovesOfShard } from './moves.js';
import { placeReplicas } from './placement.js';

export interface ReplicaChange {
  physical: PhysicalShard[];
  moves: Move[];
}

/**
 * Re-place the replicas of `shards` over `pods` with `replicationFactor`. `lost` names pods
 * whose data is gone: a replica leaving such a pod is copied from the shard's other replicas,
 * and a lost pod that stays (re-created empty under the same name) gets its replicas rebuilt.
 */
export function replaceReplicas(
  shards: readonly PhysicalShard[],
  pods: readonly PodInfo[],
  replicationFactor: number,
  lost: ReadonlySet<string> = new Set(),
): ReplicaChange {
  const podNames = new Set(pods.map((p) => p.name));
  const current = shards.map((s) => s.replicas.filter((r) => podNames.has(r)));
  const placed = placeReplicas({ current, pods, replicationFactor });
  const moves: Move[] = [];
  const physical = shards.map((s, i) => {
    const replicas = orderReplicas(s.replicas, placed[i]);
    moves.push(...replicaMovesOfShard(s.name, s.replicas, replicas, lost));
    for (const pod of replicas)
      if (lost.has(pod) && s.replicas.includes(pod)) moves.push({ kind: 'replica', shard: s.name, from: pod, to: pod, fromLost: true });
    return { name: s.name, replicas };
  });
  return { physical, moves };
}

/** The next state: a copy of `state` with `changes` applied and the epoch increased. */
export function nextState(state: ShardingState, changes: Partial<Omit<ShardingState, 'format' | 'epoch'>>): ShardingState {
  return {
    format: 1,
    epoch: state.epoch + 1,
    virtualCount: changes.virtualCount ?? state.virtualCount,
    assignment: changes.assignment ?? state.assignment.slice(),
    physical: changes.physical ?? state.physical.map((s) => ({ name: s.name, replicas: s.replicas.slice() })),
    replicationFactor: changes.replicationFactor ?? state.replicationFactor,
    pods: changes.pods ?? state.pods.map((p) => ({ ...p })),
  };
}
