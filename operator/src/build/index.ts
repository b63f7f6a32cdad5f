// Desired objects of a VectorCluster: pure functions of its identity, validated spec and the
// replica count the operator decided. No I/O here; kube/apply.ts writes them.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ClusterInput } from './cluster.js';
import { buildStatefulSet } from './statefulset.js';
import { buildHeadlessService, buildClientService } from './services.js';
import { buildPodDisruptionBudget } from './pdb.js';
import { buildServiceAccount, buildRole, buildRoleBinding } from './rbac.js';
import { buildServiceMonitor } from './servicemonitor.js';

export * from './cluster.js';
export * from './env.js';
export * from './statefulset.js';
export * from './services.js';
export * from './pdb.js';
export * from './rbac.js';
export * from './servicemonitor.js';

export interface DesiredObjects {
  serviceAccount: KubernetesObject;
  role: KubernetesObject;
  roleBinding: KubernetesObject;
  headlessService: KubernetesObject;
  clientService: KubernetesObject;
  statefulSet: KubernetesObject;
  podDisruptionBudget: KubernetesObject;
  /** Present when spec.monitoring.enabled. */
  serviceMonitor?: KubernetesObject;
}

/** Everything a cluster should have, with `replicas` pods. */
export function desiredObjects(c: ClusterInput, replicas: number): DesiredObjects {
  const out: DesiredObjects = {
    serviceAccount: buildServiceAccount(c),
    role: buildRole(c, replicas),
    roleBinding: buildRoleBinding(c),
    headlessService: buildHeadlessService(c),
    clientService: buildClientService(c),
    statefulSet: buildStatefulSet(c, replicas),
    podDisruptionBudget: buildPodDisruptionBudget(c),
  };
  if (c.spec.monitoring.enabled) out.serviceMonitor = buildServiceMonitor(c);
  return out;
}
