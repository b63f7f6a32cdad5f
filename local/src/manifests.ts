// Reading manifests and applying them the way `kubectl apply --server-side` does, through the
// API server's HTTP API (client-node's KubernetesObjectApi), so that local mode exercises the
// same path as a real cluster.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, KubernetesObject, KubernetesObjectApi, PatchStrategy, loadAllYaml } from '@kubernetes/client-node';

export function readManifests(paths: string[]): KubernetesObject[] {
  const files = paths.flatMap((p) =>
    statSync(p).isDirectory() ? readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(p, f)) : [p],
  );
  const out: KubernetesObject[] = [];
  for (const file of files) {
    // client-node's loader turns known kinds into its model objects, which its serializer writes
    // back faithfully; plain JSON keys such as x-kubernetes-preserve-unknown-fields would be
    // dropped by that serializer otherwise.
    let docs: KubernetesObject[];
    try {
      docs = loadAllYaml(readFileSync(file, 'utf8')) as KubernetesObject[];
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    for (const obj of docs) {
      if (!obj) continue;
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
      out.push(obj);
    }
  }
  return out;
}

/** CRDs first (so that the kinds exist), then everything else in file order. */
export function applyOrder(objs: KubernetesObject[]): KubernetesObject[] {
  const isCrd = (o: KubernetesObject) => o.kind === 'CustomResourceDefinition';
  return [...objs.filter(isCrd), ...objs.filter((o) => !isCrd(o))];
}

export async function applyManifests(kc: KubeConfig, objs: KubernetesObject[], fieldManager: string): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of applyOrder(objs)) {
    const body = { ...obj, metadata: { ...obj.metadata, namespace: obj.metadata?.namespace ?? (isClusterScoped(obj) ? undefined : 'default') } };
    await retryUntilKnown(() => api.patch(body, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply));
  }
}

function isClusterScoped(obj: KubernetesObject): boolean {
  return ['CustomResourceDefinition', 'Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(obj.kind ?? '');
}

/** A kind registered by a CRD a moment ago may not be in client-node's discovery cache yet. */
async function retryUntilKnown<T>(fn: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const notFound = (err as { code?: number }).code === 404 || /Unrecognized API version and kind/.test(String(err));
      if (!notFound || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100 * i));
    }
  }
}
