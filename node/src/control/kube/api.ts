// The pod's narrow view of the Kubernetes API: VectorClasses of its namespace (list for the
// informer, create, get, conditional merge patch, delete) and a merge patch of its own Pod's
// annotations. Results are plain JSON (client-node's typed deserializer turns timestamps into
// Dates; watch events are plain, and the two are compared).
import {
  KubeConfig, CustomObjectsApi, CoreV1Api, PatchStrategy, setHeaderOptions, type KubernetesListObject,
} from '@kubernetes/client-node';
import { GROUP, VERSION, VECTOR_CLASS } from '../../../../api/index.js';
import type { VectorClassObject } from './classes.js';
import { isNotFound } from '../../../../api/index.js';

/** Field manager of every write a pod makes (visible in managedFields). */
export const FIELD_MANAGER = 'shoal-node';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const plain = <T>(x: unknown): T => JSON.parse(JSON.stringify(x)) as T;

export class VectorClassApi {
  private readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig, readonly namespace: string) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** Collection path the informer watches. */
  get path(): string {
    return `/apis/${GROUP}/${VERSION}/namespaces/${this.namespace}/${VECTOR_CLASS.plural}`;
  }

  private ref() {
    return { group: GROUP, version: VERSION, namespace: this.namespace, plural: VECTOR_CLASS.plural };
  }

  async list(): Promise<KubernetesListObject<VectorClassObject>> {
    return plain(await this.custom.listNamespacedCustomObject(this.ref()));
  }

  async get(name: string): Promise<VectorClassObject | undefined> {
    try {
      return plain(await this.custom.getNamespacedCustomObject({ ...this.ref(), name }));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async create(obj: VectorClassObject): Promise<VectorClassObject> {
    return plain(await this.custom.createNamespacedCustomObject({ ...this.ref(), body: obj, fieldManager: FIELD_MANAGER }));
  }

  /** JSON merge patch; put metadata.resourceVersion in it to make it conditional (409 when stale). */
  async mergePatch(name: string, patch: object): Promise<VectorClassObject> {
    return plain(await this.custom.patchNamespacedCustomObject({ ...this.ref(), name, body: patch, fieldManager: FIELD_MANAGER }, MERGE));
  }

  /** Delete the resource with this uid (a precondition: never a namesake created meanwhile); false when gone. */
  async delete(name: string, uid: string): Promise<boolean> {
    try {
      await this.custom.deleteNamespacedCustomObject({ ...this.ref(), name, body: { preconditions: { uid } } });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}

/** Merge-patches annotations of one Pod (the pod's own, as its Role allows). */
export function podAnnotationPatcher(kc: KubeConfig, namespace: string, pod: string): (annotations: Record<string, string | null>) => Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  return async (annotations) => {
    await core.patchNamespacedPod({ name: pod, namespace, body: { metadata: { annotations } }, fieldManager: FIELD_MANAGER }, MERGE);
  };
}
