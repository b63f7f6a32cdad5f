// The operator's narrow view of the Kubernetes API: server-side apply of desired objects,
// merge patches of custom resources (finalizers, status through the status subresource),
// reads, deletes and discovery. Every result is plain JSON (client-node's typed deserializer
// turns timestamps into Dates; the informers' watch events are plain, and the two must compare).
import {
  KubeConfig, KubernetesObject, KubernetesObjectApi, CustomObjectsApi, PatchStrategy, setHeaderOptions,
} from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../../api/index.js';
import { isNotFound } from '../../../api/index.js';

export const FIELD_MANAGER = 'shoal-operator';

/** Plain JSON copy: Dates become RFC 3339 strings, class instances plain objects. */
export function plainJson<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** KubernetesObjectApi with its discovery lookup made public. */
class ObjectApi extends KubernetesObjectApi {
  async kindExists(apiVersion: string, kind: string): Promise<boolean> {
    try {
      return (await this.resource(apiVersion, kind)) !== undefined;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}

export class KubeClient {
  private readonly objects: ObjectApi;
  private readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig, readonly fieldManager: string = FIELD_MANAGER) {
    this.objects = kc.makeApiClient(ObjectApi);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** Server-side apply, forcing ownership of the fields in `obj` (the operator owns them). */
  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    const out = await this.objects.patch(obj, undefined, undefined, this.fieldManager, true, PatchStrategy.ServerSideApply);
    return plainJson(out as T);
  }

  async get<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      return plainJson((await this.objects.read(spec)) as T);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Delete; false when it was already gone. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.objects.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async kindExists(apiVersion: string, kind: string): Promise<boolean> {
    return this.objects.kindExists(apiVersion, kind);
  }

  /** GET a shoal.dev custom resource straight from the API server (bypassing the cache). */
  async getCustom<T>(plural: string, namespace: string, name: string): Promise<T | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural, namespace, name })) as T;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * JSON merge patch of a shoal.dev resource. Include metadata.resourceVersion in `patch` to make
   * it conditional (409 Conflict when the object changed since it was read).
   */
  async mergePatchCustom<T>(plural: string, namespace: string, name: string, patch: object): Promise<T> {
    const opts = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    return (await this.custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, plural, namespace, name, body: patch, fieldManager: this.fieldManager },
      opts,
    )) as T;
  }

  /** JSON merge patch through the status subresource (spec and metadata are ignored there). */
  async mergePatchStatus<T>(plural: string, namespace: string, name: string, patch: object): Promise<T> {
    const opts = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    return (await this.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, plural, namespace, name, body: patch, fieldManager: this.fieldManager },
      opts,
    )) as T;
  }
}
