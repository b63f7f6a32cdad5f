// Field ownership for server-side apply, kept in `metadata.managedFields` (FieldsV1 format).
// A field set is a set of paths; a path is a list of segments `f:<field>`, `k:<list-map key>`
// or `v:<set value>`, joined with "\n". Ownership is tracked at leaves, list-map items and set
// values; other lists are atomic (the list is one leaf), as structured-merge-diff does for
// `x-kubernetes-list-type: atomic`.
import { ApiError } from './errors.js';
import type { JsonObject, KObject, ManagedFieldsEntry } from './types.js';
import { clone, deepEqual, isObject, nowRfc3339 } from './util.js';

export type ListType = { type: 'map'; keys: string[] } | { type: 'set' } | undefined;
/** Which lists are list-maps or sets, by field-name path (no indices). */
export type ListTypeFn = (names: string[]) => ListType;

const SEP = '\n';

export interface FieldSets {
  /** Leaves: scalars, empty maps, atomic lists, set values. Values here can conflict. */
  leaves: Set<string>;
  /** Every owned path: leaves plus list-map items. */
  all: Set<string>;
}

/** Metadata, apiVersion and kind identify the object; only these metadata fields are owned. */
const OWNED_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

export type Scope = 'main' | 'status' | 'all';

/** The field paths of an object, restricted to what a write through `scope` may change. */
export function fieldSets(obj: Record<string, unknown>, listType: ListTypeFn, scope: Scope): FieldSets {
  const sets: FieldSets = { leaves: new Set(), all: new Set() };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || v === undefined || v === null) continue;
    if (scope === 'status' && k !== 'status') continue;
    if (scope === 'main' && k === 'status') continue;
    if (k === 'metadata') {
      if (!isObject(v)) continue;
      for (const mk of OWNED_METADATA) {
        if (v[mk] !== undefined && v[mk] !== null) walk(v[mk], ['f:metadata', `f:${mk}`], ['metadata', mk], listType, sets);
      }
      continue;
    }
    walk(v, [`f:${k}`], [k], listType, sets);
  }
  return sets;
}

function itemKey(item: Record<string, unknown>, keys: string[]): string {
  return `k:${JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])))}`;
}

function walk(v: unknown, segs: string[], names: string[], listType: ListTypeFn, sets: FieldSets): void {
  const path = segs.join(SEP);
  if (isObject(v) && Object.keys(v).length > 0) {
    for (const [k, child] of Object.entries(v)) {
      if (child !== undefined && child !== null) walk(child, [...segs, `f:${k}`], [...names, k], listType, sets);
    }
    return;
  }
  if (Array.isArray(v)) {
    const lt = listType(names);
    if (lt?.type === 'map' && v.every(isObject)) {
      for (const item of v as Record<string, unknown>[]) {
        const itemSegs = [...segs, itemKey(item, lt.keys)];
        sets.all.add(itemSegs.join(SEP));
        walk(item, itemSegs, names, listType, sets);
      }
      return;
    }
    if (lt?.type === 'set') {
      for (const item of v) { const p = [...segs, `v:${JSON.stringify(item)}`].join(SEP); sets.leaves.add(p); sets.all.add(p); }
      return;
    }
  }
  sets.leaves.add(path);
  sets.all.add(path);
}

/** Navigate to the value a path names; undefined when absent. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of path.split(SEP)) {
    cur = step(cur, seg);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function step(cur: unknown, seg: string): unknown {
  const body = seg.slice(2);
  if (seg.startsWith('f:')) return isObject(cur) ? cur[body] : undefined;
  if (!Array.isArray(cur)) return undefined;
  if (seg.startsWith('k:')) {
    const key = JSON.parse(body) as Record<string, unknown>;
    return cur.find((item) => isObject(item) && Object.entries(key).every(([k, x]) => deepEqual(item[k], x)));
  }
  const value = JSON.parse(body) as unknown;
  return cur.find((item) => deepEqual(item, value));
}

/** Remove the field a path names (a map key, a list-map item or a set value). */
export function removeAt(obj: Record<string, unknown>, path: string): void {
  const segs = path.split(SEP);
  const parent = valueAt(obj, segs.slice(0, -1).join(SEP)) ?? (segs.length === 1 ? obj : undefined);
  const last = segs[segs.length - 1];
  if (last.startsWith('f:') && isObject(parent)) { delete parent[last.slice(2)]; return; }
  if (Array.isArray(parent)) {
    const target = step(parent, last);
    const idx = parent.indexOf(target);
    if (idx >= 0) parent.splice(idx, 1);
  }
}

/** `.spec.template.spec.containers[name="c"].image`, the path form conflict messages use. */
export function displayPath(path: string): string {
  return path.split(SEP).map((seg) => {
    if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
    if (seg.startsWith('k:')) {
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    }
    return `[=${seg.slice(2)}]`;
  }).join('');
}

// ---- FieldsV1 encoding ----

export function toFieldsV1(paths: Iterable<string>): JsonObject {
  const root: JsonObject = {};
  const list = [...paths];
  for (const p of list) {
    let node = root;
    for (const seg of p.split(SEP)) node = (node[seg] ??= {}) as JsonObject;
  }
  for (const p of list) {
    let node = root;
    for (const seg of p.split(SEP)) node = node[seg] as JsonObject;
    if (Object.keys(node).some((k) => k !== '.')) node['.'] = {};
  }
  return root;
}

export function fromFieldsV1(tree: unknown, prefix: string[] = []): Set<string> {
  const out = new Set<string>();
  if (!isObject(tree)) return out;
  const keys = Object.keys(tree);
  if (prefix.length > 0 && (keys.length === 0 || keys.includes('.'))) out.add(prefix.join(SEP));
  for (const k of keys) {
    if (k === '.') continue;
    for (const p of fromFieldsV1(tree[k], [...prefix, k])) out.add(p);
  }
  return out;
}

// ---- entries ----

interface Entry { manager: string; operation: 'Apply' | 'Update'; subresource: string; apiVersion: string; time: string; paths: Set<string> }

function readEntries(obj: KObject | undefined): Entry[] {
  return (obj?.metadata.managedFields ?? []).filter((e) => e && e.manager !== undefined).map((e) => ({
    manager: e.manager, operation: e.operation, subresource: e.subresource ?? '', apiVersion: e.apiVersion,
    time: e.time, paths: fromFieldsV1(e.fieldsV1),
  }));
}

function writeEntries(entries: Entry[]): ManagedFieldsEntry[] | undefined {
  const out = entries.filter((e) => e.paths.size > 0).map((e) => {
    const m: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time,
      fieldsType: 'FieldsV1', fieldsV1: toFieldsV1([...e.paths].sort()) };
    if (e.subresource) m.subresource = e.subresource;
    return m;
  });
  return out.length > 0 ? out : undefined;
}

function entryFor(entries: Entry[], manager: string, operation: 'Apply' | 'Update', subresource: string, apiVersion: string): Entry {
  let e = entries.find((x) => x.manager === manager && x.operation === operation && x.subresource === subresource);
  if (!e) { e = { manager, operation, subresource, apiVersion, time: nowRfc3339(), paths: new Set() }; entries.push(e); }
  return e;
}

function setPaths(e: Entry, paths: Set<string>, apiVersion: string): void {
  const same = e.paths.size === paths.size && [...paths].every((p) => e.paths.has(p));
  if (!same) { e.paths = paths; e.time = nowRfc3339(); e.apiVersion = apiVersion; }
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + SEP);
}

export interface UpdateContext {
  manager: string;
  subresource: string;
  apiVersion: string;
  listType: ListTypeFn;
}

/**
 * Ownership after a non-apply write (create, update, patch): the writer takes the fields whose
 * value it changed (others lose them), and removed fields leave every set.
 */
export function trackUpdate(old: KObject | undefined, next: KObject, ctx: UpdateContext): void {
  const entries = readEntries(old);
  const before = old ? fieldSets(old, ctx.listType, 'all') : { leaves: new Set<string>(), all: new Set<string>() };
  const after = fieldSets(next, ctx.listType, 'all');
  const changed = new Set([...after.all].filter((p) => !before.all.has(p) || (after.leaves.has(p) && !deepEqual(valueAt(old, p), valueAt(next, p)))));
  const removed = new Set([...before.all].filter((p) => !after.all.has(p)));
  for (const e of entries) {
    const keep = new Set([...e.paths].filter((p) => !removed.has(p) && !(e.manager !== ctx.manager && changed.has(p))));
    if (keep.size !== e.paths.size) setPaths(e, keep, e.apiVersion);
  }
  if (changed.size > 0) {
    const mine = entryFor(entries, ctx.manager, 'Update', ctx.subresource, ctx.apiVersion);
    setPaths(mine, new Set([...mine.paths, ...changed]), ctx.apiVersion);
  }
  next.metadata.managedFields = writeEntries(entries);
}

export interface Conflict { manager: string; apiVersion: string; path: string }

/**
 * Server-side apply of `applied` onto `live` (undefined when creating). Returns the merged
 * object with managedFields updated; throws 409 on conflicts unless `force`.
 */
export function serverSideApply(live: KObject | undefined, applied: KObject, ctx: UpdateContext & { force: boolean; scope: Scope }): KObject {
  const entries = readEntries(live);
  const mine = entryFor(entries, ctx.manager, 'Apply', ctx.subresource, ctx.apiVersion);
  const others = entries.filter((e) => e !== mine);
  const appliedSets = fieldSets(applied, ctx.listType, ctx.scope);
  const conflicts = findConflicts(live, applied, appliedSets, others);
  if (conflicts.length > 0 && !ctx.force) throw conflictError(conflicts);
  for (const c of conflicts) for (const e of others) if (e.manager === c.manager) e.paths.delete(c.path);

  const result = clone(live ?? { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} }) as KObject;
  // Shortest first: a dropped list-map item goes as a whole before its fields (which identify it).
  const dropped = [...mine.paths].filter((p) => !appliedSets.all.has(p)).sort((a, b) => a.length - b.length);
  for (const p of dropped) {
    if (!others.some((e) => [...e.paths].some((q) => isUnder(q, p)))) removeAndPrune(result, p, others);
  }
  mergeApplied(result, applied, ctx.listType, ctx.scope);
  setPaths(mine, appliedSets.all, ctx.apiVersion);
  result.metadata.managedFields = writeEntries(entries);
  return result;
}

function findConflicts(live: KObject | undefined, applied: KObject, sets: FieldSets, others: Entry[]): Conflict[] {
  if (!live) return [];
  const out: Conflict[] = [];
  for (const p of sets.leaves) {
    if (deepEqual(valueAt(live, p), valueAt(applied, p))) continue;
    for (const e of others) if (e.paths.has(p)) out.push({ manager: e.manager, apiVersion: e.apiVersion, path: p });
  }
  return out;
}

function conflictError(conflicts: Conflict[]): ApiError {
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c]);
  const parts = [...byManager.values()].map((cs) => cs.length === 1
    ? `conflict with "${cs[0].manager}" using ${cs[0].apiVersion}: ${displayPath(cs[0].path)}`
    : `conflicts with "${cs[0].manager}" using ${cs[0].apiVersion}:\n${cs.map((c) => `- ${displayPath(c.path)}`).join('\n')}`);
  const n = conflicts.length;
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`;
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: displayPath(c.path) }));
  return new ApiError(409, 'Conflict', message, { causes });
}

/** Remove a dropped field, then any parent maps it leaves empty that nobody owns. */
function removeAndPrune(obj: KObject, path: string, others: Entry[]): void {
  removeAt(obj as unknown as Record<string, unknown>, path);
  const segs = path.split(SEP);
  for (let n = segs.length - 1; n > 0; n--) {
    const parentPath = segs.slice(0, n).join(SEP);
    const v = valueAt(obj, parentPath);
    if (!isObject(v) || Object.keys(v).length > 0) return;
    if (others.some((e) => [...e.paths].some((q) => isUnder(q, parentPath)))) return;
    if (segs[n - 1].startsWith('k:')) return;
    removeAt(obj as unknown as Record<string, unknown>, parentPath);
  }
}

function mergeApplied(result: KObject, applied: KObject, listType: ListTypeFn, scope: Scope): void {
  for (const [k, v] of Object.entries(applied)) {
    if (k === 'apiVersion' || k === 'kind' || v === undefined) continue;
    if (scope === 'status' && k !== 'status') continue;
    if (scope === 'main' && k === 'status') continue;
    if (k === 'metadata') {
      if (!isObject(v)) continue;
      for (const mk of OWNED_METADATA) {
        if (v[mk] !== undefined && v[mk] !== null) result.metadata[mk] = mergeValue(result.metadata[mk], v[mk], ['metadata', mk], listType);
      }
      continue;
    }
    const r = result as Record<string, unknown>;
    if (v === null) delete r[k]; else r[k] = mergeValue(r[k], v, [k], listType);
  }
}

function mergeValue(live: unknown, applied: unknown, names: string[], listType: ListTypeFn): unknown {
  if (isObject(applied)) {
    const out: Record<string, unknown> = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) delete out[k]; else out[k] = mergeValue(out[k], v, [...names, k], listType);
    }
    return out;
  }
  if (Array.isArray(applied)) return mergeList(live, applied, names, listType);
  return applied;
}

function mergeList(live: unknown, applied: unknown[], names: string[], listType: ListTypeFn): unknown[] {
  const lt = listType(names);
  const base = Array.isArray(live) ? [...live] : [];
  if (lt?.type === 'set') {
    for (const x of applied) if (!base.some((b) => deepEqual(b, x))) base.push(clone(x));
    return base;
  }
  if (lt?.type === 'map' && applied.every(isObject)) {
    for (const item of applied as Record<string, unknown>[]) {
      const idx = base.findIndex((b) => isObject(b) && lt.keys.every((k) => deepEqual(b[k], item[k])));
      if (idx >= 0) base[idx] = mergeValue(base[idx], item, names, listType);
      else base.push(clone(item));
    }
    return base;
  }
  return clone(applied);
}
