// The routes answered by node:http directly, skipping express's per-request cost (about 165 us,
// measured: more than a whole HNSW search): GraphQL queries, batch imports and reads by id.
import { ROUTES, type Route } from './routes.js';

export interface HotMatch {
  route: Route;
  params: Record<string, string>;
}

function find(method: Route['method'], path: string): Route {
  const r = ROUTES.find((x) => x.method === method && x.path === path);
  if (!r) throw new Error(`no route ${method} ${path}`);
  return r;
}

const GRAPHQL = find('POST', '/v1/graphql');
const BATCH = find('POST', '/v1/batch/objects');
const GET_OBJECT = find('GET', '/v1/objects/:className/:id');
const OBJECTS_PREFIX = '/v1/objects/';

export function matchHot(method: string | undefined, path: string): HotMatch | undefined {
  if (method === 'POST') {
    if (path === '/v1/graphql') return { route: GRAPHQL, params: {} };
    if (path === '/v1/batch/objects') return { route: BATCH, params: {} };
    return undefined;
  }
  if (method === 'GET' && path.startsWith(OBJECTS_PREFIX)) {
    const rest = path.slice(OBJECTS_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1 || rest.indexOf('/', slash + 1) >= 0) return undefined;
    return { route: GET_OBJECT, params: { className: rest.slice(0, slash), id: rest.slice(slash + 1) } };
  }
  return undefined;
}
