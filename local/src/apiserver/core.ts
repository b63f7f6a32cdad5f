// The verbs of the API (get, list, create, update, delete) over the store, with everything the
// real server does around a write: system fields, defaulting, validation, generation, field
// ownership, finalizers, no-op detection and CRD registration. HTTP-free, so the server's typed
// accessors and the HTTP layer share it. Patch, apply and scale build on it (patching.ts).
import { randomUUID } from 'node:crypto';
import { applyBuiltinDefaults, hasGeneration, validateBuiltin, validateMetadata } from './builtin-rules.js';
import { checkCelRules } from './cel.js';
import { toExternal, toInternal } from './convert.js';
import { defaultCrd, defFromCrd, establishedStatus, validateCrd } from './crd.js';
import {
  ApiError, badRequest, conflict, type FieldError, fieldForbidden, forbidden, invalid, methodNotAllowed, notFound,
  toCause, alreadyExists,
} from './errors.js';
import { type ListTypeFn, trackUpdate } from './managed-fields.js';
import { listTypeFor } from './list-types.js';
import { Registry, storageKeyOf } from './resources.js';
import { applySchema, type Schema } from './schema.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { Store } from './store.js';
import type { KObject, LogFn, ResourceDef, StoreEvent, WriteOptions } from './types.js';
import { clone, deepEqual, isObject, nowRfc3339, randomSuffix } from './util.js';

export interface Target { def: ResourceDef; version: string; namespace: string; name: string }

export interface ListQuery { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string }

export interface ListResult { items: KObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number }

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: string[];
}

export type Subresource = '' | 'status' | 'scale';

export interface WriteContext {
  opts: WriteOptions;
  subresource: Subresource;
  manager: string;
  /** Server-side apply already computed managedFields. */
  managedFieldsDone?: boolean;
}

export const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
const CRD_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export class Core {
  readonly registry = new Registry();
  readonly store: Store;
  /** Called after every commit that may leave garbage (deletions, owner references). */
  onGarbage: () => void = () => {};

  constructor(eventLogLimit: number, onCommit: ((e: StoreEvent) => void) | undefined, private readonly log: LogFn) {
    this.store = new Store(eventLogLimit, (e) => { onCommit?.(e); this.afterCommit(e); });
  }

  isCrd(def: ResourceDef): boolean {
    return def.group === 'apiextensions.k8s.io' && def.plural === 'customresourcedefinitions';
  }

  listType(def: ResourceDef, version: string): ListTypeFn {
    return listTypeFor(def, version);
  }

  // ---- reads ----

  stored(def: ResourceDef, namespace: string, name: string): KObject | undefined {
    return this.store.get(storageKeyOf(def), def.namespaced ? namespace : '', name);
  }

  get(t: Target): KObject {
    const obj = this.stored(t.def, t.namespace, t.name);
    if (!obj) throw notFound(t.def, t.name);
    return toExternal(t.def, t.version, obj);
  }

  list(def: ResourceDef, version: string, namespace: string | undefined, q: ListQuery): ListResult {
    const labels = parseLabelSelector(q.labelSelector);
    const fields = parseFieldSelector(q.fieldSelector);
    const cont = q.continue ? decodeContinue(q.continue, this.store.compactedRv) : undefined;
    const all = this.store.list(storageKeyOf(def), def.namespaced ? namespace : undefined)
      .map((o) => toExternal(def, version, o))
      .filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
    const start = cont ? all.findIndex((o) => keyOfObj(o) > cont.after) : 0;
    const rest = start < 0 ? [] : all.slice(start);
    const rv = cont ? String(cont.rv) : String(this.store.rv);
    if (!q.limit || rest.length <= q.limit) return { items: rest, resourceVersion: rv };
    const items = rest.slice(0, q.limit);
    const token = Buffer.from(JSON.stringify({ rv: Number(rv), after: keyOfObj(items[items.length - 1]) })).toString('base64');
    return { items, resourceVersion: rv, continue: token, remainingItemCount: rest.length - items.length };
  }

  // ---- create / update ----

  create(def: ResourceDef, version: string, namespace: string, body: KObject, ctx: WriteContext): KObject {
    const cand = clone(body);
    checkTypeMeta(def, version, cand);
    cand.metadata = isObject(cand.metadata) ? cand.metadata : {};
    if (def.namespaced) {
      if (cand.metadata.namespace && cand.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      cand.metadata.namespace = namespace;
      this.checkNamespaceWritable(namespace);
    } else delete cand.metadata.namespace;
    this.checkCrdNotTerminating(def);
    if (!cand.metadata.name) {
      if (!cand.metadata.generateName) throw invalid(def, '', [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]);
      cand.metadata.name = this.freeName(def, namespace, cand.metadata.generateName);
    }
    if (this.stored(def, namespace, cand.metadata.name)) throw alreadyExists(def, cand.metadata.name);
    Object.assign(cand.metadata, { uid: randomUUID(), creationTimestamp: nowRfc3339(), generation: 1 });
    if (!hasGeneration(def)) delete cand.metadata.generation;
    for (const k of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete cand.metadata[k];
    if (def.statusSubresource) this.initialStatus(def, cand);
    return this.finishWrite({ def, version, namespace, name: cand.metadata.name }, undefined, cand, ctx);
  }

  private freeName(def: ResourceDef, namespace: string, prefix: string): string {
    for (let i = 0; i < 20; i++) {
      const name = `${prefix}${randomSuffix()}`;
      if (!this.stored(def, namespace, name)) return name;
    }
    throw alreadyExists(def, prefix);
  }

  private initialStatus(def: ResourceDef, cand: KObject): void {
    const key = `${def.group}/${def.plural}`;
    if (key === '/pods') cand.status = { phase: 'Pending' };
    else if (key === '/persistentvolumeclaims') cand.status = { phase: 'Pending' };
    else if (key === '/services') cand.status = { loadBalancer: {} };
    else if (key === '/namespaces' || this.isCrd(def)) { /* computed by defaulting */ }
    else if (def.custom) delete cand.status;
    else cand.status = {};
  }

  /**
   * PUT: `body` replaces the object (or its status for the status subresource). CRs need a
   * resourceVersion; a stale one is a 409.
   */
  update(t: Target, body: KObject, ctx: WriteContext): KObject {
    const oldStored = this.stored(t.def, t.namespace, t.name);
    if (!oldStored) throw notFound(t.def, t.name);
    const old = toExternal(t.def, t.version, oldStored);
    checkTypeMeta(t.def, t.version, body);
    const meta = isObject(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== t.name) {
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${t.name})`);
    }
    this.checkPreconditions(t, old, meta.resourceVersion as string | undefined, meta.uid as string | undefined);
    if (meta.resourceVersion === undefined && t.def.custom) {
      throw invalid(t.def, t.name, [{ field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    let cand = clone(body);
    cand.metadata = { ...clone(meta) };
    if (ctx.subresource === 'status') cand = { ...clone(old), status: clone(body.status) };
    return this.finishWrite(t, old, cand, ctx);
  }

  checkPreconditions(t: Target, current: KObject, rv: string | undefined, uid: string | undefined): void {
    if (uid && uid !== current.metadata.uid) {
      throw conflict(t.def, t.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) throw conflict(t.def, t.name);
  }

  /**
   * The common tail of every write: system fields, defaulting and validation, generation,
   * managed fields, then commit unless it is a no-op or a dry run. `old` and `cand` are in the
   * served form of `t.version`.
   */
  finishWrite(t: Target, old: KObject | undefined, cand: KObject, ctx: WriteContext): KObject {
    if (old) carrySystemFields(t.def, old, cand, ctx.subresource);
    this.defaultAndValidate(t, old, cand, ctx);
    if (old) {
      checkFinalizers(t.def, old, cand);
      if (hasGeneration(t.def) && specChanged(t.def, old, cand)) cand.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    if (!ctx.managedFieldsDone && !explicitManagedFields(old, cand)) {
      trackUpdate(old, cand, { manager: ctx.manager, subresource: ctx.subresource === 'status' ? 'status' : ctx.subresource, apiVersion: cand.apiVersion, listType: this.listType(t.def, t.version) });
    }
    if (old && sameObject(old, cand)) return old;
    if (ctx.opts.dryRun) return cand;
    const gone = cand.metadata.deletionTimestamp !== undefined && !hasFinalizers(t.def, cand);
    const stored = toInternal(t.def, cand);
    const committed = this.store.commit(gone ? 'DELETED' : old ? 'MODIFIED' : 'ADDED', storageKeyOf(t.def), stored,
      old ? this.stored(t.def, t.namespace, t.name) : undefined);
    return toExternal(t.def, t.version, committed);
  }

  private defaultAndValidate(t: Target, old: KObject | undefined, cand: KObject, ctx: WriteContext): void {
    const errors: FieldError[] = validateMetadata(t.def, cand);
    if (!t.def.custom) applyBuiltinDefaults(t.def, cand, () => this.allocateIp());
    if (this.isCrd(t.def)) {
      defaultCrd(cand);
      errors.push(...validateCrd(cand));
      if (errors.length === 0) cand.status = establishedStatus(cand, this.crdNameConflict(cand));
    }
    if (t.def.custom) errors.push(...this.validateCustom(t, old, cand, ctx.opts));
    if (!t.def.custom) errors.push(...validateBuiltin(t.def, cand, old));
    if (errors.length > 0) throw invalid(t.def, cand.metadata.name ?? '', errors.map(toCause));
  }

  private validateCustom(t: Target, old: KObject | undefined, cand: KObject, opts: WriteOptions): FieldError[] {
    const schema = t.def.schemas?.[t.version] as Schema | undefined;
    if (!schema) return [];
    const outcome = applySchema(cand as unknown as Record<string, unknown>, schema);
    if (outcome.unknownFields.length > 0) reportUnknownFields(t.def, t.version, outcome.unknownFields, opts);
    if (outcome.errors.length > 0) return outcome.errors;
    return checkCelRules(cand, old, schema);
  }

  private crdNameConflict(crd: KObject): string | undefined {
    const spec = crd.spec as { group: string; names: { plural: string; kind: string } };
    const other = this.registry.all().find((d) => d.group === spec.group && d.kind === spec.names.kind && d.plural !== spec.names.plural);
    return other ? `"${spec.names.kind}" is already in use` : undefined;
  }

  private allocateIp(): string {
    const used = new Set(this.store.list('/services').map((s) => (s.spec as { clusterIP?: string } | undefined)?.clusterIP));
    for (let i = 1; i < 65000; i++) {
      const ip = `10.96.${Math.floor(i / 254)}.${(i % 254) + 1}`;
      if (!used.has(ip)) return ip;
    }
    throw new ApiError(500, 'InternalError', 'service IP range 10.96.0.0/16 is exhausted');
  }

  checkNamespaceWritable(namespace: string): void {
    const ns = this.store.get('/namespaces', '', namespace);
    const nsDef = this.registry.byKey('', 'namespaces') as ResourceDef;
    if (!ns) throw notFound(nsDef, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`,
        { name: namespace, kind: 'namespaces', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] });
    }
  }

  private checkCrdNotTerminating(def: ResourceDef): void {
    if (!def.custom) return;
    const crd = this.store.get('apiextensions.k8s.io/customresourcedefinitions', '', `${def.plural}.${def.group}`);
    if (crd?.metadata.deletionTimestamp) throw methodNotAllowed('create not allowed while custom resource definition is terminating');
  }

  // ---- delete ----

  /** DELETE: immediate when nothing holds the object, else deletionTimestamp (202). */
  delete(t: Target, options: DeleteOptions, ctx: WriteContext): { object: KObject; code: number } {
    const stored = this.stored(t.def, t.namespace, t.name);
    if (!stored) throw notFound(t.def, t.name);
    const old = toExternal(t.def, t.version, stored);
    this.checkPreconditions(t, old, options.preconditions?.resourceVersion, options.preconditions?.uid);
    if (t.def.group === '' && t.def.plural === 'namespaces' && PROTECTED_NAMESPACES.has(t.name)) {
      throw forbidden(t.def, t.name, 'this namespace may not be deleted');
    }
    const cand = clone(old);
    const finalizers = new Set(cand.metadata.finalizers ?? []);
    const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : 'Background');
    if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    if (policy === 'Orphan') finalizers.add('orphan');
    if (this.isCrd(t.def)) finalizers.add(CRD_FINALIZER);
    const namespaceHeld = t.def.plural === 'namespaces' && t.def.group === '';
    if (finalizers.size === 0 && !namespaceHeld) {
      if (ctx.opts.dryRun) return { object: old, code: 200 };
      const committed = this.store.commit('DELETED', storageKeyOf(t.def), clone(stored), stored);
      return { object: toExternal(t.def, t.version, committed), code: 200 };
    }
    if (old.metadata.deletionTimestamp && [...finalizers].every((f) => old.metadata.finalizers?.includes(f))) {
      return { object: old, code: 202 };
    }
    cand.metadata.finalizers = [...finalizers];
    cand.metadata.deletionTimestamp ??= nowRfc3339();
    cand.metadata.deletionGracePeriodSeconds ??= 0;
    if (hasGeneration(t.def)) cand.metadata.generation = (old.metadata.generation ?? 0) + (old.metadata.deletionTimestamp ? 0 : 1);
    const object = this.commitRaw(t, old, cand, ctx);
    return { object, code: 202 };
  }

  /** A system write (deletion marks, GC, namespace finalization) that skips user-facing validation. */
  commitRaw(t: Target, old: KObject, cand: KObject, ctx: WriteContext): KObject {
    if (t.def.plural === 'namespaces' && t.def.group === '' && cand.metadata.deletionTimestamp) cand.status = { phase: 'Terminating' };
    if (this.isCrd(t.def)) cand.status = establishedStatus(cand, undefined);
    if (sameObject(old, cand) || ctx.opts.dryRun) return cand;
    const gone = cand.metadata.deletionTimestamp !== undefined && !hasFinalizers(t.def, cand);
    const committed = this.store.commit(gone ? 'DELETED' : 'MODIFIED', storageKeyOf(t.def), toInternal(t.def, cand),
      this.stored(t.def, t.namespace, t.name));
    return toExternal(t.def, t.version, committed);
  }

  // ---- after commit ----

  private afterCommit(e: StoreEvent): void {
    if (e.storageKey === 'apiextensions.k8s.io/customresourcedefinitions') this.syncCrd(e);
    const owners = (o?: KObject): string => JSON.stringify(o?.metadata.ownerReferences ?? []);
    if (e.type === 'DELETED' || e.object.metadata.deletionTimestamp || owners(e.object) !== owners(e.prev)) this.onGarbage();
  }

  private syncCrd(e: StoreEvent): void {
    const spec = e.object.spec as { group?: string; names?: { plural?: string } } | undefined;
    if (!spec?.group || !spec.names?.plural) return;
    const established = ((e.object.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [])
      .some((c) => c.type === 'Established' && c.status === 'True');
    if (e.type === 'DELETED' || !established) {
      this.registry.remove(spec.group, spec.names.plural);
      this.log(`crd ${e.object.metadata.name} ${e.type === 'DELETED' ? 'removed' : 'not established'}`);
    } else {
      this.registry.put(defFromCrd(e.object));
    }
  }
}

// ---- pure helpers ----

function checkTypeMeta(def: ResourceDef, version: string, obj: KObject): void {
  const want = def.group ? `${def.group}/${version}` : version;
  if (!isObject(obj)) throw badRequest('the request body must be a JSON object');
  if (obj.kind !== undefined && obj.kind !== def.kind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${def.kind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
  }
  obj.apiVersion = want;
  obj.kind = def.kind;
}

/** Fields a client cannot change through the main endpoint, copied from the stored object. */
function carrySystemFields(def: ResourceDef, old: KObject, cand: KObject, sub: Subresource): void {
  const m = cand.metadata;
  for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'name', 'namespace']) {
    if (old.metadata[k] === undefined) delete m[k]; else m[k] = old.metadata[k];
  }
  m.resourceVersion = old.metadata.resourceVersion;
  if (m.managedFields === undefined) m.managedFields = old.metadata.managedFields;
  if (def.statusSubresource && sub !== 'status') {
    if (old.status === undefined) delete cand.status; else cand.status = clone(old.status);
  }
}

/** A client-sent non-empty managedFields replaces the stored one; `[{}]` clears it. */
function explicitManagedFields(old: KObject | undefined, cand: KObject): boolean {
  const mf = cand.metadata.managedFields;
  if (!old || mf === undefined || mf === old.metadata.managedFields) return false;
  if (deepEqual(mf, old.metadata.managedFields)) return false;
  if (Array.isArray(mf) && mf.length === 1 && Object.keys(mf[0] ?? {}).length === 0) { delete cand.metadata.managedFields; }
  return true;
}

function checkFinalizers(def: ResourceDef, old: KObject, cand: KObject): void {
  if (!old.metadata.deletionTimestamp) return;
  const added = (cand.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
  if (added.length > 0) {
    throw invalid(def, cand.metadata.name ?? '', [toCause(fieldForbidden('metadata.finalizers',
      `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`))]);
  }
}

function hasFinalizers(def: ResourceDef, obj: KObject): boolean {
  if ((obj.metadata.finalizers ?? []).length > 0) return true;
  if (def.group === '' && def.plural === 'namespaces') return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0;
  return false;
}

/**
 * Generation follows the real strategies: CRs bump on any change outside metadata (and outside
 * status when it is a subresource); built-ins bump on spec changes.
 */
function specChanged(def: ResourceDef, old: KObject, cand: KObject): boolean {
  if (!def.custom) return !deepEqual(old.spec, cand.spec);
  const strip = (o: KObject): Record<string, unknown> => {
    const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = o;
    if (def.statusSubresource) delete rest.status;
    return rest;
  };
  return !deepEqual(strip(old), strip(cand));
}

function sameObject(a: KObject, b: KObject): boolean {
  const strip = (o: KObject): KObject => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return deepEqual(strip(a), strip(b));
}

function reportUnknownFields(def: ResourceDef, version: string, fields: string[], opts: WriteOptions): void {
  const list = fields.map((f) => `unknown field "${f}"`);
  if (opts.fieldValidation === 'Strict') {
    throw badRequest(`${def.kind} in version "${version}" cannot be handled as a ${def.kind}: strict decoding error: ${list.join(', ')}`);
  }
  if (opts.fieldValidation !== 'Ignore') opts.warnings?.push(...list);
}

function keyOfObj(o: KObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function decodeContinue(token: string, compactedRv: number): { rv: number; after: string } {
  let parsed: { rv: number; after: string };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { rv: number; after: string };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (parsed.rv < compactedRv) {
    throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
  }
  return parsed;
}
