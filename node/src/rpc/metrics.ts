// Metrics of the internal RPC (shoal_rpc_*), on the node's registry. Registered once per process
// (found again by name), so several clients and servers in one test process share them.
import { client, registry } from '../metrics/registry.js';

function once<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface RpcMetrics {
  /** Replica RPC latency as the caller sees it (successful and failed calls). */
  callDuration: client.Histogram<'peer' | 'method'>;
  callErrors: client.Counter<'peer' | 'reason'>;
  serverRequests: client.Counter<'method' | 'outcome'>;
  serverDuration: client.Histogram<'method'>;
  /** Connections the server closed because of what the peer sent. */
  serverDropped: client.Counter<'reason'>;
  connections: client.Gauge<'direction'>;
}

export function rpcMetrics(): RpcMetrics {
  return {
    callDuration: once('shoal_rpc_client_duration_seconds', () => new client.Histogram({
      name: 'shoal_rpc_client_duration_seconds', help: 'Internal RPC calls to other pods (replica RPC), by peer pod and method, as the caller measures them.',
      labelNames: ['peer', 'method'], buckets: SECONDS, registers: [registry],
    })),
    callErrors: once('shoal_rpc_client_errors_total', () => new client.Counter({
      name: 'shoal_rpc_client_errors_total', help: 'Failed internal RPC calls by peer pod and reason (timeout, connect, closed, auth, protocol, remote).',
      labelNames: ['peer', 'reason'], registers: [registry],
    })),
    serverRequests: once('shoal_rpc_server_requests_total', () => new client.Counter({
      name: 'shoal_rpc_server_requests_total', help: 'Internal RPC requests served by this pod, by method and outcome (ok, error).',
      labelNames: ['method', 'outcome'], registers: [registry],
    })),
    serverDuration: once('shoal_rpc_server_duration_seconds', () => new client.Histogram({
      name: 'shoal_rpc_server_duration_seconds', help: 'Time this pod took to serve internal RPC requests, by method.',
      labelNames: ['method'], buckets: SECONDS, registers: [registry],
    })),
    serverDropped: once('shoal_rpc_server_dropped_connections_total', () => new client.Counter({
      name: 'shoal_rpc_server_dropped_connections_total', help: 'Data-port connections closed by this pod because of the peer: auth, cluster, wrong-peer, version, malformed, oversized, handshake-timeout, unauthenticated.',
      labelNames: ['reason'], registers: [registry],
    })),
    connections: once('shoal_rpc_connections', () => new client.Gauge({
      name: 'shoal_rpc_connections', help: 'Open authenticated data-port connections, by direction (inbound, outbound).',
      labelNames: ['direction'], registers: [registry],
    })),
  };
}
