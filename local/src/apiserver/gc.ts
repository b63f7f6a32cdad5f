// The only controllers the local server runs: the garbage collector (owner references with
// background, foreground and orphan propagation), namespace finalization and CRD instance
// cleanup. Each pass is a pure scan of the store followed by ordinary deletes/updates, run
// shortly after any write that can leave garbage and every `intervalMs` as a backstop.
import type { Core, Target, WriteContext } from './core.js';
import { toExternal } from './convert.js';
import { storageKeyOf } from './resources.js';
import type { KObject, LogFn, OwnerReference, ResourceDef } from './types.js';
import { clone, deepEqual } from './util.js';

const CTX: WriteContext = { opts: {}, subresource: '', manager: 'shoal-local-garbage-collector' };
const CRD_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

interface Item { def: ResourceDef; obj: KObject }

export class GarbageCollector {
  private pending: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly core: Core, private readonly log: LogFn, intervalMs: number) {
    this.timer = setInterval(() => this.runUntilStable(), intervalMs);
    this.timer.unref();
  }

  schedule(): void {
    if (this.pending) return;
    this.pending = setImmediate(() => { this.pending = undefined; this.runUntilStable(); });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearImmediate(this.pending);
  }

  /** Run passes until one changes nothing (bounded, so a bug cannot spin forever). */
  runUntilStable(): void {
    for (let i = 0; i < 50; i++) {
      try {
        if (!this.runOnce()) return;
      } catch (e) {
        this.log(`garbage collector: ${(e as Error).message}`);
        return;
      }
    }
  }

  private items(): Item[] {
    const defs = new Map(this.core.registry.all().filter((d) => !d.storageOf).map((d) => [storageKeyOf(d), d]));
    return this.core.store.all().flatMap(({ storageKey, object }) => {
      const def = defs.get(storageKey);
      return def ? [{ def, obj: toExternal(def, def.versions[0], object) }] : [];
    });
  }

  /** One pass; true when it changed something. */
  runOnce(): boolean {
    const items = this.items();
    const byUid = new Map(items.map((i) => [i.obj.metadata.uid ?? '', i]));
    const dependents = new Map<string, Item[]>();
    for (const i of items) for (const ref of i.obj.metadata.ownerReferences ?? []) {
      dependents.set(ref.uid, [...(dependents.get(ref.uid) ?? []), i]);
    }
    let changed = false;
    for (const item of items) {
      const fresh = this.core.stored(item.def, item.obj.metadata.namespace ?? '', item.obj.metadata.name ?? '');
      if (!fresh || fresh.metadata.uid !== item.obj.metadata.uid) continue;
      changed = this.step(item, byUid, dependents.get(item.obj.metadata.uid ?? '') ?? []) || changed;
    }
    return changed;
  }

  private step(item: Item, byUid: Map<string, Item>, deps: Item[]): boolean {
    const m = item.obj.metadata;
    if (m.deletionTimestamp) {
      if (m.finalizers?.includes('orphan')) return this.orphan(item, deps);
      if (m.finalizers?.includes('foregroundDeletion')) return this.foreground(item, deps);
      if (m.finalizers?.includes(CRD_FINALIZER)) return this.cleanupCrd(item);
      if (item.def.group === '' && item.def.plural === 'namespaces') return this.finalizeNamespace(item);
    }
    return this.collectDangling(item, byUid);
  }

  private target(item: Item): Target {
    return { def: item.def, version: item.def.versions[0], namespace: item.obj.metadata.namespace ?? '', name: item.obj.metadata.name ?? '' };
  }

  private remove(item: Item, policy: 'Background' | 'Foreground' = 'Background'): boolean {
    if (item.obj.metadata.deletionTimestamp) return false;
    this.core.delete(this.target(item), { propagationPolicy: policy }, CTX);
    return true;
  }

  private update(item: Item, edit: (o: KObject) => void): boolean {
    const next = clone(item.obj);
    edit(next);
    if (deepEqual(next, item.obj)) return false;
    this.core.commitRaw(this.target(item), item.obj, next, CTX);
    return true;
  }

  private dropFinalizer(item: Item, finalizer: string): boolean {
    return this.update(item, (o) => { o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer); });
  }

  private orphan(item: Item, deps: Item[]): boolean {
    const uid = item.obj.metadata.uid;
    for (const d of deps) {
      this.update(d, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
      });
    }
    return this.dropFinalizer(item, 'orphan');
  }

  private foreground(item: Item, deps: Item[]): boolean {
    let changed = false;
    for (const d of deps) changed = this.remove(d, blocks(d.obj, item.obj.metadata.uid) ? 'Foreground' : 'Background') || changed;
    if (deps.some((d) => blocks(d.obj, item.obj.metadata.uid))) return changed;
    return this.dropFinalizer(item, 'foregroundDeletion');
  }

  /** Dependents whose owners are all gone are deleted; references to vanished owners are removed. */
  private collectDangling(item: Item, byUid: Map<string, Item>): boolean {
    const refs = item.obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return false;
    const missing = refs.filter((r) => !ownerExists(r, item, byUid));
    if (missing.length === 0) return false;
    if (missing.length === refs.length) return this.remove(item);
    return this.update(item, (o) => { o.metadata.ownerReferences = refs.filter((r) => !missing.includes(r)); });
  }

  private cleanupCrd(item: Item): boolean {
    const spec = item.obj.spec as { group: string; names: { plural: string } };
    const def = this.core.registry.byKey(spec.group, spec.names.plural);
    const instances = def ? this.core.store.list(storageKeyOf(def)) : [];
    let changed = false;
    for (const obj of instances) changed = this.remove({ def: def as ResourceDef, obj }) || changed;
    if (instances.length > 0) return changed;
    return this.dropFinalizer(item, CRD_FINALIZER);
  }

  private finalizeNamespace(item: Item): boolean {
    const ns = item.obj.metadata.name;
    const contents = this.core.registry.all()
      .filter((d) => d.namespaced && !d.storageOf)
      .flatMap((def) => this.core.store.list(storageKeyOf(def), ns).map((obj) => ({ def, obj })));
    let changed = false;
    for (const c of contents) changed = this.remove(c) || changed;
    if (contents.length > 0) return changed;
    return this.update(item, (o) => {
      const spec = (o.spec ?? {}) as { finalizers?: string[] };
      o.spec = { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== 'kubernetes') };
    });
  }
}

function blocks(dep: KObject, ownerUid: string | undefined): boolean {
  return (dep.metadata.ownerReferences ?? []).some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true);
}

/** An owner exists if an object with its uid exists in the dependent's namespace (or cluster scope). */
function ownerExists(ref: OwnerReference, dep: Item, byUid: Map<string, Item>): boolean {
  const owner = byUid.get(ref.uid);
  if (!owner) return false;
  return !owner.def.namespaced || owner.obj.metadata.namespace === dep.obj.metadata.namespace;
}
