// OpenAPI v3 documents, just enough for kubectl >= 1.29: the root index of group-versions, and
// per group-version a document whose PATCH operations carry `x-kubernetes-group-version-kind`
// and a `fieldValidation` query parameter, which makes kubectl delegate validation to the server
// (fieldValidation=Strict). CR schemas are included under components (for `kubectl explain`);
// built-in kinds get no schema, so kubectl computes strategic patches from its compiled-in types.
import { createHash } from 'node:crypto';
import { apiVersionOf, type Registry } from './resources.js';
import type { JsonObject, ResourceDef } from './types.js';

const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
  name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function schemaName(def: ResourceDef, version: string): string {
  const reversed = (def.group || 'core').split('.').reverse().join('.');
  return `${reversed}.${version}.${def.kind}`;
}

function operations(def: ResourceDef, version: string): Record<string, JsonObject> {
  const gvk = { group: def.group, version, kind: def.kind };
  const ns = def.namespaced ? 'namespaces/{namespace}/' : '';
  const base = `/${gvPath(def.group, version)}/${ns}${def.plural}`;
  const ref = { $ref: `#/components/schemas/${schemaName(def, version)}` };
  const body = { content: { 'application/json': { schema: ref } } };
  const ok = { 200: { description: 'OK', content: { 'application/json': { schema: ref } } } };
  const op = (action: string, extra: JsonObject = {}): JsonObject => ({
    operationId: `${action}${def.kind}`, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, responses: ok, ...extra,
  });
  const paths: Record<string, JsonObject> = {
    [base]: { get: op('list'), post: op('post', { parameters: WRITE_PARAMS, requestBody: body }) },
    [`${base}/{name}`]: {
      get: op('get'), delete: op('delete'),
      put: op('put', { parameters: WRITE_PARAMS, requestBody: body }),
      patch: op('patch', { parameters: WRITE_PARAMS, requestBody: { content: { 'application/merge-patch+json': { schema: { type: 'object' } } } } }),
    },
  };
  if (def.statusSubresource) paths[`${base}/{name}/status`] = { get: op('get'), put: op('put', { parameters: WRITE_PARAMS }), patch: op('patch', { parameters: WRITE_PARAMS }) };
  return paths;
}

function crSchema(def: ResourceDef, version: string): JsonObject | undefined {
  const schema = def.schemas?.[version];
  if (!schema) return undefined;
  return { ...schema, 'x-kubernetes-group-version-kind': [{ group: def.group, version, kind: def.kind }] };
}

/** The document for one group-version, or undefined if nothing is served there. */
export function groupVersionDoc(registry: Registry, group: string, version: string): JsonObject | undefined {
  const defs = registry.all().filter((d) => d.group === group && d.versions.includes(version) && !d.storageOf);
  if (defs.length === 0) return undefined;
  const paths: Record<string, JsonObject> = {};
  const schemas: Record<string, JsonObject> = {};
  for (const def of defs) {
    Object.assign(paths, operations(def, version));
    const s = def.custom ? crSchema(def, version) : undefined;
    if (s) schemas[schemaName(def, version)] = s;
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } } as JsonObject;
}

export function hashOf(doc: JsonObject): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 32).toUpperCase();
}

/** Root index: each group-version with a hash URL (the hash changes whenever the document does). */
export function rootDoc(registry: Registry): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const [group, versions] of registry.groups()) {
    for (const version of versions) {
      const doc = groupVersionDoc(registry, group, version);
      if (!doc) continue;
      const p = gvPath(group, version);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(doc)}` };
    }
  }
  return { paths } as JsonObject;
}

export { apiVersionOf };
