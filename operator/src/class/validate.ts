// VectorClass checks that need more than the schema: against its cluster, against the other
// classes of that cluster, and against what the class was placed with. Pure: each returns a
// Problem (a condition reason and a sentence) or undefined.
import {
  VectorClassSpec, VectorClusterSpec, PlacedWith, ShardingState, safeParse, vectorClusterSpecSchema,
} from '../../../api/index.js';
import { VectorClusterObject, VectorClassObject, clusterNameOf } from '../resources.js';

export interface Problem {
  reason: string;
  message: string;
  /** Permanent problems make the phase Invalid; others (a missing cluster) leave it Pending. */
  invalid: boolean;
}

export function checkCluster(spec: VectorClassSpec, namespace: string, cluster: VectorClusterObject | undefined): Problem | { cluster: VectorClusterSpec } {
  const name = spec.clusterRef.name;
  if (!cluster)
    return { reason: 'ClusterNotFound', invalid: false, message: `VectorCluster "${name}" does not exist in namespace ${namespace}: create it, or fix spec.clusterRef.name (which is immutable: recreate the VectorClass)` };
  if (cluster.metadata?.deletionTimestamp)
    return { reason: 'ClusterDeleting', invalid: false, message: `VectorCluster "${name}" is being deleted` };
  const parsed = safeParse(vectorClusterSpecSchema, cluster.spec, 'spec');
  if (!parsed.ok) return { reason: 'ClusterInvalid', invalid: false, message: `VectorCluster "${name}" has an invalid spec; see its status` };
  return { cluster: parsed.value };
}

export function checkReplication(spec: VectorClassSpec, cluster: VectorClusterSpec, podCount: number): Problem | undefined {
  const rf = spec.class.replicationConfig.factor;
  if (rf <= podCount) return undefined;
  return {
    reason: 'ReplicationFactorTooHigh',
    invalid: true,
    message: `spec.class.replicationConfig.factor is ${rf} but VectorCluster "${spec.clusterRef.name}" has ${podCount} pods (spec.replicas ${cluster.replicas}); every replica needs its own pod: lower the factor or scale the cluster up`,
  };
}

/** Two VectorClasses must not define the same class on one cluster; the older one keeps it. */
export function checkUniqueName(self: VectorClassObject, spec: VectorClassSpec, others: readonly VectorClassObject[]): Problem | undefined {
  if (self.status?.sharding) return undefined; // a placed class already owns its name
  const rank = (o: VectorClassObject) => `${o.metadata?.creationTimestamp ?? ''}\u0000${o.metadata?.name ?? ''}`;
  const rival = others.find(
    (o) =>
      o.metadata?.uid !== self.metadata?.uid &&
      !o.metadata?.deletionTimestamp &&
      clusterNameOf(o) === spec.clusterRef.name &&
      o.spec?.class?.class === spec.class.class &&
      (o.status?.sharding !== undefined || rank(o) < rank(self)),
  );
  if (!rival) return undefined;
  return {
    reason: 'ClassNameConflict',
    invalid: true,
    message: `VectorClass "${rival.metadata?.name}" already defines class ${spec.class.class} on VectorCluster "${spec.clusterRef.name}"; class names are unique per cluster: rename spec.class.class (recreate this VectorClass)`,
  };
}

/** The values placement recorded, from a validated spec. */
export function placedWithOf(spec: VectorClassSpec): PlacedWith {
  const out: PlacedWith = { clusterName: spec.clusterRef.name, className: spec.class.class, distance: spec.class.vectorIndexConfig.distance };
  if (spec.class.vectorIndexConfig.dimensions !== undefined) out.dimensions = spec.class.vectorIndexConfig.dimensions;
  return out;
}

/** Immutable fields changed since placement (the CRD's CEL rules stop this; old CRDs may not). */
export function checkImmutable(spec: VectorClassSpec, placed: PlacedWith | undefined, state: ShardingState): Problem | undefined {
  const now = placedWithOf(spec);
  const changes: string[] = [];
  const cmp = (path: string, was: unknown, is: unknown) => was !== undefined && was !== is && changes.push(`${path} changed from ${JSON.stringify(was)} to ${JSON.stringify(is)}`);
  cmp('spec.clusterRef.name', placed?.clusterName, now.clusterName);
  cmp('spec.class.class', placed?.className, now.className);
  cmp('spec.class.vectorIndexConfig.distance', placed?.distance, now.distance);
  cmp('spec.class.vectorIndexConfig.dimensions', placed?.dimensions, now.dimensions);
  cmp('spec.class.shardingConfig.desiredCount', state.physical.length, spec.class.shardingConfig.desiredCount);
  cmp('spec.class.shardingConfig.virtualPerPhysical', state.virtualCount / state.physical.length, spec.class.shardingConfig.virtualPerPhysical);
  cmp('spec.class.replicationConfig.factor', state.replicationFactor, spec.class.replicationConfig.factor);
  if (!changes.length) return undefined;
  return { reason: 'ImmutableFieldChanged', invalid: true, message: `${changes.join('; ')} after placement; these fields are immutable: set them back (the placed data is unchanged)` };
}
