// The public API on express: every route of the table, with Shoal's own body reader (bounded,
// same errors as the fast path), no ETag, no x-powered-by, JSON 404s.
import express, { type Request, type Response } from 'express';
import type { ApiDeps } from '../deps.js';
import { ROUTES } from './routes.js';
import { dispatch, finish, splitUrl } from './dispatch.js';
import { errorBody } from '../errors.js';

const START = Symbol('shoal.start');
type Timed = { [START]?: bigint };

/** When the server received the request (set by server.ts before handing it to express). */
export function markStart(req: object, started: bigint): void {
  (req as Timed)[START] = started;
}

export function createExpressApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  for (const route of ROUTES) {
    const method = route.method.toLowerCase() as 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete';
    app[method](route.path, (req: Request, res: Response) => {
      const started = (req as Timed)[START] ?? process.hrtime.bigint();
      void dispatch(deps, route, req, res, splitUrl(req.originalUrl), req.params as Record<string, string>, started);
    });
  }
  app.use((req: Request, res: Response) => {
    req.resume();
    const reply = { status: 404, body: errorBody([`no endpoint ${req.method} ${splitUrl(req.originalUrl).path}; see /v1/meta and the README for the API`]) };
    finish(deps, res, reply, req.method, 'unmatched', (req as Timed)[START] ?? process.hrtime.bigint());
  });
  return app;
}
