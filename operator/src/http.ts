// The operator's HTTP port: /healthz (liveness: informers synced and, when leading, leadership
// renewed) and /metrics. Nothing else is served.
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { OperatorMetrics } from './metrics.js';

export interface HealthSource {
  /** Empty when healthy, otherwise the reasons. */
  problems(): string[];
}

export interface HttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(port: number, host: string, metrics: OperatorMetrics, health: HealthSource): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/healthz') {
      const problems = health.problems();
      res.writeHead(problems.length ? 503 : 200, { 'content-type': 'text/plain' }).end(problems.length ? problems.join('\n') + '\n' : 'ok\n');
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
