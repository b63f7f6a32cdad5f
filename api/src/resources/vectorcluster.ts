// VectorCluster: a set of Shoal data-plane pods. The operator turns it into a StatefulSet,
// Services, a PodDisruptionBudget, RBAC for the pods and (optionally) a ServiceMonitor.
// Every field's description becomes `kubectl explain` text through the generated CRD.
import { s, Infer, parse } from '../schema/index.js';
import { conditionsSchema } from './conditions.js';
import { immutable, CelRule } from './cel.js';

/** Kubernetes resource quantity (10Gi, 500m, 1.5). */
export const QUANTITY_PATTERN = /^[+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
/** DNS-1123 subdomain: names of Secrets, StorageClasses, PriorityClasses. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Go duration as Prometheus takes it (30s, 1m). */
const DURATION = /^([0-9]+(ms|s|m|h))+$/;

/**
 * Longest VectorCluster name: the StatefulSet is named like the cluster and Kubernetes puts
 * `<set>-<hash>` (11 more characters) into a 63-character label on every pod.
 */
export const MAX_CLUSTER_NAME_LENGTH = 52;
/** Cluster names become Service names, which must start with a letter (DNS-1035). */
export const CLUSTER_NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function port(defaultPort: number, what: string) {
  return s.integer({ minimum: 1, maximum: 65535 }).default(defaultPort).describe(`Container port for ${what}; defaults to ${defaultPort}.`);
}

function secretKeyRef(what: string, defaultKey: string) {
  return s
    .object({
      name: s.string({ pattern: DNS_SUBDOMAIN, maxLength: 253 }).describe(`Name of the Secret, in the namespace of the VectorCluster, that holds ${what}.`),
      key: s.string({ minLength: 1, maxLength: 253 }).default(defaultKey).describe(`Key of the value within the Secret; defaults to "${defaultKey}".`),
    })
    .describe(`Secret key that holds ${what}; the pods read it from an environment variable.`);
}

const quantities = (what: string) =>
  s.record(s.intOrString().describe('A quantity such as 2, 500m or 4Gi.')).describe(what).optional();

export const resourcesSchema = s
  .object({
    requests: quantities('Resources each pod is guaranteed (cpu, memory, ...); the scheduler places pods by these.'),
    limits: quantities('Most resources each pod may use; a pod above its memory limit is killed.'),
  })
  .describe('Compute resources of the Shoal container in every pod, as in a Pod spec.');

export const tolerationSchema = s
  .object({
    key: s.string().describe('Taint key the toleration applies to; empty with operator Exists matches every taint.').optional(),
    operator: s.enum(['Exists', 'Equal'] as const).describe('Exists matches any value; Equal (the default) matches value.').optional(),
    value: s.string().describe('Taint value the toleration matches when operator is Equal.').optional(),
    effect: s.enum(['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const).describe('Taint effect to match; empty matches all effects.').optional(),
    tolerationSeconds: s.integer().describe('For NoExecute: how long the pod stays bound after the taint appears; absent means forever.').optional(),
  })
  .describe('A toleration of a node taint, as in a Pod spec.');

export const storageSchema = s
  .object({
    size: s.string({ pattern: QUANTITY_PATTERN }).default('10Gi')
      .describe('Size of each pod\'s persistent volume (objects, HNSW snapshots, change log). Immutable: a StatefulSet cannot change its volume claims.'),
    storageClassName: s.string({ pattern: DNS_SUBDOMAIN, maxLength: 253 })
      .describe('StorageClass of the volumes; absent uses the cluster\'s default StorageClass. Immutable.').optional(),
    whenDeleted: s.enum(['Retain', 'Delete'] as const).default('Retain')
      .describe('What happens to the volumes when the VectorCluster is deleted: Retain (the default) keeps the data, Delete removes it.'),
    whenScaled: s.enum(['Retain', 'Delete'] as const).default('Retain')
      .describe('What happens to the volume of a pod removed by scaling down: Retain (the default) keeps it for a later scale-up, Delete removes it.'),
  })
  .describe('Persistent storage of every pod.');

export const portsSchema = s
  .object({
    http: port(8080, 'the REST and GraphQL API, health probes and metrics'),
    gossip: port(7000, 'membership gossip (UDP and TCP)'),
    data: port(7001, 'replication and query traffic between pods'),
  })
  .describe('Ports of the Shoal container; the pods learn them from environment variables.');

export const apiSettingsSchema = s
  .object({
    keysSecret: secretKeyRef('the API keys clients must present (comma-separated); absent disables authentication', 'keys').optional(),
    allowSchemaChanges: s.boolean().default(false).describe(
      'Whether clients may create and delete classes through POST and DELETE /v1/schema on the pods (the pods then create and delete VectorClass resources); when false, classes are managed only as VectorClass resources.',
    ),
  })
  .describe('Settings of the client-facing API.');

export const gossipSettingsSchema = s
  .object({
    keySecret: secretKeyRef('the key that encrypts and authenticates gossip between pods; absent sends gossip in clear text', 'key').optional(),
  })
  .describe('Settings of the membership gossip between pods.');

export const schedulingSchema = s
  .object({
    nodeSelector: s.record(s.string().describe('Required value of the node label.')).describe('Node labels a node must have to run a pod of this cluster.').optional(),
    tolerations: s.array(tolerationSchema).describe('Node taints the pods tolerate.').optional(),
    zoneSpread: s.enum(['None', 'Preferred', 'Required'] as const).default('None').describe(
      'Spreading of pods over topology.kubernetes.io/zone: None, Preferred (best effort) or Required (a pod stays Pending rather than unbalance zones by more than one).',
    ),
    priorityClassName: s.string({ pattern: DNS_SUBDOMAIN, maxLength: 253 }).describe('PriorityClass of the pods.').optional(),
  })
  .describe('Where the pods may run. Pods of one cluster always prefer distinct nodes.');

export const monitoringSchema = s
  .object({
    enabled: s.boolean().default(false).describe('Whether to create a Prometheus Operator ServiceMonitor for the pods (only when its CRD is installed).'),
    interval: s.string({ pattern: DURATION }).default('30s').describe('How often Prometheus scrapes the pods, as a duration such as 30s.'),
  })
  .describe('Prometheus scraping of the pods\' /metrics.');

export const vectorClusterSpecSchema = s
  .object(
    {
      replicas: s.integer({ minimum: 1, maximum: 1000 }).default(3).describe(
        'Number of data-plane pods. Scaling down is refused while the pods to be removed hold shard replicas (moving them off is not supported yet).',
      ),
      image: s.string({ minLength: 1, maxLength: 1024 }).describe('Container image of the Shoal node. Changing it restarts the pods one at a time.'),
      imagePullPolicy: s.enum(['Always', 'IfNotPresent', 'Never'] as const).describe('When the kubelet pulls the image; the Kubernetes default applies when absent.').optional(),
      imagePullSecrets: s
        .array(s.object({ name: s.string({ minLength: 1, maxLength: 253 }).describe('Name of a Secret of type kubernetes.io/dockerconfigjson in the cluster\'s namespace.') }).describe('A reference to one pull Secret.'))
        .describe('Secrets the kubelet uses to pull the image from a private registry.')
        .optional(),
      resources: resourcesSchema.optional(),
      storage: storageSchema.default({} as Infer<typeof storageSchema>),
      ports: portsSchema.default({} as Infer<typeof portsSchema>),
      api: apiSettingsSchema.default({} as Infer<typeof apiSettingsSchema>),
      gossip: gossipSettingsSchema.default({} as Infer<typeof gossipSettingsSchema>),
      scheduling: schedulingSchema.default({} as Infer<typeof schedulingSchema>),
      monitoring: monitoringSchema.default({} as Infer<typeof monitoringSchema>),
      logLevel: s.enum(['debug', 'info', 'warn', 'error'] as const).default('info').describe('Least severe log level the pods write.'),
    },
    { celRules: clusterSpecRules() },
  )
  .refine((sp) => new Set([sp.ports.http, sp.ports.gossip, sp.ports.data]).size === 3, 'ports.http, ports.gossip and ports.data must be distinct')
  .describe('Desired state of the cluster.');

function clusterSpecRules(): CelRule[] {
  const why = 'a StatefulSet cannot change its volume claim templates; create a new cluster and move the data';
  return [
    immutable(['storage', 'size'], { optionalFrom: 0, defaultValue: '10Gi', why }),
    immutable(['storage', 'storageClassName'], { optionalFrom: 0, why }),
  ];
}

export const clusterPhases = ['Pending', 'Ready', 'Degraded', 'ScaleDownBlocked', 'Invalid'] as const;
export type ClusterPhase = (typeof clusterPhases)[number];

export const vectorClusterStatusSchema = s
  .object({
    observedGeneration: s.integer({ minimum: 0 }).describe('The metadata.generation this status was computed from.').optional(),
    phase: s.enum(clusterPhases).describe(
      'Summary for humans and printer columns: Pending (no pod ready), Ready (all pods ready), Degraded (some pods not ready), ScaleDownBlocked (a requested scale-down would lose data) or Invalid (the spec is rejected).',
    ).optional(),
    replicas: s.integer({ minimum: 0 }).describe('Number of data-plane pods that exist.').optional(),
    readyReplicas: s.integer({ minimum: 0 }).describe('Number of data-plane pods that pass their readiness probe.').optional(),
    statefulSetReplicas: s.integer({ minimum: 0 }).describe('Replicas the operator set on the StatefulSet; differs from spec.replicas while a scale-down is refused.').optional(),
    selector: s.string().describe('Label selector of the pods, for the scale subresource (kubectl scale, autoscalers).').optional(),
    members: s.array(s.string().describe('A pod name.')).describe('Pods that gossip sees alive, as reported by the ready pods; empty until the pods report.').optional(),
    conditions: conditionsSchema.optional(),
  })
  .describe('Observed state of the cluster, written by the operator.');

export type VectorClusterSpec = Infer<typeof vectorClusterSpecSchema>;
export type VectorClusterStatus = Infer<typeof vectorClusterStatusSchema>;

/** Validate an untrusted spec (throws ValidationError naming every bad field under `spec.`). */
export function parseVectorClusterSpec(value: unknown): VectorClusterSpec {
  return parse(vectorClusterSpecSchema, value, 'spec');
}
