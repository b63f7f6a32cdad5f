// The StatefulSet of a VectorCluster: stable pod names (<cluster>-<ordinal>) for placement,
// one volume per pod, all pods started at once (Parallel: gossip needs peers, not order).
import type { V1StatefulSet, V1Container, V1PodSpec, V1Probe, V1Affinity, V1TopologySpreadConstraint, V1PersistentVolumeClaim, V1ResourceRequirements } from '@kubernetes/client-node';
import { ClusterInput, namesOf, metadataFor, selectorLabels, commonLabels } from './cluster.js';
import { containerEnv, DATA_DIR } from './env.js';

/** UID/GID of the `node` user of the node:22 base image; fsGroup makes the volume writable. */
export const POD_USER_ID = 1000;
export const CONTAINER_NAME = 'shoal';
export const READY_PATH = '/v1/.well-known/ready';
export const LIVE_PATH = '/v1/.well-known/live';

function probe(path: string, periodSeconds: number, failureThreshold: number): V1Probe {
  return { httpGet: { path, port: 'http' }, periodSeconds, timeoutSeconds: 3, failureThreshold };
}

function container(c: ClusterInput): V1Container {
  const { spec } = c;
  const out: V1Container = {
    name: CONTAINER_NAME,
    image: spec.image,
    // Gossip also uses UDP on the gossip port. It is not declared: container ports are
    // informational, the headless Service does not proxy, and TCP+UDP entries on one port
    // trip strategic-merge tooling (kubernetes#39188).
    ports: [
      { name: 'http', containerPort: spec.ports.http, protocol: 'TCP' },
      { name: 'gossip', containerPort: spec.ports.gossip, protocol: 'TCP' },
      { name: 'data', containerPort: spec.ports.data, protocol: 'TCP' },
    ],
    env: containerEnv(c),
    // Loading big shards can take minutes: the startup probe holds liveness off for up to 10 min.
    startupProbe: probe(LIVE_PATH, 5, 120),
    livenessProbe: probe(LIVE_PATH, 10, 6),
    readinessProbe: probe(READY_PATH, 5, 3),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: namesOf(c.name).dataVolume, mountPath: DATA_DIR },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  if (spec.imagePullPolicy) out.imagePullPolicy = spec.imagePullPolicy;
  if (spec.resources) out.resources = resources(spec.resources);
  return out;
}

/** Quantities may be written as numbers in the CR (cpu: 2); a Pod spec takes strings. */
function resources(r: NonNullable<ClusterInput['spec']['resources']>): V1ResourceRequirements {
  const strings = (m?: Record<string, string | number>) => (m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)])) : undefined);
  const out: V1ResourceRequirements = {};
  if (r.requests) out.requests = strings(r.requests);
  if (r.limits) out.limits = strings(r.limits);
  return out;
}

/** Pods of one cluster prefer distinct nodes (preferred: a small test cluster still schedules). */
function affinity(c: ClusterInput): V1Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels(c.name) } } },
      ],
    },
  };
}

function zoneSpread(c: ClusterInput): V1TopologySpreadConstraint[] | undefined {
  const mode = c.spec.scheduling.zoneSpread;
  if (mode === 'None') return undefined;
  return [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: mode === 'Required' ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: selectorLabels(c.name) },
    },
  ];
}

function podSpec(c: ClusterInput): V1PodSpec {
  const { scheduling } = c.spec;
  const spec: V1PodSpec = {
    serviceAccountName: namesOf(c.name).serviceAccount,
    // The pods watch VectorClasses and write their report annotation: they need the token.
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    ...(c.spec.imagePullSecrets?.length ? { imagePullSecrets: c.spec.imagePullSecrets.map((s) => ({ name: s.name })) } : {}),
    // Time to leave gossip gracefully and flush shards before SIGKILL.
    terminationGracePeriodSeconds: 60,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: POD_USER_ID,
      runAsGroup: POD_USER_ID,
      fsGroup: POD_USER_ID,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    affinity: affinity(c),
    containers: [container(c)],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  };
  const spread = zoneSpread(c);
  if (spread) spec.topologySpreadConstraints = spread;
  if (scheduling.nodeSelector) spec.nodeSelector = scheduling.nodeSelector;
  if (scheduling.tolerations) spec.tolerations = scheduling.tolerations;
  if (scheduling.priorityClassName) spec.priorityClassName = scheduling.priorityClassName;
  return spec;
}

function volumeClaim(c: ClusterInput): V1PersistentVolumeClaim {
  const { storage } = c.spec;
  const claim: V1PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: namesOf(c.name).dataVolume, labels: selectorLabels(c.name) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: storage.size } } },
  };
  if (storage.storageClassName) claim.spec!.storageClassName = storage.storageClassName;
  return claim;
}

/**
 * The StatefulSet with `replicas` pods. `replicas` is the operator's decision (spec.replicas,
 * or more while a scale-down is refused), not necessarily the spec's.
 */
export function buildStatefulSet(c: ClusterInput, replicas: number): V1StatefulSet {
  const names = namesOf(c.name);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: metadataFor(c, names.statefulSet),
    spec: {
      replicas,
      serviceName: names.headlessService,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels(c.name) },
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: c.spec.storage.whenDeleted, whenScaled: c.spec.storage.whenScaled },
      template: { metadata: { labels: commonLabels(c.name) }, spec: podSpec(c) },
      volumeClaimTemplates: [volumeClaim(c)],
    },
  };
}
