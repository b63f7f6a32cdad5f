// Names shared by the operator, the pods and the CRDs: the API group, kinds, the labels the
// operator puts on what it creates, and the annotations through which pods report back.
// One spelling per concept; change one here and every side follows.

export const GROUP = 'shoal.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const VECTOR_CLUSTER = { kind: 'VectorCluster', listKind: 'VectorClusterList', plural: 'vectorclusters', singular: 'vectorcluster' } as const;
export const VECTOR_CLASS = { kind: 'VectorClass', listKind: 'VectorClassList', plural: 'vectorclasses', singular: 'vectorclass' } as const;

/** Label keys on every object the operator creates (and on the pod template). */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  /** The VectorCluster an object belongs to; the operator maps child events back through it. */
  cluster: 'shoal.dev/cluster',
} as const;

/** Value of app.kubernetes.io/managed-by; the operator's informers select on it. */
export const MANAGED_BY = 'shoal-operator';

/**
 * Annotation on each data-plane Pod, written by the pod itself (JSON of a PodReport): the shard
 * replicas it holds, their readiness and object counts, and the members gossip sees alive.
 * The operator folds these into VectorClass and VectorCluster status; pods never write status.
 */
export const POD_REPORT_ANNOTATION = 'shoal.dev/report';

/**
 * Finalizer on every VectorClass. Removed by the operator once no pod reports a replica of the
 * class's shards any more (pods drop a class's data when they see its deletionTimestamp).
 */
export const CLASS_FINALIZER = 'shoal.dev/class-data';

/** Annotation that pauses reconciliation of one resource (value "true"), for manual surgery. */
export const PAUSED_ANNOTATION = 'shoal.dev/paused';
