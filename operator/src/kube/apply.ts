// The thin layer between desired objects (pure, built in build/) and the API: server-side
// apply, in order, with the operator's field manager and force (it owns every field it sets;
// fields others set, e.g. an HPA's or kubectl's annotations, are left alone).
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeClient } from './client.js';

export async function applyInOrder(client: KubeClient, objects: readonly KubernetesObject[]): Promise<KubernetesObject[]> {
  const out: KubernetesObject[] = [];
  for (const obj of objects) out.push(await client.apply(obj));
  return out;
}
