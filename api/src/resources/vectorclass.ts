// VectorClass: one collection (a Weaviate class) on a VectorCluster. The spec carries the very
// class JSON that POST /v1/schema takes (one schema object, api/src/class); the status carries
// the sharding state, which the operator alone writes and every pod routes by.
import { s, Infer, parse } from '../schema/index.js';
import { classSchema, vectorIndexConfigSchema, shardingConfigSchema, replicationConfigSchema } from '../class/index.js';
import { conditionsSchema } from './conditions.js';
import { immutable, CelRule } from './cel.js';
import { CLUSTER_NAME_PATTERN, MAX_CLUSTER_NAME_LENGTH } from './vectorcluster.js';

export const clusterRefSchema = s
  .object({
    name: s.string({ pattern: CLUSTER_NAME_PATTERN, maxLength: MAX_CLUSTER_NAME_LENGTH })
      .describe('Name of the VectorCluster, in the same namespace, that stores this class. Immutable.'),
  })
  .describe('The VectorCluster that holds the class\'s data.');

export const vectorClassSpecSchema = s
  .object(
    {
      clusterRef: clusterRefSchema,
      // The class schema object itself (not a copy): API, node and CRD cannot drift apart.
      class: classSchema,
    },
    { celRules: classSpecRules() },
  )
  .describe('Desired state of the class: its cluster and its schema.');

function classSpecRules(): CelRule[] {
  const vic = vectorIndexConfigSchema.shape;
  const sc = shardingConfigSchema.shape;
  const rc = replicationConfigSchema.shape;
  const data = 'the stored objects and index depend on it; create a new class and re-import';
  const placement = 'the sharding state is computed once when the class is placed; moving shards is not supported yet';
  return [
    immutable(['clusterRef', 'name'], { why: 'a class cannot move to another cluster; create a new VectorClass there' }),
    immutable(['class', 'class'], { why: 'the pods store the class under this name; create a new VectorClass instead' }),
    immutable(['class', 'vectorIndexConfig', 'distance'], { optionalFrom: 1, defaultValue: vic.distance.defaultValue, why: data }),
    immutable(['class', 'vectorIndexConfig', 'dimensions'], { optionalFrom: 1, mayBeSetLater: true, why: `once set, ${data}` }),
    immutable(['class', 'shardingConfig', 'desiredCount'], { optionalFrom: 1, defaultValue: sc.desiredCount.defaultValue, why: placement }),
    immutable(['class', 'shardingConfig', 'virtualPerPhysical'], { optionalFrom: 1, defaultValue: sc.virtualPerPhysical.defaultValue, why: placement }),
    immutable(['class', 'replicationConfig', 'factor'], { optionalFrom: 1, defaultValue: rc.factor.defaultValue, why: placement }),
  ];
}

export const replicaStatusSchema = s
  .object({
    pod: s.string().describe('Pod that holds this replica.'),
    ready: s.boolean().describe('Whether the pod is ready and reports this replica loaded and serving.'),
    objects: s.integer({ minimum: 0 }).describe('Live objects in this replica, as the pod last reported; absent until it reports.').optional(),
  })
  .describe('One replica of a physical shard.');

export const shardStatusSchema = s
  .object({
    name: s.string().describe('Name of the physical shard (as in the sharding state).'),
    replicas: s.array(replicaStatusSchema).describe('The replicas of the shard, in the order of the sharding state.'),
    readyReplicas: s.integer({ minimum: 0 }).describe('Number of ready replicas.'),
    objects: s.integer({ minimum: 0 }).describe('Live objects in the shard: the highest count any replica reports; absent until one reports.').optional(),
  })
  .describe('Readiness and size of one physical shard.');

export const placedWithSchema = s
  .object({
    clusterName: s.string().describe('The spec.clusterRef.name the class was placed with.'),
    className: s.string().describe('The spec.class.class the class was placed with.'),
    distance: s.string().describe('The spec.class.vectorIndexConfig.distance the class was placed with.'),
    dimensions: s.integer({ minimum: 1 }).describe('The spec.class.vectorIndexConfig.dimensions, recorded once it was first set.').optional(),
  })
  .describe('Values of the immutable spec fields the placement was made for; reconcile rejects a spec that differs from them.');

export const shardingStateStatusSchema = s
  .object(
    {
      format: s.integer({ minimum: 1 }).describe('Format of the sharding state; readers reject formats they do not know.'),
      epoch: s.integer({ minimum: 0 }).describe('Increases with every change of the placement.'),
    },
    // The full ShardingState (api/src/sharding) is kept as written; parseShardingState validates
    // it on every read, so its format can grow without a CRD change pruning new fields.
    { preserveUnknown: true },
  )
  .describe('The sharding state of the class (virtual shards, physical shards and the pods holding each replica), written once by the operator at placement and read by every pod.');

export const classPhases = ['Pending', 'Placed', 'Ready', 'Invalid', 'Deleting'] as const;
export type ClassPhase = (typeof classPhases)[number];

export const vectorClassStatusSchema = s
  .object({
    observedGeneration: s.integer({ minimum: 0 }).describe('The metadata.generation this status was computed from.').optional(),
    phase: s.enum(classPhases).describe(
      'Summary for humans and printer columns: Pending (waiting for its cluster), Placed (shards assigned, not all replicas ready), Ready (every replica ready), Invalid (the spec is rejected) or Deleting (waiting for the pods to drop its data).',
    ).optional(),
    conditions: conditionsSchema.optional(),
    placedWith: placedWithSchema.optional(),
    sharding: shardingStateStatusSchema.optional(),
    shards: s.array(shardStatusSchema).describe('Per physical shard: its replicas with readiness and object counts.').optional(),
    shardCount: s.integer({ minimum: 0 }).describe('Number of physical shards.').optional(),
    readyShards: s.integer({ minimum: 0 }).describe('Number of physical shards whose replicas are all ready.').optional(),
    objects: s.integer({ minimum: 0 }).describe('Live objects in the class (the sum over shards); absent until the pods report counts.').optional(),
  })
  .describe('Observed state of the class, written by the operator.');

export type VectorClassSpec = Infer<typeof vectorClassSpecSchema>;
export type VectorClassStatus = Infer<typeof vectorClassStatusSchema>;
export type ShardStatus = Infer<typeof shardStatusSchema>;
export type ReplicaStatus = Infer<typeof replicaStatusSchema>;
export type PlacedWith = Infer<typeof placedWithSchema>;

/** Validate an untrusted spec (throws ValidationError naming every bad field under `spec.`). */
export function parseVectorClassSpec(value: unknown): VectorClassSpec {
  return parse(vectorClassSpecSchema, value, 'spec');
}
