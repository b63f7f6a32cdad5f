// GET /metrics: the node's Prometheus registry in the text exposition format.
import type { ApiDeps } from '../deps.js';
import type { Reply } from '../http/reply.js';

export async function metricsText(deps: ApiDeps): Promise<Reply> {
  return { status: 200, raw: await deps.metricsRegistry.metrics(), headers: { 'content-type': deps.metricsRegistry.contentType } };
}
