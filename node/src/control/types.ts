// Where a node learns its schema and shard placement. The HTTP layer and the coordinators see
// only this interface; `standalone.ts` keeps everything in the data directory (one node holds
// every shard), and the Kubernetes-backed source (SHOAL_CONTROL=kube, `kube/`) reads
// VectorClass resources behind the same interface.
//
// Contract:
// - `snapshot()` is synchronous and cheap: callers read it on every request. Snapshots are
//   immutable; a change produces a new snapshot with a greater `version`.
// - Mutations resolve only after the change is durable in the source of truth (a file here,
//   etcd in kube) AND every listener has run (local shards opened or dropped). A caller that
//   created a class can write to it as soon as createClass resolves. Sources that wait for
//   another party (kube: the operator) reject with ShoalError 'timeout' naming what they
//   waited for, and with 'unavailable' for a class that exists but is not placed yet.
// - Listeners run one at a time, in version order; a listener's failure is logged by the
//   source, it does not undo the change.
// - A class is routable only when it is in `classes`. A class that exists in the source of
//   truth but cannot serve yet (kube: created, not placed by the operator) is in `pending`
//   instead, never in both: reads and writes to it must fail with ShoalError 'unavailable'
//   (503) saying why (`routableClass` in routable.ts does this), never silently drop. A class
//   being deleted is in neither: it is gone for routing the moment its deletion starts.
import type { ClassDefinition, PropertyDefinition, ShardingState } from '../../../api/index.js';

export interface ClassState {
  /** The class as validated, every default filled in. */
  readonly definition: ClassDefinition;
  /** Virtual and physical shards and the pods holding each replica. */
  readonly sharding: ShardingState;
}

/** A class that exists but cannot take reads or writes yet. */
export interface PendingClass {
  /** The class as validated; absent when its definition does not even parse. */
  readonly definition?: ClassDefinition;
  /** Why it is not routable, one sentence for the 503 (e.g. the operator's Placed condition). */
  readonly reason: string;
}

export interface ControlSnapshot {
  /** Increases with every change; caches (GraphQL schema, validators) key on it. */
  readonly version: number;
  /** Routable classes by name (canonical, case-sensitive). */
  readonly classes: ReadonlyMap<string, ClassState>;
  /**
   * Classes by name that exist but are not routable yet (disjoint from `classes`). Absent or
   * empty in the standalone source, where creating a class places it at once.
   */
  readonly pending?: ReadonlyMap<string, PendingClass>;
}

export type ControlListener = (next: ControlSnapshot, previous: ControlSnapshot) => Promise<void> | void;

export interface ControlSource {
  /** 'standalone' or 'kube': shown in logs and /v1/nodes. */
  readonly kind: string;
  /** Load the current state; resolves once the first snapshot is available. */
  start(): Promise<void>;
  snapshot(): ControlSnapshot;
  /** Physical shards of a class held by this node (replicas to open, and to answer for). */
  localShards(cls: ClassState): string[];
  /** Create a class and place its shards. Rejects with ShoalError 'conflict' if it exists, 'invalid' if it cannot be placed. */
  createClass(definition: ClassDefinition): Promise<ClassState>;
  /** Delete a class and (through listeners) its local shards. Resolves false when there was no such class. */
  deleteClass(name: string): Promise<boolean>;
  /** Append a property. Rejects with 'not-found' (class) or 'conflict' (name taken, ignoring case). */
  addProperty(className: string, property: PropertyDefinition): Promise<ClassState>;
  /**
   * Fix the vector length of a class that has none yet (the first vector decides). Resolves to
   * the class's length afterwards, which differs from `dimensions` if another write fixed it first.
   */
  fixDimensions(className: string, dimensions: number): Promise<number>;
  /** Called after every change; returns an unsubscribe function. */
  subscribe(listener: ControlListener): () => void;
  close(): Promise<void>;
}
