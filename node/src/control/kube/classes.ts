// From VectorClass resources to what a pod routes by. Pure: no I/O, no clock.
//
// Each resource of this pod's cluster becomes one view:
//  - placed:   spec.class parses and status.sharding is present and parses -> routable;
//  - pending:  not placed yet (or its spec/sharding does not parse here)   -> 503 with a reason;
//  - deleting: metadata.deletionTimestamp is set                            -> not routable, and
//              this pod drops the class's local shards (the finalizer hand-off).
// Then the views of all resources become the snapshot's `classes` and `pending` maps.
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseClass, parseShardingState, type ClassDefinition, type Condition } from '../../../../api/index.js';
import type { ClassState, PendingClass } from '../types.js';

/** The parts of a VectorClass this pod reads; everything else is the operator's business. */
export interface VectorClassObject extends KubernetesObject {
  spec?: { clusterRef?: { name?: string }; class?: Record<string, unknown> & { class?: unknown } };
  status?: { phase?: string; conditions?: Condition[]; sharding?: unknown };
}

interface ViewBase {
  /** metadata.name of the resource. */
  resource: string;
  uid: string;
  /** Canonical class name (spec.class.class), or the resource name when that is missing. */
  className: string;
  /** creationTimestamp + name: the older resource wins a clash of class names. */
  rank: string;
}

export type ClassView =
  | (ViewBase & { kind: 'placed'; state: ClassState })
  | (ViewBase & { kind: 'pending'; pending: PendingClass; invalid: boolean })
  | (ViewBase & { kind: 'deleting' });

export function clusterOf(obj: VectorClassObject): string | undefined {
  return obj.spec?.clusterRef?.name;
}

/** What the view depends on: when this is unchanged, the view is too (status counts are not in it). */
export function fingerprintOf(obj: VectorClassObject): string {
  const sharding = obj.status?.sharding as { epoch?: unknown } | undefined;
  const placed = placedCondition(obj);
  return [
    obj.metadata?.uid, obj.metadata?.generation, obj.metadata?.deletionTimestamp ?? '',
    sharding ? `epoch ${String(sharding.epoch)}` : 'unplaced',
    sharding ? '' : `${obj.status?.phase ?? ''}/${placed?.status ?? ''}/${placed?.reason ?? ''}/${placed?.message ?? ''}`,
  ].join('|');
}

export function placedCondition(obj: VectorClassObject): Condition | undefined {
  return obj.status?.conditions?.find((c) => c.type === 'Placed');
}

export function viewOf(obj: VectorClassObject): ClassView {
  const meta = obj.metadata ?? {};
  const resource = `${meta.namespace ?? ''}/${meta.name ?? ''}`;
  const rawName = obj.spec?.class?.class;
  const base: ViewBase = {
    resource: meta.name ?? '',
    uid: meta.uid ?? '',
    className: typeof rawName === 'string' && rawName ? rawName[0].toUpperCase() + rawName.slice(1) : meta.name ?? '',
    rank: `${meta.creationTimestamp ?? ''}\u0000${meta.name ?? ''}`,
  };
  if (meta.deletionTimestamp) return { ...base, kind: 'deleting' };
  let definition: ClassDefinition;
  try {
    definition = parseClass(obj.spec?.class, 'spec.class');
  } catch (e) {
    return pending(base, undefined, `VectorClass ${resource} has an invalid spec.class (${(e as Error).message}); fix it with kubectl apply`, true);
  }
  const invalid = obj.status?.phase === 'Invalid';
  if (obj.status?.sharding === undefined) return pending(base, definition, unplacedReason(obj, resource), invalid);
  try {
    return { ...base, className: definition.class, kind: 'placed', state: { definition, sharding: parseShardingState(obj.status.sharding) } };
  } catch (e) {
    return pending(base, definition, `status.sharding of VectorClass ${resource} does not parse (${(e as Error).message}); the operator never recomputes it: restore it`, true);
  }
}

function pending(base: ViewBase, definition: ClassDefinition | undefined, reason: string, invalid: boolean): ClassView {
  const className = definition?.class ?? base.className;
  return { ...base, className, kind: 'pending', invalid, pending: definition ? { definition, reason } : { reason } };
}

function unplacedReason(obj: VectorClassObject, resource: string): string {
  const c = placedCondition(obj);
  if (!c) return `the operator has not placed VectorClass ${resource} yet (it has no status)`;
  if (c.reason === 'Pending') return `the operator has not placed VectorClass ${resource} yet (${c.message})`;
  return `the operator cannot place VectorClass ${resource}: ${c.message} (Placed=${c.status}, ${c.reason})`;
}

/** The snapshot's content, and which resource each class name came from. */
export interface Content {
  classes: Map<string, ClassState>;
  pending: Map<string, PendingClass>;
  /** Class name -> the view it came from (placed or pending). */
  owners: Map<string, ClassView>;
  /** Class name -> resources being deleted (a class may be recreated meanwhile). */
  deleting: Map<string, ClassView[]>;
}

/**
 * Resolve class names: a placed resource beats a pending one, and between equals the older
 * resource wins (the operator refuses to place a second class of the same name, so a clash is
 * an unplaced latecomer or a leftover of an older CRD).
 */
export function contentOf(views: Iterable<ClassView>): Content {
  const owners = new Map<string, ClassView>();
  const deleting = new Map<string, ClassView[]>();
  for (const v of views) {
    if (v.kind === 'deleting') {
      deleting.set(v.className, [...(deleting.get(v.className) ?? []), v]);
      continue;
    }
    const other = owners.get(v.className);
    if (!other || beats(v, other)) owners.set(v.className, v);
  }
  const classes = new Map<string, ClassState>();
  const pendingClasses = new Map<string, PendingClass>();
  for (const [name, v] of [...owners].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (v.kind === 'placed') classes.set(name, v.state);
    else if (v.kind === 'pending') pendingClasses.set(name, v.pending);
  }
  return { classes, pending: pendingClasses, owners, deleting };
}

function beats(a: ClassView, b: ClassView): boolean {
  if ((a.kind === 'placed') !== (b.kind === 'placed')) return a.kind === 'placed';
  return a.rank < b.rank;
}

/** Same routable and pending classes (by identity: views are cached while their fingerprint holds). */
export function sameContent(a: Routing, b: Routing): boolean {
  return sameMap(a.classes, b.classes) && sameMap(a.pending ?? new Map(), b.pending ?? new Map());
}

type Routing = { classes: ReadonlyMap<string, ClassState>; pending?: ReadonlyMap<string, PendingClass> };

function sameMap<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Physical shards of a class with a replica on `pod`. */
export function shardsOnPod(cls: ClassState, pod: string): string[] {
  return cls.sharding.physical.filter((p) => p.replicas.includes(pod)).map((p) => p.name);
}
