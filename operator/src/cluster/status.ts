// VectorCluster status as a pure function of what reconcile observed and decided.
//
// Phase and conditions:
//  - Invalid: the spec was rejected (Degraded=True, reason InvalidSpec).
//  - ScaleDownBlocked: a scale-down was refused (Progressing=False, reason ScaleDownBlocked,
//    the message names the safety predicate).
//  - Ready: every desired pod exists and is ready.
//  - Degraded: not all pods ready although the cluster was Ready at this generation
//    (pods were lost, not started): Degraded=True.
//  - Pending: otherwise, the cluster is moving towards its spec (Progressing=True).
//  Available=True while at least max(1, replicas-1) pods are ready: with maxUnavailable 1 and
//  replication >= 2 every shard keeps a live replica.
import type { VectorClusterStatus, ClusterPhase } from '../../../api/index.js';
import { ConditionInput, mergeConditions } from '../status/conditions.js';
import { PodFacts } from '../status/pods.js';

export interface ClusterObservation {
  generation?: number;
  previous?: VectorClusterStatus;
  /** spec.replicas when the spec is valid. */
  desired?: number;
  /** Replicas set on the StatefulSet (differs from desired while a scale-down is refused). */
  statefulSetReplicas?: number;
  invalid?: string;
  blocked?: { message: string };
  /** A reconcile error (not a conflict) to surface. */
  error?: string;
  pods: PodFacts[];
  selector: string;
  nowIso: string;
}

function phaseOf(o: ClusterObservation, desired: number, ready: number): ClusterPhase {
  if (o.invalid) return 'Invalid';
  if (o.blocked) return 'ScaleDownBlocked';
  if (desired > 0 && ready >= desired && o.pods.length === desired) return 'Ready';
  const prev = o.previous;
  if (prev?.observedGeneration === o.generation && (prev?.phase === 'Ready' || prev?.phase === 'Degraded')) return 'Degraded';
  return 'Pending';
}

function conditions(o: ClusterObservation, phase: ClusterPhase, desired: number, ready: number): ConditionInput[] {
  const counts = `${ready} of ${desired} pods ready, ${o.pods.length} exist`;
  const notReady = o.pods.filter((p) => !p.ready).map((p) => p.name);
  const available: ConditionInput =
    desired > 0 && ready >= Math.max(1, desired - 1)
      ? { type: 'Available', status: 'True', reason: 'MinimumPodsReady', message: counts }
      : { type: 'Available', status: 'False', reason: 'TooFewPodsReady', message: `${counts}; at least ${Math.max(1, desired - 1)} must be ready` };
  let progressing: ConditionInput = { type: 'Progressing', status: 'False', reason: 'ReconcileComplete', message: counts };
  if (o.blocked) progressing = { type: 'Progressing', status: 'False', reason: 'ScaleDownBlocked', message: o.blocked.message };
  else if (o.invalid) progressing = { type: 'Progressing', status: 'False', reason: 'InvalidSpec', message: o.invalid };
  else if (phase === 'Pending') progressing = { type: 'Progressing', status: 'True', reason: 'Reconciling', message: counts };
  let degraded: ConditionInput = { type: 'Degraded', status: 'False', reason: 'Healthy', message: counts };
  if (o.invalid) degraded = { type: 'Degraded', status: 'True', reason: 'InvalidSpec', message: o.invalid };
  else if (o.error) degraded = { type: 'Degraded', status: 'True', reason: 'ReconcileError', message: o.error };
  else if (phase === 'Degraded') degraded = { type: 'Degraded', status: 'True', reason: 'PodsNotReady', message: `${counts}; not ready: ${notReady.join(', ') || 'missing pods'}` };
  return [available, progressing, degraded];
}

/** Union of the gossip members that ready pods report; undefined until one reports. */
function members(pods: PodFacts[]): string[] | undefined {
  const seen = pods.filter((p) => p.ready && p.report?.members).flatMap((p) => p.report!.members!);
  return seen.length ? [...new Set(seen)].sort() : undefined;
}

export function clusterStatus(o: ClusterObservation): VectorClusterStatus {
  const desired = o.desired ?? o.statefulSetReplicas ?? 0;
  const ready = o.pods.filter((p) => p.ready).length;
  const phase = phaseOf(o, desired, ready);
  const status: VectorClusterStatus = {
    observedGeneration: o.generation,
    phase,
    replicas: o.pods.length,
    readyReplicas: ready,
    statefulSetReplicas: o.statefulSetReplicas,
    selector: o.selector,
    members: members(o.pods),
    conditions: mergeConditions(o.previous?.conditions, conditions(o, phase, desired, ready), o.generation, o.nowIso),
  };
  for (const k of Object.keys(status) as Array<keyof VectorClusterStatus>) if (status[k] === undefined) delete status[k];
  return status;
}

/** Status fields the routine status patch manages (all of them, for a cluster). */
export const CLUSTER_STATUS_FIELDS = ['observedGeneration', 'phase', 'replicas', 'readyReplicas', 'statefulSetReplicas', 'selector', 'members', 'conditions'] as const;
