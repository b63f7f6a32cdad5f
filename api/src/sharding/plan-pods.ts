// Planners for a changing set of pods: scale up (rebalance onto new pods), scale down (drain
// leaving pods), replace a pod that is gone for good, or any new pod list at once. Replicas move
// only as much as the balance rule needs: with the exact solver (placement.ts) the number of
// replica moves is the minimum over all balanced placements.
import { ShardingState, PodInfo, sortPods } from './state.js';
import { Plan } from './moves.js';
import { validatePods } from './create.js';
import { nextState, replaceReplicas } from './plan-replicas.js';

function samePods(a: readonly PodInfo[], b: readonly PodInfo[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.zone === b[i].zone);
}

/**
 * Make the pod set equal to `pods` (names and zones), moving replicas off pods that leave and
 * rebalancing onto pods that join. `lost` names pods whose data is gone for good.
 * Returns the input state itself, with no moves, when nothing changes.
 */
export function planPodSet(state: ShardingState, pods: readonly PodInfo[], lost: readonly string[] = []): Plan {
  validatePods(pods);
  if (pods.length < state.replicationFactor)
    throw new RangeError(
      `replication factor ${state.replicationFactor} needs at least ${state.replicationFactor} pods, ` +
        `the new pod set has ${pods.length}; lower the replication factor first`,
    );
  const sorted = sortPods(pods);
  const { physical, moves } = replaceReplicas(state.physical, sorted, state.replicationFactor, new Set(lost));
  if (moves.length === 0 && samePods(sorted, state.pods)) return { moves, state };
  return { moves, state: nextState(state, { physical, pods: sorted }) };
}

function podNamed(state: ShardingState, name: string, what: string): PodInfo {
  const pod = state.pods.find((p) => p.name === name);
  if (!pod)
    throw new RangeError(`${what}: pod ${JSON.stringify(name)} is not in the sharding state (pods: ${state.pods.map((p) => p.name).join(', ')})`);
  return pod;
}

/** Scale up: add `added` (not yet in the state) and move replicas onto them until balanced. */
export function planAddPods(state: ShardingState, added: readonly PodInfo[]): Plan {
  validatePods(added, 'added pods');
  for (const p of added)
    if (state.pods.some((q) => q.name === p.name))
      throw new RangeError(`planAddPods: pod ${JSON.stringify(p.name)} is already in the sharding state`);
  return planPodSet(state, [...state.pods, ...added]);
}

/** Scale down (drain): move every replica off `removed` (live pods), keeping the balance rule. */
export function planRemovePods(state: ShardingState, removed: readonly string[]): Plan {
  const leaving = new Set(removed.map((name) => podNamed(state, name, 'planRemovePods').name));
  return planPodSet(state, state.pods.filter((p) => !leaving.has(p.name)));
}

/**
 * Replace a pod that is gone for good (its disk is lost). Without `replacement`, its replicas
 * are re-created on the remaining pods. With a replacement of another name, they go to it. With
 * a replacement of the same name (a StatefulSet pod re-created with an empty volume), they are
 * rebuilt in place: replica moves with from === to and fromLost set.
 */
export function planReplacePod(state: ShardingState, gone: string, replacement?: PodInfo): Plan {
  podNamed(state, gone, 'planReplacePod');
  const others = state.pods.filter((p) => p.name !== gone);
  if (replacement && replacement.name !== gone && others.some((p) => p.name === replacement.name))
    throw new RangeError(`planReplacePod: replacement ${JSON.stringify(replacement.name)} is already in the sharding state`);
  return planPodSet(state, replacement ? [...others, replacement] : others, [gone]);
}
