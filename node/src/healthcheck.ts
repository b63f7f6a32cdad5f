// The container HEALTHCHECK of the node image: `node dist/node/src/healthcheck.js`. The image has
// no shell or curl, so node itself asks the running server's liveness endpoint, on the port and
// address the server was configured with (same environment). Exit 0 when it answers 200 within
// the timeout, else 1 with the reason on stderr. Kubernetes ignores HEALTHCHECK and uses the
// StatefulSet's probes; this serves `docker run` / `podman run` users.
import { request } from 'node:http';

const TIMEOUT_MS = 3000;
const port = Number(process.env.SHOAL_HTTP_PORT?.trim() || 8080);
const configuredHost = process.env.SHOAL_HTTP_HOST?.trim();
// A wildcard listen address is reachable on loopback; a specific one only on itself.
const host = !configuredHost || configuredHost === '0.0.0.0' || configuredHost === '::' ? '127.0.0.1' : configuredHost;

const req = request({ host, port, path: '/v1/.well-known/live', timeout: TIMEOUT_MS }, (res) => {
  res.resume();
  if (res.statusCode === 200) process.exit(0);
  process.stderr.write(`healthcheck: GET http://${host}:${port}/v1/.well-known/live answered ${res.statusCode}, expected 200\n`);
  process.exit(1);
});
req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
req.on('error', (e) => {
  process.stderr.write(`healthcheck: GET http://${host}:${port}/v1/.well-known/live failed: ${e.message}\n`);
  process.exit(1);
});
req.end();
