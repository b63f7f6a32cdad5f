// Scale-down safety. Removing a pod that holds shard replicas would lose data (or at least
// replication) until shards can be moved off pods, which is a later feature. So the operator
// shrinks the StatefulSet only down to the highest pod that holds a replica, and names the
// failed safety predicate (ECK style) in a condition and an event.
import { ShardingState } from '../../../api/index.js';
import { ordinalOf } from '../status/pods.js';

/** The safety predicate; its name appears in status and events when it blocks. */
export const NO_REPLICAS_ON_REMOVED_PODS = 'NoReplicasOnRemovedPods';

export interface PlacedClass {
  /** VectorClass resource name. */
  name: string;
  state: ShardingState;
}

export interface ReplicaDecision {
  /** Replicas to set on the StatefulSet. */
  replicas: number;
  blocked?: { predicate: string; message: string; holders: string[] };
}

/**
 * Replicas for the StatefulSet when the spec asks for `desired` and it has `current` (undefined
 * when it does not exist yet). Scaling up, or down past pods that hold nothing, goes through.
 */
export function decideReplicas(statefulSet: string, desired: number, current: number | undefined, classes: readonly PlacedClass[]): ReplicaDecision {
  if (current === undefined || desired >= current) return { replicas: desired };
  const holdings = new Map<string, string[]>(); // pod -> "class/shard"
  for (const cls of classes)
    for (const shard of cls.state.physical)
      for (const pod of shard.replicas) {
        const ordinal = ordinalOf(pod, statefulSet);
        if (ordinal === undefined || ordinal < desired) continue;
        holdings.set(pod, [...(holdings.get(pod) ?? []), `${cls.name}/${shard.name}`]);
      }
  if (holdings.size === 0) return { replicas: desired };
  const holders = [...holdings.keys()].sort((a, b) => ordinalOf(a, statefulSet)! - ordinalOf(b, statefulSet)!);
  const replicas = Math.min(current, ordinalOf(holders[holders.length - 1], statefulSet)! + 1);
  const detail = holders.map((p) => `${p} holds ${describe(holdings.get(p)!)}`).join('; ');
  const message =
    `scale-down from ${current} to ${desired} pods refused by safety predicate ${NO_REPLICAS_ON_REMOVED_PODS}: ${detail}. ` +
    `Keeping ${replicas} pods: moving shards off pods is not supported yet. ` +
    `Set spec.replicas back to ${current}, or delete the VectorClasses placed on these pods.`;
  return { replicas, blocked: { predicate: NO_REPLICAS_ON_REMOVED_PODS, message, holders } };
}

function describe(replicas: string[]): string {
  const shown = replicas.slice(0, 5).join(', ');
  return `replicas of ${shown}${replicas.length > 5 ? ` (and ${replicas.length - 5} more)` : ''}`;
}
