// What the HTTP handlers need, gathered once by the node's composition root (node/main.ts).
import type { ControlSource } from '../control/types.js';
import type { Coordinator } from '../coordinator/types.js';
import type { Logger } from '../log.js';
import type { Registry } from 'prom-client';
import type { ApiMetrics } from './metrics.js';
import type { GraphqlEndpoint } from './graphql/endpoint.js';

export interface ApiDeps {
  control: ControlSource;
  coordinator: Coordinator;
  log: Logger;
  metrics: ApiMetrics;
  /** Served at GET /metrics. */
  metricsRegistry: Registry;
  graphql: GraphqlEndpoint;
  nodeName: string;
  /** Largest request body in bytes (SHOAL_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Accepted API keys; empty means no authentication. */
  apiKeys: readonly string[];
  /** Weaviate API level implemented (what /v1/meta reports as `version`) and Shoal's own version. */
  versions: { apiLevel: string; shoal: string };
  /** True once every local shard is loaded. */
  ready(): boolean;
  /** `http://host:port` this node answers on, for /v1/meta. */
  hostname(): string;
}

/** A request as handlers see it, whichever server carried it. */
export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
}
