// The environment of the Shoal container: the whole contract between operator and pods (the
// node reads these in node/src/config.ts and its kube control source). Documented in
// operator/README.md, "Pod environment".
import type { V1EnvVar } from '@kubernetes/client-node';
import { ClusterInput, joinAddress } from './cluster.js';

/** Where the data volume is mounted. */
export const DATA_DIR = '/var/lib/shoal';

function fieldRef(name: string, fieldPath: string): V1EnvVar {
  return { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } };
}

function secretRef(name: string, ref: { name: string; key: string }): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
}

export function containerEnv(c: ClusterInput): V1EnvVar[] {
  const { ports, api, gossip, logLevel } = c.spec;
  const env: V1EnvVar[] = [
    fieldRef('SHOAL_NODE_NAME', 'metadata.name'),
    fieldRef('SHOAL_NAMESPACE', 'metadata.namespace'),
    fieldRef('SHOAL_ADVERTISE_ADDR', 'status.podIP'),
    { name: 'SHOAL_CONTROL', value: 'kube' },
    { name: 'SHOAL_CLUSTER', value: c.name },
    { name: 'SHOAL_JOIN', value: joinAddress(c) },
    { name: 'SHOAL_HTTP_PORT', value: String(ports.http) },
    { name: 'SHOAL_GOSSIP_PORT', value: String(ports.gossip) },
    { name: 'SHOAL_DATA_PORT', value: String(ports.data) },
    { name: 'SHOAL_DATA_DIR', value: DATA_DIR },
    { name: 'SHOAL_LOG_LEVEL', value: logLevel },
    { name: 'SHOAL_ALLOW_SCHEMA_CHANGES', value: String(api.allowSchemaChanges) },
  ];
  if (api.keysSecret) env.push(secretRef('SHOAL_API_KEYS', api.keysSecret));
  if (gossip.keySecret) env.push(secretRef('SHOAL_GOSSIP_KEY', gossip.keySecret));
  return env;
}
