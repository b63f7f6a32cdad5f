// Identity and least privilege for the pods: they watch VectorClasses (schema and placement),
// set the vector length of a class from its first vector, write the report annotation on their
// own Pod, and, only when the cluster allows schema changes through the API, create and delete
// VectorClasses.
import type { V1ServiceAccount, V1Role, V1RoleBinding, V1PolicyRule } from '@kubernetes/client-node';
import { GROUP, VECTOR_CLASS } from '../../../api/index.js';
import { ClusterInput, namesOf, metadataFor } from './cluster.js';

export function buildServiceAccount(c: ClusterInput): V1ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadataFor(c, namesOf(c.name).serviceAccount) };
}

/** Pod rules; `podCount` pods (ordinals 0..podCount-1) may patch their own Pod. */
export function podRules(c: ClusterInput, podCount: number): V1PolicyRule[] {
  const names = namesOf(c.name);
  // patch/update: dimensions fixed by the first vector, properties added through the API.
  const classVerbs = ['get', 'list', 'watch', 'patch', 'update'];
  if (c.spec.api.allowSchemaChanges) classVerbs.push('create', 'delete');
  return [
    { apiGroups: [GROUP], resources: [VECTOR_CLASS.plural], verbs: classVerbs },
    {
      apiGroups: [''],
      resources: ['pods'],
      resourceNames: Array.from({ length: podCount }, (_, i) => names.pod(i)),
      verbs: ['get', 'patch'],
    },
  ];
}

export function buildRole(c: ClusterInput, podCount: number): V1Role {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: metadataFor(c, namesOf(c.name).role), rules: podRules(c, podCount) };
}

export function buildRoleBinding(c: ClusterInput): V1RoleBinding {
  const names = namesOf(c.name);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadataFor(c, names.roleBinding),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.role },
    subjects: [{ kind: 'ServiceAccount', name: names.serviceAccount, namespace: c.namespace }],
  };
}
