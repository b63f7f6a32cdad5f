// Prometheus Operator ServiceMonitor for the pods' /metrics (built only when monitoring is on;
// applied only when the monitoring.coreos.com CRD is installed).
import { ClusterInput, namesOf, metadataFor, selectorLabels } from './cluster.js';
import { SERVICE_ROLE_LABEL } from './services.js';

export const SERVICE_MONITOR_API_VERSION = 'monitoring.coreos.com/v1';

export interface ServiceMonitor {
  apiVersion: string;
  kind: 'ServiceMonitor';
  metadata: ReturnType<typeof metadataFor>;
  spec: Record<string, unknown>;
}

export function buildServiceMonitor(c: ClusterInput): ServiceMonitor {
  return {
    apiVersion: SERVICE_MONITOR_API_VERSION,
    kind: 'ServiceMonitor',
    metadata: metadataFor(c, namesOf(c.name).serviceMonitor),
    spec: {
      selector: { matchLabels: { ...selectorLabels(c.name), [SERVICE_ROLE_LABEL]: 'client' } },
      namespaceSelector: { matchNames: [c.namespace] },
      endpoints: [{ port: 'http', path: '/metrics', interval: c.spec.monitoring.interval }],
    },
  };
}
