// Two Services per cluster: a headless one for discovery between pods (it lists pods that are
// not ready yet, so a starting cluster can gossip), and a client one for the API.
import type { V1Service } from '@kubernetes/client-node';
import { ClusterInput, namesOf, metadataFor, selectorLabels } from './cluster.js';

/** Tells the two Services apart (the ServiceMonitor selects the client one). */
export const SERVICE_ROLE_LABEL = 'shoal.dev/service';

function serviceMetadata(c: ClusterInput, name: string, role: 'headless' | 'client') {
  const meta = metadataFor(c, name);
  return { ...meta, labels: { ...meta.labels, [SERVICE_ROLE_LABEL]: role } };
}

export function buildHeadlessService(c: ClusterInput): V1Service {
  const { ports } = c.spec;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: serviceMetadata(c, namesOf(c.name).headlessService, 'headless'),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(c.name),
      ports: [
        // Pods reach each other on pod IPs (a headless Service only serves DNS), so this lists
        // the TCP side of gossip only; UDP on the same port needs no entry.
        { name: 'gossip', port: ports.gossip, targetPort: 'gossip', protocol: 'TCP' },
        { name: 'data', port: ports.data, targetPort: 'data', protocol: 'TCP' },
      ],
    },
  };
}

export function buildClientService(c: ClusterInput): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: serviceMetadata(c, namesOf(c.name).clientService, 'client'),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(c.name),
      ports: [{ name: 'http', port: c.spec.ports.http, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}
