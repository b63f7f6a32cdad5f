// The container HEALTHCHECK of the operator image: `node dist/operator/src/healthcheck.js`. The
// image has no shell or curl, so node itself asks the running operator's /healthz on the port
// and address it was configured with (same environment). Exit 0 on 200 within the timeout,
// else 1 with the reason on stderr. Kubernetes ignores HEALTHCHECK and uses the Deployment's
// probes; this serves `docker run` / `podman run` users.
import { request } from 'node:http';

const TIMEOUT_MS = 3000;
const port = Number(process.env.SHOAL_OPERATOR_HTTP_PORT?.trim() || 8081);
const configuredHost = process.env.SHOAL_OPERATOR_HTTP_HOST?.trim();
// A wildcard listen address is reachable on loopback; a specific one only on itself.
const host = !configuredHost || configuredHost === '0.0.0.0' || configuredHost === '::' ? '127.0.0.1' : configuredHost;
const url = `http://${host}:${port}/healthz`;

const req = request({ host, port, path: '/healthz', timeout: TIMEOUT_MS }, (res) => {
  res.resume();
  if (res.statusCode === 200) process.exit(0);
  process.stderr.write(`healthcheck: GET ${url} answered ${res.statusCode}, expected 200\n`);
  process.exit(1);
});
req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
req.on('error', (e) => {
  process.stderr.write(`healthcheck: GET ${url} failed: ${e.message}\n`);
  process.exit(1);
});
req.end();
