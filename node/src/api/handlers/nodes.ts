// GET /v1/nodes and /v1/nodes/{className}.
import type { ApiDeps, ApiRequest } from '../deps.js';
import { ok, type Reply } from '../http/reply.js';
import { oneOfParam } from '../http/params.js';
import { renderNode } from '../render.js';
import { classParam } from './schema.js';
import { httpNotFound } from '../errors.js';

export async function getNodes(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const output = oneOfParam(req.query, 'output', ['minimal', 'verbose'] as const, 'minimal');
  const className = req.params.className ? classParam(req) : undefined;
  const snap = deps.control.snapshot();
  if (className && !snap.classes.has(className)) throw httpNotFound(`class ${JSON.stringify(className)} does not exist`);
  const nodes = await deps.coordinator.nodes(className);
  const factor = (cls: string) => snap.classes.get(cls)?.definition.replicationConfig.factor ?? 1;
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return ok({ nodes: sorted.map((n) => renderNode(n, output === 'verbose', deps.versions, factor)) });
}
