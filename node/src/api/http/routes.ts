// Every endpoint of the API: method, path (express syntax), the template used as the `route`
// metric label, whether it takes a JSON body, and its handler. Express serves this table; the
// node:http fast path (hot-routes.ts) answers the hottest routes of it directly.
import type { ApiDeps, ApiRequest } from '../deps.js';
import type { Reply } from './reply.js';
import { getMeta, live, ready } from '../handlers/meta.js';
import { listClasses, createClass, getClass, deleteClass, addProperty, getShards } from '../handlers/schema.js';
import { createObject, getObject, headObject, replaceObject, patchObject, deleteObject, listObjects } from '../handlers/objects.js';
import { batchObjects, batchDelete } from '../handlers/batch.js';
import { getNodes } from '../handlers/nodes.js';
import { metricsText } from '../handlers/metrics.js';

export type Handler = (deps: ApiDeps, req: ApiRequest) => Promise<Reply>;

export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Route template for metrics and logs. */
  name: string;
  body: boolean;
  handler: Handler;
}

const graphql: Handler = (deps, req) => deps.graphql.handle(req.body);
const graphqlBatch: Handler = (deps, req) => deps.graphql.handleBatch(req.body);

function route(method: Route['method'], path: string, handler: Handler, body = false): Route {
  return { method, path, name: path.replace(/:(\w+)/g, '{$1}'), body, handler };
}

export const ROUTES: Route[] = [
  route('GET', '/v1/.well-known/live', live),
  route('GET', '/v1/.well-known/ready', ready),
  route('GET', '/v1/meta', getMeta),
  route('GET', '/metrics', metricsText),
  route('GET', '/v1/schema', listClasses),
  route('POST', '/v1/schema', createClass, true),
  route('GET', '/v1/schema/:className', getClass),
  route('DELETE', '/v1/schema/:className', deleteClass),
  route('GET', '/v1/schema/:className/shards', getShards),
  route('POST', '/v1/schema/:className/properties', addProperty, true),
  route('GET', '/v1/objects', listObjects),
  route('POST', '/v1/objects', createObject, true),
  route('HEAD', '/v1/objects/:className/:id', headObject),
  route('GET', '/v1/objects/:className/:id', getObject),
  route('PUT', '/v1/objects/:className/:id', replaceObject, true),
  route('PATCH', '/v1/objects/:className/:id', patchObject, true),
  route('DELETE', '/v1/objects/:className/:id', deleteObject),
  route('HEAD', '/v1/objects/:id', headObject),
  route('GET', '/v1/objects/:id', getObject),
  route('PUT', '/v1/objects/:id', replaceObject, true),
  route('PATCH', '/v1/objects/:id', patchObject, true),
  route('DELETE', '/v1/objects/:id', deleteObject),
  route('POST', '/v1/batch/objects', batchObjects, true),
  route('DELETE', '/v1/batch/objects', batchDelete, true),
  route('POST', '/v1/graphql', graphql, true),
  route('POST', '/v1/graphql/batch', graphqlBatch, true),
  route('GET', '/v1/nodes', getNodes),
  route('GET', '/v1/nodes/:className', getNodes),
];
