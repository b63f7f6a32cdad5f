// The node's HTTP API face.
export { createApiServer } from './http/server.js';
export { createApiMetrics, type ApiMetrics } from './metrics.js';
export { GraphqlEndpoint } from './graphql/endpoint.js';
export type { ApiDeps, ApiRequest } from './deps.js';
