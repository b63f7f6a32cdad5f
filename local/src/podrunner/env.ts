// The environment of a local pod's process: the container's env as Kubernetes would resolve it
// (values, fieldRefs, Secret and ConfigMap keys), then the few things that differ on one machine
// without a pod network: loopback addresses, the ports this runner assigned, a data folder in
// place of the PVC, the siblings' gossip addresses in place of the headless Service's DNS name,
// and a kubeconfig in place of the in-cluster service account. Pure: callers do the lookups.
import type { V1EnvVar } from '@kubernetes/client-node';
import type { PodPorts } from './ports.js';

export interface PodContext {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ports: PodPorts;
  dataDir: string;
  /** host:port gossip addresses of every pod of the StatefulSet (this one included). */
  join: string[];
  kubeconfigPath: string;
}

/** Reads one key of a Secret or ConfigMap; undefined when the object or key is missing. */
export type KeyLookup = (kind: 'Secret' | 'ConfigMap', namespace: string, name: string, key: string) => string | undefined;

export class EnvResolutionError extends Error {
  override name = 'EnvResolutionError';
}

function fieldValue(path: string, pod: PodContext): string {
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return pod.labels[label[1]] ?? '';
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (ann) return pod.annotations[ann[1]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'status.podIP':
    case 'status.hostIP':
      return '127.0.0.1';
    case 'spec.nodeName':
      return 'local';
    default:
      throw new EnvResolutionError(`fieldRef ${path} is not supported by the local pod runner`);
  }
}

function resolveOne(v: V1EnvVar, pod: PodContext, lookup: KeyLookup, env: Record<string, string>): string | undefined {
  if (v.value !== undefined) return v.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) => env[n] ?? m);
  const from = v.valueFrom;
  if (!from) return '';
  if (from.fieldRef) return fieldValue(from.fieldRef.fieldPath, pod);
  const ref = from.secretKeyRef ?? from.configMapKeyRef;
  if (ref) {
    const kind = from.secretKeyRef ? 'Secret' : 'ConfigMap';
    const value = lookup(kind, pod.namespace, ref.name ?? '', ref.key);
    if (value === undefined && !ref.optional)
      throw new EnvResolutionError(`env ${v.name}: ${kind} ${pod.namespace}/${ref.name} has no key ${ref.key}`);
    return value;
  }
  throw new EnvResolutionError(`env ${v.name}: only value, fieldRef, secretKeyRef and configMapKeyRef are supported locally`);
}

export function resolvePodEnv(containerEnv: V1EnvVar[] | undefined, pod: PodContext, lookup: KeyLookup): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of containerEnv ?? []) {
    const value = resolveOne(v, pod, lookup, env);
    if (value !== undefined) env[v.name] = value;
  }
  return {
    ...env,
    SHOAL_NODE_NAME: pod.name,
    SHOAL_NAMESPACE: pod.namespace,
    SHOAL_HTTP_HOST: '127.0.0.1',
    SHOAL_HTTP_PORT: String(pod.ports.http),
    SHOAL_GOSSIP_BIND: '127.0.0.1',
    SHOAL_GOSSIP_PORT: String(pod.ports.gossip),
    SHOAL_DATA_PORT: String(pod.ports.data),
    SHOAL_ADVERTISE_ADDR: '127.0.0.1',
    SHOAL_DATA_DIR: pod.dataDir,
    SHOAL_JOIN: pod.join.join(','),
    SHOAL_KUBECONFIG: pod.kubeconfigPath,
  };
}
