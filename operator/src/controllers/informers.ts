// The four informers the controllers read from: both custom resources, and the StatefulSets
// and Pods the operator manages (selected by app.kubernetes.io/managed-by, so the cache holds
// only Shoal's pods, not every pod of the cluster).
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesListObject, KubernetesObject, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { GROUP, VERSION, VECTOR_CLUSTER, VECTOR_CLASS, LABELS, MANAGED_BY } from '../../../api/index.js';
import { ResilientInformer, InformerOptions } from '../../../api/index.js';
import { VectorClusterObject, VectorClassObject } from '../resources.js';

export interface Informers {
  clusters: ResilientInformer<VectorClusterObject>;
  classes: ResilientInformer<VectorClassObject>;
  statefulSets: ResilientInformer<V1StatefulSet>;
  pods: ResilientInformer<V1Pod>;
}

export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

function nsPath(prefix: string, namespace: string | undefined, plural: string): string {
  return namespace ? `${prefix}/namespaces/${namespace}/${plural}` : `${prefix}/${plural}`;
}

function customInformer<T extends KubernetesObject>(kc: KubeConfig, plural: string, namespace: string | undefined, opts: InformerOptions) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const list = async () =>
    (namespace
      ? await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
      : await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural })) as KubernetesListObject<T>;
  return new ResilientInformer<T>(kc, { resource: plural, path: nsPath(`/apis/${GROUP}/${VERSION}`, namespace, plural), list }, opts);
}

export function createInformers(kc: KubeConfig, namespace: string | undefined, opts: InformerOptions): Informers {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const labelSelector = MANAGED_SELECTOR;
  const listSets = () => (namespace ? apps.listNamespacedStatefulSet({ namespace, labelSelector }) : apps.listStatefulSetForAllNamespaces({ labelSelector }));
  const listPods = () => (namespace ? core.listNamespacedPod({ namespace, labelSelector }) : core.listPodForAllNamespaces({ labelSelector }));
  return {
    clusters: customInformer<VectorClusterObject>(kc, VECTOR_CLUSTER.plural, namespace, opts),
    classes: customInformer<VectorClassObject>(kc, VECTOR_CLASS.plural, namespace, opts),
    statefulSets: new ResilientInformer<V1StatefulSet>(kc, { resource: 'statefulsets', path: nsPath('/apis/apps/v1', namespace, 'statefulsets'), list: listSets, labelSelector }, opts),
    pods: new ResilientInformer<V1Pod>(kc, { resource: 'pods', path: nsPath('/api/v1', namespace, 'pods'), list: listPods, labelSelector }, opts),
  };
}
