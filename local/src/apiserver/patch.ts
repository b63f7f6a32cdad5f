// The three classic patch formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
// strategic merge patch. Strategic merge knows the merge keys of the built-in lists kubectl and
// helm touch (containers, env, ports, volumes, ...) from a table instead of Go struct tags;
// lists it does not know are replaced, as for lists without a patchStrategy.
import { ApiError } from './errors.js';
import { clone, deepEqual, isObject } from './util.js';

type Obj = Record<string, unknown>;

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Obj = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function patchFailed(message: string): ApiError {
  return new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);
}

function decodePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw patchFailed(`invalid JSON pointer "${p}"`);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Op { op: string; path: string; from?: string; value?: unknown }

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'json patch must be a JSON array of operations');
  let out = clone(doc);
  for (const raw of ops as Op[]) out = applyOp(out, raw);
  return out;
}

function parentOf(root: unknown, parts: string[], path: string): { parent: unknown; key: string } {
  let cur = root;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw patchFailed(`doc is missing path: "${path}"`);
  }
  return { parent: cur, key: parts[parts.length - 1] };
}

function getAt(root: unknown, path: string): unknown {
  let cur = root;
  for (const p of decodePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined;
    if (cur === undefined) throw patchFailed(`doc is missing path: "${path}"`);
  }
  return cur;
}

function applyOp(doc: unknown, op: Op): unknown {
  switch (op.op) {
    case 'test':
      if (!deepEqual(getAt(doc, op.path), op.value)) throw patchFailed(`testing value ${op.path} failed: test failed`);
      return doc;
    case 'remove': return removeAt(doc, op.path);
    case 'add': return addAt(doc, op.path, clone(op.value), false);
    case 'replace': getAt(doc, op.path); return addAt(doc, op.path, clone(op.value), true);
    case 'move': { const v = getAt(doc, op.from ?? ''); return addAt(removeAt(doc, op.from ?? ''), op.path, v, false); }
    case 'copy': return addAt(doc, op.path, clone(getAt(doc, op.from ?? '')), false);
    default: throw patchFailed(`unexpected json patch operation "${op.op}"`);
  }
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const parts = decodePointer(path);
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const idx = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw patchFailed(`array index out of bounds: "${path}"`);
    parent.splice(idx, replace ? 1 : 0, value);
  } else if (isObject(parent)) parent[key] = value;
  else throw patchFailed(`doc is missing path: "${path}"`);
  return doc;
}

function removeAt(doc: unknown, path: string): unknown {
  getAt(doc, path);
  const { parent, key } = parentOf(doc, decodePointer(path), path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (isObject(parent)) delete parent[key];
  return doc;
}

// ---- strategic merge patch ----

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The patchMergeKey of a built-in list, from its field path (names only, no indices). */
export function mergeKeyFor(path: string[]): string | undefined {
  const field = path[path.length - 1];
  const parent = path[path.length - 2];
  if (CONTAINER_LISTS.has(field)) return 'name';
  switch (field) {
    case 'env': case 'volumes': case 'imagePullSecrets': case 'resourceClaims': case 'schedulingGates': return 'name';
    case 'volumeMounts': return 'mountPath';
    case 'volumeDevices': return 'devicePath';
    case 'hostAliases': return 'ip';
    case 'topologySpreadConstraints': return 'topologyKey';
    case 'ownerReferences': return 'uid';
    case 'conditions': return 'type';
    case 'ports': return path.some((p) => CONTAINER_LISTS.has(p)) ? 'containerPort' : parent === 'spec' ? 'port' : undefined;
    default: return undefined;
  }
}

/** Lists of scalars merged as sets (patchStrategy: merge on a primitive list). */
function isMergedPrimitiveList(path: string[]): boolean {
  return path.length === 2 && path[0] === 'metadata' && path[1] === 'finalizers';
}

export function strategicMergePatch(original: unknown, patch: unknown): unknown {
  return smpValue(original, patch, []);
}

function smpValue(orig: unknown, patch: unknown, path: string[]): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') { const p = { ...patch }; delete p.$patch; return clone(p); }
  if (patch.$patch === 'delete') return undefined;
  const out: Obj = isObject(orig) ? clone(orig) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
    if (v === null) { delete out[k]; continue; }
    const childPath = [...path, k];
    const merged = Array.isArray(v) ? smpList(out[k], v, childPath) : smpValue(out[k], v, childPath);
    if (merged === undefined) delete out[k]; else out[k] = merged;
  }
  applyListDirectives(out, patch);
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!(patch.$retainKeys as string[]).includes(k)) delete out[k];
  }
  return out;
}

function applyListDirectives(out: Obj, patch: Obj): void {
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/') && Array.isArray(v)) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((x) => !v.some((d) => deepEqual(d, x)));
    }
    if (k.startsWith('$setElementOrder/') && Array.isArray(v)) {
      const field = k.slice('$setElementOrder/'.length);
      if (Array.isArray(out[field])) out[field] = reorder(out[field] as unknown[], v);
    }
  }
}

/** Order the list as `order` says; elements `order` does not name keep their place at the end. */
function reorder(list: unknown[], order: unknown[]): unknown[] {
  const matches = (item: unknown, o: unknown): boolean =>
    isObject(o) && isObject(item) ? Object.entries(o).every(([k, x]) => deepEqual(item[k], x)) : deepEqual(item, o);
  const first = order.flatMap((o) => list.filter((item) => matches(item, o)));
  return [...first, ...list.filter((item) => !first.includes(item))];
}

function smpList(orig: unknown, patch: unknown[], path: string[]): unknown[] {
  const key = mergeKeyFor(path);
  if (isMergedPrimitiveList(path)) {
    const base = Array.isArray(orig) ? [...orig] : [];
    for (const x of patch) if (!base.some((b) => deepEqual(b, x))) base.push(x);
    return base;
  }
  if (!key || !patch.every(isObject)) return clone(patch).filter((x) => !(isObject(x) && x.$patch));
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return clone(patch).filter((p) => !(isObject(p) && p.$patch === 'replace'));
  }
  const out = Array.isArray(orig) ? clone(orig) : [];
  for (const p of patch as Obj[]) {
    const idx = out.findIndex((o) => isObject(o) && o[key] === p[key]);
    if (p.$patch === 'delete') { if (idx >= 0) out.splice(idx, 1); continue; }
    if (idx >= 0) out[idx] = smpValue(out[idx], p, path);
    else out.push(smpValue(undefined, p, path));
  }
  return out;
}
