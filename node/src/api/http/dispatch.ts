// Running a handler for a request, whichever server received it: read and parse the body when
// the route takes one, call the handler, send the reply or the error, record metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiDeps } from '../deps.js';
import { readJson } from './body.js';
import { errorReply, sendReply, type Reply } from './reply.js';
import type { Route } from './routes.js';
import { badRequest } from '../errors.js';

export interface Target {
  path: string;
  query: URLSearchParams;
}

/** Split a request URL into path and query without building a URL object. */
export function splitUrl(url: string | undefined): Target {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? { path: raw, query: new URLSearchParams() } : { path: raw.slice(0, q), query: new URLSearchParams(raw.slice(q + 1)) };
}

export function decodeParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const [k, v] of Object.entries(params)) out[k] = decodeURIComponent(v);
  } catch {
    throw badRequest('the path holds a malformed %-escape');
  }
  return out;
}

export function finish(deps: ApiDeps, res: ServerResponse, reply: Reply, method: string, route: string, started: bigint): void {
  sendReply(res, reply, method === 'HEAD');
  deps.metrics.request(method, route, reply.status, Number(process.hrtime.bigint() - started) / 1e9);
}

export async function dispatch(
  deps: ApiDeps, route: Route, req: IncomingMessage, res: ServerResponse, target: Target, params: Record<string, string>, started: bigint,
): Promise<void> {
  let reply: Reply;
  deps.metrics.inflight(1);
  try {
    const body = route.body ? await readJson(req, deps.maxBodyBytes) : undefined;
    if (!route.body) req.resume();
    reply = await route.handler(deps, { method: route.method, path: target.path, params, query: target.query, body });
  } catch (e) {
    reply = errorReply(e);
    if (reply.status >= 500) deps.log.error('request failed', { method: req.method, route: route.name, error: e as Error });
  } finally {
    deps.metrics.inflight(-1);
  }
  finish(deps, res, reply, req.method ?? route.method, route.name, started);
}
