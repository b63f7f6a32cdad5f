// The HTTP server: node:http in front. Authentication for every request, then the hot routes
// are dispatched here and everything else is handed to the express app.
import { createServer, type Server } from 'node:http';
import type { ApiDeps } from '../deps.js';
import { createAuthorizer } from './auth.js';
import { createExpressApp, markStart } from './express-app.js';
import { matchHot } from './hot-routes.js';
import { decodeParams, dispatch, finish, splitUrl } from './dispatch.js';
import { errorReply } from './reply.js';

export function createApiServer(deps: ApiDeps): Server {
  const app = createExpressApp(deps);
  const authorize = createAuthorizer(deps.apiKeys);
  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const target = splitUrl(req.url);
    try {
      authorize(target.path, req.headers.authorization);
    } catch (e) {
      req.resume();
      finish(deps, res, errorReply(e), req.method ?? 'GET', 'unauthorized', started);
      return;
    }
    const hot = matchHot(req.method, target.path);
    if (hot) {
      try {
        void dispatch(deps, hot.route, req, res, target, decodeParams(hot.params), started);
      } catch (e) {
        req.resume();
        finish(deps, res, errorReply(e), req.method ?? 'GET', hot.route.name, started);
      }
      return;
    }
    markStart(req, started);
    app(req, res);
  });
  // Longer than common load balancers' idle timeouts, so they close idle connections first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
