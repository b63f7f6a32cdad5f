// The object store: every object by storage key and namespace/name, one global monotonic
// resourceVersion (like the etcd revision), an event log for watch replay, and a uid index for
// owner references. It knows nothing about HTTP, validation or kinds.
import type { KObject, StoreEvent, WatchEventType } from './types.js';

type Listener = (event: StoreEvent) => void;

export interface StoredRef { storageKey: string; object: KObject }

export class Store {
  private readonly objects = new Map<string, Map<string, KObject>>();
  private readonly uids = new Map<string, StoredRef>();
  private readonly listeners = new Set<Listener>();
  private log: StoreEvent[] = [];
  /** Highest resourceVersion whose events are no longer in the log. Watches from below it get 410. */
  compactedRv = 0;
  rv = 0;

  constructor(private readonly logLimit: number, private readonly onCommit?: (e: StoreEvent) => void) {}

  private bucket(storageKey: string): Map<string, KObject> {
    let b = this.objects.get(storageKey);
    if (!b) { b = new Map(); this.objects.set(storageKey, b); }
    return b;
  }

  get(storageKey: string, namespace: string, name: string): KObject | undefined {
    return this.objects.get(storageKey)?.get(`${namespace}/${name}`);
  }

  /** Objects of one storage key, in one namespace or all, sorted by namespace then name. */
  list(storageKey: string, namespace?: string): KObject[] {
    const out: KObject[] = [];
    for (const obj of this.objects.get(storageKey)?.values() ?? []) {
      if (namespace === undefined || (obj.metadata.namespace ?? '') === namespace) out.push(obj);
    }
    return out.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  storageKeys(): string[] {
    return [...this.objects.keys()];
  }

  byUid(uid: string): StoredRef | undefined {
    return this.uids.get(uid);
  }

  /**
   * Record a change: assign the next resourceVersion, update the maps, append to the event log
   * and tell listeners. `object` is owned by the store afterwards.
   */
  commit(type: WatchEventType, storageKey: string, object: KObject, prev?: KObject): KObject {
    this.rv++;
    object.metadata.resourceVersion = String(this.rv);
    const key = keyOf(object);
    if (type === 'DELETED') {
      this.bucket(storageKey).delete(key);
      if (object.metadata.uid) this.uids.delete(object.metadata.uid);
    } else {
      this.bucket(storageKey).set(key, object);
      if (object.metadata.uid) this.uids.set(object.metadata.uid, { storageKey, object });
    }
    const event: StoreEvent = { type, rv: this.rv, storageKey, object, prev };
    this.log.push(event);
    if (this.log.length > this.logLimit) this.compactTo(this.log[this.log.length - this.logLimit - 1].rv);
    this.onCommit?.(event);
    for (const l of [...this.listeners]) l(event);
    return object;
  }

  /** Restore objects from disk: no events, resourceVersion continues from `rv`. */
  load(entries: StoredRef[], rv: number): void {
    for (const { storageKey, object } of entries) {
      this.bucket(storageKey).set(keyOf(object), object);
      if (object.metadata.uid) this.uids.set(object.metadata.uid, { storageKey, object });
    }
    this.rv = Math.max(this.rv, rv);
    this.compactedRv = this.rv;
  }

  all(): StoredRef[] {
    const out: StoredRef[] = [];
    for (const [storageKey, b] of this.objects) for (const object of b.values()) out.push({ storageKey, object });
    return out;
  }

  /** Events after `rv`, or undefined when they were compacted away (the caller answers 410). */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.log.filter((e) => e.rv > rv);
  }

  /** Drop log entries up to and including `rv` (default: all of them). */
  compactTo(rv = this.rv): void {
    this.log = this.log.filter((e) => e.rv > rv);
    this.compactedRv = Math.max(this.compactedRv, rv);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

export function keyOf(obj: KObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}
