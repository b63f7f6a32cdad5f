// VectorClass status as a pure function of the class's state, its cluster's pods and their
// reports. A replica is ready when its pod is ready and (once the pod reports at all) the pod
// reports that shard ready; object counts come only from reports.
//
// Phase: Deleting > Invalid > Pending (not placed) > Ready (every replica ready) > Placed.
import type { VectorClassStatus, ClassPhase, ShardingState, ShardStatus, PlacedWith } from '../../../api/index.js';
import { ConditionInput, mergeConditions } from '../status/conditions.js';
import { PodFacts } from '../status/pods.js';
import { Problem } from './validate.js';

export interface ClassObservation {
  generation?: number;
  previous?: VectorClassStatus;
  state?: ShardingState;
  placedWith?: PlacedWith;
  /** Why the class is not (or no longer validly) placed. */
  problem?: Problem;
  /** Set while the class waits for pods to drop its data. */
  deleting?: string;
  /** A reconcile error (not a conflict) to surface. */
  error?: string;
  pods: PodFacts[];
  nowIso: string;
}

export function shardStatuses(state: ShardingState, pods: readonly PodFacts[]): ShardStatus[] {
  const byName = new Map(pods.map((p) => [p.name, p]));
  return state.physical.map((shard) => {
    const replicas = shard.replicas.map((podName) => {
      const pod = byName.get(podName);
      const reported = pod?.report?.shards[shard.name];
      const ready = !!pod?.ready && (pod.report === undefined || reported?.ready === true);
      return reported?.objects !== undefined ? { pod: podName, ready, objects: reported.objects } : { pod: podName, ready };
    });
    const counts = replicas.flatMap((r) => (r.objects !== undefined ? [r.objects] : []));
    const out: ShardStatus = { name: shard.name, replicas, readyReplicas: replicas.filter((r) => r.ready).length };
    if (counts.length) out.objects = Math.max(...counts);
    return out;
  });
}

function phaseOf(o: ClassObservation, allReady: boolean): ClassPhase {
  if (o.deleting) return 'Deleting';
  if (o.problem?.invalid) return 'Invalid';
  if (!o.state) return 'Pending';
  return allReady ? 'Ready' : 'Placed';
}

function conditions(o: ClassObservation, shards: ShardStatus[] | undefined): ConditionInput[] {
  const placed: ConditionInput = o.problem
    ? { type: 'Placed', status: 'False', reason: o.problem.reason, message: o.problem.message }
    : o.state
      ? { type: 'Placed', status: 'True', reason: 'Placed', message: describePlacement(o.state) }
      : { type: 'Placed', status: 'False', reason: 'Pending', message: 'waiting to be placed' };
  let ready: ConditionInput;
  if (o.deleting) ready = { type: 'Ready', status: 'False', reason: 'Deleting', message: o.deleting };
  else if (o.error) ready = { type: 'Ready', status: 'False', reason: 'ReconcileError', message: o.error };
  else if (!shards) ready = { type: 'Ready', status: 'False', reason: 'NotPlaced', message: 'the class has no shards yet' };
  else {
    const waiting = shards.flatMap((s) => s.replicas.filter((r) => !r.ready).map((r) => `${s.name} on ${r.pod}`));
    ready = waiting.length
      ? { type: 'Ready', status: 'False', reason: 'ReplicasNotReady', message: `${waiting.length} replicas not ready: ${waiting.slice(0, 6).join(', ')}${waiting.length > 6 ? ', ...' : ''}` }
      : { type: 'Ready', status: 'True', reason: 'AllReplicasReady', message: `all ${shards.length} shards have every replica ready` };
  }
  return [placed, ready];
}

function describePlacement(state: ShardingState): string {
  const pods = [...new Set(state.physical.flatMap((p) => p.replicas))].sort();
  return `${state.physical.length} shards x ${state.replicationFactor} replicas on pods ${pods.join(', ')} (epoch ${state.epoch})`;
}

export function classStatus(o: ClassObservation): VectorClassStatus {
  const shards = o.state ? shardStatuses(o.state, o.pods) : undefined;
  const allReady = !!shards && shards.every((s) => s.readyReplicas === s.replicas.length);
  const counted = shards?.filter((s) => s.objects !== undefined) ?? [];
  const status: VectorClassStatus = {
    observedGeneration: o.generation,
    phase: phaseOf(o, allReady),
    conditions: mergeConditions(o.previous?.conditions, conditions(o, shards), o.generation, o.nowIso),
    placedWith: o.placedWith,
    shards,
    shardCount: shards?.length,
    readyShards: shards?.filter((s) => s.readyReplicas === s.replicas.length).length,
    objects: counted.length ? counted.reduce((sum, s) => sum + s.objects!, 0) : undefined,
  };
  for (const k of Object.keys(status) as Array<keyof VectorClassStatus>) if (status[k] === undefined) delete status[k];
  return status;
}

/** Fields of the routine status patch. `sharding` is not one: it is written once, at placement. */
export const CLASS_STATUS_FIELDS = ['observedGeneration', 'phase', 'conditions', 'placedWith', 'shards', 'shardCount', 'readyShards', 'objects'] as const;
