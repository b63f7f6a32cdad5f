// Planner for a new replication factor. Going up adds exactly shards*(new-old) replicas; going
// down removes shards*(old-new); in both cases the solver picks which pods gain or lose so that
// the balance rule holds, and relocates existing replicas only if no choice of adds or removes
// alone can keep it.
import { ShardingState } from './state.js';
import { Plan } from './moves.js';
import { nextState, replaceReplicas } from './plan-replicas.js';

export function planReplicationFactor(state: ShardingState, replicationFactor: number): Plan {
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1)
    throw new RangeError(`replication factor must be an integer >= 1, found ${replicationFactor}`);
  if (replicationFactor > state.pods.length)
    throw new RangeError(
      `replication factor ${replicationFactor} needs at least ${replicationFactor} pods, found ${state.pods.length}; add pods first`,
    );
  if (replicationFactor === state.replicationFactor) return { moves: [], state };
  const { physical, moves } = replaceReplicas(state.physical, state.pods, replicationFactor);
  return { moves, state: nextState(state, { physical, replicationFactor }) };
}
