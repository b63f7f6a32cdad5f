// The operator's view of its custom resources as they come from the API (untrusted: specs are
// validated in reconcile, status is the operator's own), and work-queue keys.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { VectorClusterStatus, VectorClassStatus } from '../../api/index.js';

export interface VectorClusterObject extends KubernetesObject {
  spec?: unknown;
  status?: VectorClusterStatus;
}

export interface VectorClassObject extends KubernetesObject {
  spec?: { clusterRef?: { name?: unknown }; class?: { class?: unknown } } & Record<string, unknown>;
  status?: VectorClassStatus;
}

export interface Key {
  namespace: string;
  name: string;
}

export function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

export function parseKey(key: string): Key {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The cluster a VectorClass names, when it names one at all (the spec is not trusted yet). */
export function clusterNameOf(cls: VectorClassObject): string | undefined {
  const name = cls.spec?.clusterRef?.name;
  return typeof name === 'string' ? name : undefined;
}
