// /v1/schema: classes, their properties and shards.
import { canonicalClassName, parseClass, parseProperty } from '../../../../api/index.js';
import type { ApiDeps, ApiRequest } from '../deps.js';
import { ok, type Reply } from '../http/reply.js';
import { renderClass } from '../render.js';
import { httpNotFound } from '../errors.js';
import type { ClassState } from '../../control/types.js';

export function classParam(req: ApiRequest): string {
  return canonicalClassName(req.params.className);
}

function requireClass(deps: ApiDeps, name: string): ClassState {
  const cls = deps.control.snapshot().classes.get(name);
  if (!cls) throw httpNotFound(`class ${JSON.stringify(name)} does not exist`);
  return cls;
}

export async function listClasses(deps: ApiDeps): Promise<Reply> {
  const classes = [...deps.control.snapshot().classes.values()].map(renderClass);
  return ok({ classes });
}

export async function createClass(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const def = parseClass(req.body);
  const state = await deps.control.createClass(def);
  deps.log.info('class created', { class: def.class, shards: state.sharding.physical.length });
  return ok(renderClass(state));
}

export async function getClass(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  return ok(renderClass(requireClass(deps, classParam(req))));
}

export async function deleteClass(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  // Deleting a class that does not exist succeeds, as in Weaviate: the end state is the same.
  const name = classParam(req);
  if (await deps.control.deleteClass(name)) deps.log.info('class deleted', { class: name });
  return { status: 200 };
}

export async function addProperty(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const name = classParam(req);
  requireClass(deps, name);
  const property = parseProperty(req.body);
  await deps.control.addProperty(name, property);
  return ok(property);
}

export async function getShards(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const name = classParam(req);
  requireClass(deps, name);
  const shards = await deps.coordinator.shards(name);
  return ok(shards.map((s) => ({ name: s.name, status: s.status, vectorQueueSize: 0 })));
}
