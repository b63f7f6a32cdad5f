// PATCH in its four content types, server-side apply, and the scale subresource, all reduced
// to Core.finishWrite so they share validation, generation and no-op rules.
import { parse as parseYaml } from 'yaml';
import { toExternal } from './convert.js';
import type { Core, Target, WriteContext } from './core.js';
import { ApiError, badRequest, conflict, notFound, unsupportedMediaType } from './errors.js';
import { serverSideApply } from './managed-fields.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { labelSelectorToString } from './selectors.js';
import type { KObject } from './types.js';
import { clone, getPath, isObject, setPath } from './util.js';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export interface PatchRequest { contentType: string; body: Buffer | unknown; force: boolean }

function parseBody(body: Buffer | unknown, yaml: boolean): unknown {
  if (!Buffer.isBuffer(body)) return body;
  const text = body.toString('utf8');
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding ${yaml ? 'YAML' : 'JSON'} patch: ${(e as Error).message}`);
  }
}

/** Apply a non-apply patch document to an object in served form. */
function patchObject(t: Target, current: unknown, contentType: string, patch: unknown): unknown {
  switch (contentType) {
    case PATCH_TYPES.json: return jsonPatch(current, patch);
    case PATCH_TYPES.merge: return mergePatch(current, patch);
    case PATCH_TYPES.strategic:
      if (t.def.custom) throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.json}, ${PATCH_TYPES.merge}, ${PATCH_TYPES.apply}`);
      return strategicMergePatch(current, patch);
    default:
      throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${Object.values(PATCH_TYPES).join(', ')}`);
  }
}

/** PATCH on an object or its status; returns the result and whether it was created (apply). */
export function patch(core: Core, t: Target, req: PatchRequest, ctx: WriteContext): { object: KObject; created: boolean } {
  const ct = req.contentType.split(';')[0].trim().toLowerCase();
  if (ct === PATCH_TYPES.apply) return apply(core, t, parseBody(req.body, true), req.force, ctx);
  if (!Object.values(PATCH_TYPES).includes(ct as never)) patchObject(t, {}, ct, {});
  const current = core.get(t);
  const patched = patchObject(t, clone(current), ct, parseBody(req.body, false));
  if (!isObject(patched)) throw new ApiError(422, 'Invalid', 'the patched object is not a JSON object');
  const cand = patched as KObject;
  cand.metadata = isObject(cand.metadata) ? cand.metadata : {};
  core.checkPreconditions(t, current, cand.metadata.resourceVersion, cand.metadata.uid);
  if (cand.metadata.name !== undefined && cand.metadata.name !== t.name) throw badRequest('metadata.name cannot be changed by a patch');
  const next = ctx.subresource === 'status' ? { ...clone(current), status: clone(cand.status) } as KObject : cand;
  return { object: core.finishWrite(t, current, next, ctx), created: false };
}

function apply(core: Core, t: Target, body: unknown, force: boolean, ctx: WriteContext): { object: KObject; created: boolean } {
  if (!ctx.opts.fieldManager) throw badRequest('PATCH request with apply content type requires fieldManager');
  if (!isObject(body)) throw badRequest('apply patch must be a YAML or JSON object');
  const applied = body as KObject;
  const want = t.def.group ? `${t.def.group}/${t.version}` : t.version;
  if (applied.apiVersion !== want || applied.kind !== t.def.kind) {
    throw badRequest(`apply patch must name apiVersion "${want}" and kind "${t.def.kind}", got "${String(applied.apiVersion)}" and "${String(applied.kind)}"`);
  }
  applied.metadata = isObject(applied.metadata) ? applied.metadata : {};
  if (applied.metadata.name !== undefined && applied.metadata.name !== t.name) {
    throw badRequest(`the name of the object (${String(applied.metadata.name)}) does not match the name on the URL (${t.name})`);
  }
  const stored = core.stored(t.def, t.namespace, t.name);
  const sctx = { manager: ctx.opts.fieldManager, subresource: ctx.subresource === 'status' ? 'status' : '', apiVersion: want,
    listType: core.listType(t.def, t.version), force };
  const wctx: WriteContext = { ...ctx, managedFieldsDone: true };
  if (!stored) {
    if (ctx.subresource) throw notFound(t.def, t.name);
    const merged = serverSideApply(undefined, applied, { ...sctx, scope: 'all' });
    merged.metadata.name = t.name;
    return { object: core.create(t.def, t.version, t.namespace, merged, wctx), created: true };
  }
  const live = toExternal(t.def, t.version, stored);
  core.checkPreconditions(t, live, applied.metadata.resourceVersion, applied.metadata.uid);
  const scope = ctx.subresource === 'status' ? 'status' : t.def.statusSubresource ? 'main' : 'all';
  const merged = serverSideApply(live, applied, { ...sctx, scope });
  return { object: core.finishWrite(t, live, merged, wctx), created: false };
}

// ---- scale ----

function scaleSpecOf(core: Core, t: Target): { specPath: string; statusPath: string; selectorPath?: string } {
  const s = t.def.scale;
  if (!s) throw notFound(t.def, `${t.name}/scale`);
  return { specPath: s.specReplicasPath, statusPath: s.statusReplicasPath, selectorPath: s.labelSelectorPath };
}

export function getScale(core: Core, t: Target): KObject {
  const paths = scaleSpecOf(core, t);
  const obj = core.get(t);
  const selector = t.def.custom
    ? (paths.selectorPath ? getPath(obj, paths.selectorPath) as string | undefined : undefined)
    : labelSelectorToString(getPath(obj, '.spec.selector'));
  const status: Record<string, unknown> = { replicas: Number(getPath(obj, paths.statusPath) ?? 0) };
  if (selector) status.selector = selector;
  return {
    apiVersion: 'autoscaling/v1', kind: 'Scale',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: Number(getPath(obj, paths.specPath) ?? 0) },
    status,
  };
}

/** PUT .../scale: writes spec replicas into the object (a spec change, so generation bumps). */
export function updateScale(core: Core, t: Target, scale: unknown, ctx: WriteContext): KObject {
  const paths = scaleSpecOf(core, t);
  if (!isObject(scale) || !isObject(scale.spec)) throw badRequest('the body must be an autoscaling/v1 Scale');
  const replicas = scale.spec.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(422, 'Invalid', `Scale.autoscaling "${t.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  }
  const current = core.get(t);
  const rv = isObject(scale.metadata) ? scale.metadata.resourceVersion as string | undefined : undefined;
  if (rv && rv !== current.metadata.resourceVersion) throw conflict(t.def, t.name);
  const next = clone(current);
  setPath(next as unknown as Record<string, unknown>, paths.specPath, replicas);
  core.finishWrite(t, current, next, { ...ctx, subresource: 'scale' });
  return getScale(core, t);
}

export function patchScale(core: Core, t: Target, req: PatchRequest, ctx: WriteContext): KObject {
  const ct = req.contentType.split(';')[0].trim().toLowerCase();
  const current = getScale(core, t);
  let next: unknown;
  if (ct === PATCH_TYPES.apply) next = mergePatch(current, parseBody(req.body, true));
  else if (ct === PATCH_TYPES.strategic) next = strategicMergePatch(current, parseBody(req.body, false));
  else next = patchObject({ ...t, def: { ...t.def, custom: false } }, current, ct, parseBody(req.body, false));
  return updateScale(core, t, next, ctx);
}
