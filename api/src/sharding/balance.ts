// The balance rules every planner keeps, as named checks. Data balance: every physical shard's
// share of the token space is within BALANCE_TOLERANCE (relative) of 1/n. Replica balance: the
// replica counts of any two pods differ by at most one. Neither is a validity rule for a stored
// state (an unbalanced state still routes correctly); they are what planners promise.
import { ShardingState, virtualCounts } from './state.js';

/** Largest relative distance of a physical shard's share from 1/n that planners allow. */
export const BALANCE_TOLERANCE = 0.02;

/**
 * Largest relative deviation from V/n when V virtual shards are dealt as evenly as possible
 * (floor or ceil of V/n each) over n physical shards.
 */
export function bestShareDeviation(virtualCount: number, shardCount: number): number {
  const ideal = virtualCount / shardCount;
  if (virtualCount % shardCount === 0) return 0;
  const floor = Math.floor(ideal);
  return Math.max(ideal - floor, floor + 1 - ideal) / ideal;
}

/** Largest relative deviation of a physical shard's share from 1/n in this state. */
export function shareDeviation(state: ShardingState): number {
  const ideal = state.virtualCount / state.physical.length;
  return Math.max(...virtualCounts(state).map((c) => Math.abs(c - ideal) / ideal));
}

/** Replicas held by each pod of `state.pods` (0 for a pod holding none). */
export function podReplicaCounts(state: ShardingState): Map<string, number> {
  const counts = new Map<string, number>(state.pods.map((p) => [p.name, 0]));
  for (const shard of state.physical) for (const pod of shard.replicas) counts.set(pod, (counts.get(pod) ?? 0) + 1);
  return counts;
}

/** Human-readable list of broken balance rules; empty when the state is balanced. */
export function balanceViolations(state: ShardingState): string[] {
  const out: string[] = [];
  const deviation = shareDeviation(state);
  if (deviation > BALANCE_TOLERANCE)
    out.push(
      `data balance: a physical shard's share is ${(deviation * 100).toFixed(2)}% off 1/${state.physical.length}, ` +
        `expected at most ${BALANCE_TOLERANCE * 100}%`,
    );
  const loads = [...podReplicaCounts(state).values()];
  const min = Math.min(...loads);
  const max = Math.max(...loads);
  if (max - min > 1) out.push(`replica balance: pods hold between ${min} and ${max} replicas, expected a spread of at most 1`);
  return out;
}

/** Number of distinct zones among the replicas of each physical shard (pods without a zone count as one zone). */
export function zoneSpread(state: ShardingState): number[] {
  const zoneOf = new Map(state.pods.map((p) => [p.name, p.zone ?? '']));
  return state.physical.map((s) => new Set(s.replicas.map((r) => zoneOf.get(r))).size);
}
