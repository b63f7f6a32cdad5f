// /v1/objects: create, read, replace, merge, delete and list objects, in the class-namespaced
// form (Weaviate >= 1.14) and the older form without a class in the path.
import { randomUUID } from 'node:crypto';
import { canonicalClassName, type SchemaIssue } from '../../../../api/index.js';
import type { ApiDeps, ApiRequest } from '../deps.js';
import { ok, noContent, type Reply } from '../http/reply.js';
import { consistencyLevel, includes, intParam, MAX_RESULTS } from '../http/params.js';
import { HttpError, httpNotFound, issueMessages, unprocessable } from '../errors.js';
import { validateObject, type ObjectInput } from '../validation/object.js';
import { settleDimensions } from '../validation/dimensions.js';
import { checkUuid } from '../validation/values.js';
import { renderObject } from '../render.js';
import { classParam } from './schema.js';
import { routableClass } from '../../control/routable.js';

function idParam(req: ApiRequest): string {
  const r = checkUuid(req.params.id);
  if ('error' in r) throw unprocessable(`id in the path ${r.error}`);
  return r.value;
}

/** The class named in the path, which must exist (404 otherwise). */
function pathClass(deps: ApiDeps, req: ApiRequest): string | undefined {
  if (req.params.className === undefined) return undefined;
  const name = classParam(req);
  routableClass(deps.control.snapshot(), name);
  return name;
}

/** Validate a body into an object input, fixing the class's dimensions if this is its first vector. */
async function validBody(deps: ApiDeps, req: ApiRequest, opts: { classFromUrl?: string; idFromUrl?: string }): Promise<ObjectInput> {
  const issues: SchemaIssue[] = [];
  const snap = deps.control.snapshot();
  const named = (req.body as { class?: unknown } | undefined)?.class;
  if (opts.classFromUrl === undefined && typeof named === 'string' && snap.pending?.has(canonicalClassName(named)))
    routableClass(snap, canonicalClassName(named));
  const input = validateObject(snap, req.body, issues, opts);
  if (!input) throw new HttpError(422, issueMessages(issues));
  const [dimError] = await settleDimensions(deps.control, [input]);
  if (dimError) throw unprocessable(dimError);
  return input;
}

export async function createObject(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const opts = { consistencyLevel: consistencyLevel(req.query) };
  const input = await validBody(deps, req, {});
  const write = { class: input.class, id: input.id ?? randomUUID(), properties: input.properties, vector: input.vector ?? null };
  return ok(renderObject(await deps.coordinator.createObject(write, opts), true));
}

export async function getObject(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const opts = { consistencyLevel: consistencyLevel(req.query) };
  const id = idParam(req);
  const found = await deps.coordinator.getObject(pathClass(deps, req), id, opts);
  if (!found) throw httpNotFound(`no object with id ${id}`);
  return ok(renderObject(found, includes(req.query).has('vector')));
}

export async function headObject(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const opts = { consistencyLevel: consistencyLevel(req.query) };
  const found = await deps.coordinator.getObject(pathClass(deps, req), idParam(req), opts);
  return { status: found ? 204 : 404 };
}

export async function replaceObject(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const opts = { consistencyLevel: consistencyLevel(req.query) };
  const id = idParam(req);
  const input = await validBody(deps, req, { classFromUrl: pathClass(deps, req), idFromUrl: id });
  const write = { class: input.class, id, properties: input.properties, vector: input.vector ?? null };
  return ok(renderObject(await deps.coordinator.replaceObject(write, opts), true));
}

export async function patchObject(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const opts = { consistencyLevel: consistencyLevel(req.query) };
  const id = idParam(req);
  const input = await validBody(deps, req, { classFromUrl: pathClass(deps, req), idFromUrl: id });
  await deps.coordinator.patchObject(input.class, id, { properties: input.properties, vector: input.vector }, opts);
  return noContent();
}

export async function deleteObject(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const opts = { consistencyLevel: consistencyLevel(req.query) };
  const id = idParam(req);
  const deleted = await deps.coordinator.deleteObject(pathClass(deps, req), id, opts);
  if (!deleted) throw httpNotFound(`no object with id ${id}`);
  return noContent();
}

/** GET /v1/objects?class=&limit=&offset=&after=&include=vector */
export async function listObjects(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const opts = { consistencyLevel: consistencyLevel(req.query) };
  const q = req.query;
  const limit = intParam(q, 'limit', 25, 0, MAX_RESULTS);
  const offset = intParam(q, 'offset', 0, 0, MAX_RESULTS);
  if (offset + limit > MAX_RESULTS) throw unprocessable(`offset + limit must not exceed ${MAX_RESULTS}; page with after=<last id> instead`);
  const className = q.get('class') || undefined;
  const afterRaw = q.get('after');
  let after: string | undefined;
  if (afterRaw !== null && afterRaw !== '') {
    if (!className) throw unprocessable('after needs class: a cursor walks one class');
    if (offset > 0) throw unprocessable('after and offset cannot be combined');
    const r = checkUuid(afterRaw);
    if ('error' in r) throw unprocessable(`after ${r.error}`);
    after = r.value;
  }
  const name = className ? pathClass(deps, { ...req, params: { className } }) : undefined;
  const objects = await deps.coordinator.listObjects(name, { after, offset, limit }, opts);
  const withVector = includes(q).has('vector');
  return ok({ objects: objects.map((o) => renderObject(o, withVector)), totalResults: objects.length, deprecations: [] });
}
