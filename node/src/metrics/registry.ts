// The node's one Prometheus registry. Each part defines its own metrics next to its code and
// registers them here; GET /metrics serves this registry.
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'shoal_' });
export { client };
