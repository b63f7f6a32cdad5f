// The API's Prometheus metrics (the storage engine registers objects per class and shard, index
// sizes and snapshot durations itself). Durations in seconds, as Prometheus recommends.
import client from 'prom-client';

export interface ApiMetrics {
  request(method: string, route: string, status: number, seconds: number): void;
  inflight(delta: 1 | -1): void;
  batch(objects: number, failed: number, seconds: number): void;
  query(className: string, type: 'get' | 'aggregate' | 'near_vector' | 'near_object', seconds: number): void;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createApiMetrics(registry: client.Registry): ApiMetrics {
  const registers = [registry];
  const requests = new client.Counter({
    name: 'shoal_http_requests_total', help: 'HTTP requests by method, route template and status code.',
    labelNames: ['method', 'route', 'status'], registers,
  });
  const duration = new client.Histogram({
    name: 'shoal_http_request_duration_seconds', help: 'HTTP request latency from first byte to response, by method and route template.',
    labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers,
  });
  const inflight = new client.Gauge({ name: 'shoal_http_requests_inflight', help: 'HTTP requests being served.', registers });
  const batchObjects = new client.Counter({
    name: 'shoal_batch_objects_total', help: 'Objects received in batch imports, by result.', labelNames: ['result'], registers,
  });
  const batchSize = new client.Histogram({
    name: 'shoal_batch_size_objects', help: 'Objects per batch import request.',
    buckets: [1, 10, 50, 100, 200, 500, 1000, 5000], registers,
  });
  const importDuration = new client.Histogram({
    name: 'shoal_import_duration_seconds', help: 'Latency of batch import requests, until every object is durable.',
    buckets: LATENCY_BUCKETS, registers,
  });
  const queryDuration = new client.Histogram({
    name: 'shoal_query_duration_seconds', help: 'Latency of GraphQL Get and Aggregate on a class, by query type.',
    labelNames: ['class_name', 'query_type'], buckets: LATENCY_BUCKETS, registers,
  });
  return {
    request(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
    inflight: (d) => inflight.inc(d),
    batch(objects, failed, seconds) {
      batchObjects.inc({ result: 'success' }, objects - failed);
      if (failed) batchObjects.inc({ result: 'failed' }, failed);
      batchSize.observe(objects);
      importDuration.observe(seconds);
    },
    query: (className, type, seconds) => queryDuration.observe({ class_name: className, query_type: type }, seconds),
  };
}
