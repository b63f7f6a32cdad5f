// GET /v1/meta and the probes.
import type { ApiDeps } from '../deps.js';
import { ok, type Reply } from '../http/reply.js';

export async function getMeta(deps: ApiDeps): Promise<Reply> {
  return ok({
    hostname: deps.hostname(),
    // The Weaviate API level Shoal implements; clients choose their request shapes by it.
    version: deps.versions.apiLevel,
    shoalVersion: deps.versions.shoal,
    modules: {},
  });
}

export async function live(): Promise<Reply> {
  return { status: 200 };
}

/** Ready once every local shard is loaded (snapshot restored or index rebuilt). */
export async function ready(deps: ApiDeps): Promise<Reply> {
  return { status: deps.ready() ? 200 : 503 };
}
