// The input of every builder: the identity of a VectorCluster and its validated spec. Builders
// are pure functions of this value (golden-file tested); applying their output is kube/apply.ts.
import type { V1OwnerReference } from '@kubernetes/client-node';
import { API_VERSION, VECTOR_CLUSTER, LABELS, MANAGED_BY, VectorClusterSpec } from '../../../api/index.js';

export interface ClusterInput {
  name: string;
  namespace: string;
  uid: string;
  spec: VectorClusterSpec;
}

/** Names of everything built for a cluster; one place, so renames cannot miss a reference. */
export function namesOf(cluster: string) {
  return {
    statefulSet: cluster,
    headlessService: `${cluster}-headless`,
    clientService: cluster,
    podDisruptionBudget: cluster,
    serviceAccount: `${cluster}-node`,
    role: `${cluster}-node`,
    roleBinding: `${cluster}-node`,
    serviceMonitor: cluster,
    /** Volume claim template; PVCs are named `data-<pod>`. */
    dataVolume: 'data',
    pod: (ordinal: number) => `${cluster}-${ordinal}`,
  };
}

/** Labels the StatefulSet selects pods by. Immutable on a StatefulSet: never add to these. */
export function selectorLabels(cluster: string): Record<string, string> {
  return { [LABELS.name]: 'shoal', [LABELS.cluster]: cluster };
}

/**
 * Labels on every object built for a cluster and on its pods. No version label: the pod
 * template must not change when only the operator is upgraded (that would restart every pod).
 */
export function commonLabels(cluster: string): Record<string, string> {
  return { ...selectorLabels(cluster), [LABELS.instance]: cluster, [LABELS.component]: 'node', [LABELS.managedBy]: MANAGED_BY };
}

/** The label selector of the pods as a string (status.selector, informers). */
export function selectorString(cluster: string): string {
  return Object.entries(selectorLabels(cluster)).map(([k, v]) => `${k}=${v}`).join(',');
}

export function ownerReference(c: ClusterInput): V1OwnerReference {
  return { apiVersion: API_VERSION, kind: VECTOR_CLUSTER.kind, name: c.name, uid: c.uid, controller: true, blockOwnerDeletion: true };
}

export function metadataFor(c: ClusterInput, name: string) {
  return { name, namespace: c.namespace, labels: commonLabels(c.name), ownerReferences: [ownerReference(c)] };
}

/** DNS name of the headless Service: resolves to every pod, ready or not (gossip seeds). */
export function joinAddress(c: ClusterInput): string {
  return `${namesOf(c.name).headlessService}.${c.namespace}.svc`;
}
