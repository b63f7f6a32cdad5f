// The coordinator of a pod in a cluster (SHOAL_CONTROL=kube): every object goes to the replicas
// of its physical shard, wherever they are. Writes go to all replicas and are acknowledged at the
// request's consistency level (writer.ts); reads ask one replica per shard, or as many as the
// level needs for a get, with failover (reader.ts); hints and anti-entropy bring replicas that
// missed writes back in line (hints/, anti-entropy.ts). Stamps every write with this pod's
// hybrid clock and observes the versions it reads, so last-write-wins follows causality.
import { physicalShardOf, replicasOf } from '../../../../api/index.js';
import type { ClassState, ControlSource } from '../../control/types.js';
import { routableClass } from '../../control/routable.js';
import type { HybridClock } from '../../objects/hlc.js';
import type { ConsistencyLevel, LiveObject, ObjectRecord, Tombstone } from '../../objects/types.js';
import type { Logger } from '../../log.js';
import type { ShardRef } from '../../rpc/replica/ops.js';
import { conflict, notFound, ShoalError } from '../errors.js';
import type { Where } from '../filters/where.js';
import {
  DEFAULT_CONSISTENCY, type Coordinator, type DeleteWhereRequest, type DeleteWhereResult, type ListPage, type NodeState, type ObjectPatch,
  type ObjectQuery, type ObjectWrite, type QueryHit, type RequestOptions, type ShardState, type WriteOutcome,
} from '../types.js';
import type { ReplicaAccess } from './access.js';
import { byDistanceThenId, byId, mergeWindow } from './merge.js';
import type { DistributedMetrics } from './metrics.js';
import { classShards, clusterNodes } from './nodes.js';
import type { ShardReader } from './reader.js';
import type { RecordOutcome, ReplicatedWriter } from './writer.js';

export interface CoordinatorParts {
  control: ControlSource;
  access: ReplicaAccess;
  writer: ReplicatedWriter;
  reader: ShardReader;
  clock: HybridClock;
  metrics: DistributedMetrics;
  log: Logger;
  nodeName: string;
  nodesTimeoutMs: number;
}

interface Placed {
  cls: ClassState;
  ref: ShardRef;
  replicas: string[];
  rf: number;
}

const levelOf = (opts?: RequestOptions): ConsistencyLevel => opts?.consistencyLevel ?? DEFAULT_CONSISTENCY;
const live = (r: ObjectRecord | null | undefined): LiveObject | undefined => (r && !r.deleted ? r : undefined);

export class DistributedCoordinator implements Coordinator {
  constructor(private readonly p: CoordinatorParts) {}

  // ------------------------------------------------------------------ writes

  async putObjects(writes: ObjectWrite[], opts: RequestOptions): Promise<WriteOutcome[]> {
    const now = Date.now();
    const outcomes: WriteOutcome[] = new Array(writes.length);
    const groups = new Map<string, { placed: Placed; indexes: number[]; records: LiveObject[] }>();
    writes.forEach((w, i) => {
      try {
        const placed = this.place(w.class, w.id);
        const key = `${w.class}\u0000${placed.ref.shard}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { placed, indexes: [], records: [] }));
        g.indexes.push(i);
        g.records.push(this.stamp(w, now, now));
      } catch (e) {
        outcomes[i] = { error: (e as Error).message };
      }
    });
    await Promise.all([...groups.values()].map(async (g) => {
      const results = await this.writeRecords(g.placed, g.records, levelOf(opts));
      g.indexes.forEach((i, k) => (outcomes[i] = results[k].ok ? { object: g.records[k] } : { error: results[k].error }));
    }));
    return outcomes;
  }

  async createObject(write: ObjectWrite, opts: RequestOptions): Promise<LiveObject> {
    const placed = this.place(write.class, write.id);
    if (live(await this.readOne(placed, write.id, levelOf(opts)))) throw conflict(`id ${write.id} already exists in class ${write.class}; use PUT to replace it`);
    const now = Date.now();
    return this.writeOne(placed, this.stamp(write, now, now), levelOf(opts));
  }

  async replaceObject(write: ObjectWrite, opts: RequestOptions): Promise<LiveObject> {
    const placed = this.place(write.class, write.id);
    const existing = live(await this.readOne(placed, write.id, levelOf(opts)));
    if (!existing) throw notFound(`no object with id ${write.id} in class ${write.class}`);
    return this.writeOne(placed, this.stamp(write, existing.creationTimeUnix, Date.now()), levelOf(opts));
  }

  async patchObject(className: string, id: string, patch: ObjectPatch, opts: RequestOptions): Promise<LiveObject> {
    const placed = this.place(className, id);
    const existing = live(await this.readOne(placed, id, levelOf(opts)));
    if (!existing) throw notFound(`no object with id ${id} in class ${className}`);
    const merged: ObjectWrite = {
      class: className, id,
      properties: { ...existing.properties, ...patch.properties },
      vector: patch.vector === undefined ? existing.vector : patch.vector,
    };
    return this.writeOne(placed, this.stamp(merged, existing.creationTimeUnix, Date.now()), levelOf(opts));
  }

  async deleteObject(className: string | undefined, id: string, opts: RequestOptions): Promise<boolean> {
    for (const name of className ? [className] : this.classNames()) {
      const placed = this.place(name, id);
      if (!live(await this.readOne(placed, id, levelOf(opts)))) continue;
      await this.writeOne(placed, this.tombstone(name, id), levelOf(opts));
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ reads

  async getObject(className: string | undefined, id: string, opts: RequestOptions): Promise<LiveObject | undefined> {
    return this.counted('get', async () => {
      for (const name of className ? [className] : this.classNames()) {
        const found = live(await this.readOne(this.place(name, id), id, levelOf(opts)));
        if (found) return found;
      }
      return undefined;
    });
  }

  async listObjects(className: string | undefined, page: ListPage, opts: RequestOptions): Promise<LiveObject[]> {
    const want = page.offset + page.limit;
    if (!className) {
      const out: LiveObject[] = [];
      for (const name of this.classNames()) {
        if (out.length >= want) break;
        out.push(...(await this.listObjects(name, { offset: 0, limit: want - out.length }, opts)));
      }
      return out.slice(page.offset, want);
    }
    const lists = await this.fanOut('list', className, (ref, replicas) => this.p.reader.first(ref, replicas, (ops) => ops.list(ref, page.after, want)));
    return mergeWindow(lists, byId, page.offset, page.limit);
  }

  async query(q: ObjectQuery, _opts?: RequestOptions): Promise<QueryHit[]> {
    const k = q.offset + q.limit;
    if (k <= 0) return [];
    if (!q.vector) {
      const lists = await this.fanOut('query', q.class, (ref, replicas) => this.p.reader.first(ref, replicas, (ops) => ops.scan(ref, q.filter, k)));
      return mergeWindow(lists, byId, q.offset, q.limit).map((object) => ({ id: object.id, object }));
    }
    const withObjects = q.withObjects !== false;
    const req = { vector: q.vector, k, filter: q.filter, maxDistance: q.maxDistance, withObjects, withVectors: q.withVectors !== false };
    const perShard = await this.fanOut('query', q.class, (ref, replicas) => this.p.reader.first(ref, replicas, (ops) => ops.search(ref, req)));
    return mergeWindow(perShard, byDistanceThenId, q.offset, q.limit).map((h) => (withObjects ? { id: h.id, object: h.object, distance: h.distance } : { id: h.id, distance: h.distance }));
  }

  async count(className: string, filter: Where | undefined, _opts?: RequestOptions): Promise<number> {
    const counts = await this.fanOut('count', className, (ref, replicas) => this.p.reader.first(ref, replicas, (ops) => ops.count(ref, filter)));
    return counts.reduce((a, b) => a + b, 0);
  }

  async deleteWhere(req: DeleteWhereRequest, opts: RequestOptions): Promise<DeleteWhereResult> {
    const lists = await this.fanOut('scan', req.class, (ref, replicas) => this.p.reader.first(ref, replicas, (ops) => ops.scan(ref, req.filter, req.limit)));
    const matched = mergeWindow(lists, byId, 0, req.limit);
    const result: DeleteWhereResult = { matches: matched.length, limit: req.limit, successful: 0, failed: 0, objects: [] };
    if (req.dryRun) {
      result.objects = matched.map((o) => ({ id: o.id, status: 'DRYRUN' as const }));
      return result;
    }
    const outcomes = await this.putObjectsOf(req.class, matched.map((o) => this.tombstone(req.class, o.id)), levelOf(opts));
    outcomes.forEach((r, i) => {
      if (r.ok) result.successful++;
      else result.failed++;
      result.objects.push(r.ok ? { id: matched[i].id, status: 'SUCCESS' } : { id: matched[i].id, status: 'FAILED', error: r.error });
    });
    return result;
  }

  async shards(className: string): Promise<ShardState[]> {
    const cls = routableClass(this.p.control.snapshot(), className);
    return classShards(cls, await this.nodes(className), this.p.nodeName);
  }

  async nodes(className?: string): Promise<NodeState[]> {
    const snap = this.p.control.snapshot();
    const names = className ? [routableClass(snap, className).definition.class] : this.classNames();
    return clusterNodes(this.p.access, snap, names, this.p.nodesTimeoutMs);
  }

  // ------------------------------------------------------------------ helpers

  private classNames(): string[] {
    return [...this.p.control.snapshot().classes.keys()].sort();
  }

  private place(className: string, id: string): Placed {
    const cls = routableClass(this.p.control.snapshot(), className);
    const shard = physicalShardOf(cls.sharding, id);
    return { cls, ref: { class: cls.definition.class, shard }, replicas: replicasOf(cls.sharding, shard), rf: cls.sharding.replicationFactor };
  }

  /** Run `fn` for every physical shard of a class at once; all must answer. */
  private async fanOut<T>(op: string, className: string, fn: (ref: ShardRef, replicas: string[]) => Promise<T>): Promise<T[]> {
    return this.counted(op, async () => {
      const cls = routableClass(this.p.control.snapshot(), className);
      const started = performance.now();
      const out = await Promise.all(cls.sharding.physical.map((p) => fn({ class: cls.definition.class, shard: p.name }, p.replicas)));
      this.p.metrics.fanout.observe({ op }, (performance.now() - started) / 1000);
      return out;
    });
  }

  private async counted<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      this.p.metrics.reads.inc({ op, outcome: 'ok' });
      return out;
    } catch (e) {
      this.p.metrics.reads.inc({ op, outcome: 'error' });
      throw e;
    }
  }

  private async readOne(placed: Placed, id: string, level: ConsistencyLevel): Promise<ObjectRecord | null> {
    const [record] = await this.p.reader.getAtLevel(placed.ref, placed.replicas, placed.rf, level, [id]);
    return record;
  }

  private writeRecords(placed: Placed, records: ObjectRecord[], level: ConsistencyLevel): Promise<RecordOutcome[]> {
    return this.p.writer.write({ ref: placed.ref, replicas: placed.replicas, replicationFactor: placed.rf, records }, level);
  }

  private async writeOne<R extends ObjectRecord>(placed: Placed, record: R, level: ConsistencyLevel): Promise<R> {
    const [outcome] = await this.writeRecords(placed, [record], level);
    if (!outcome.ok) throw new ShoalError(outcome.refused ? 'invalid' : 'unavailable', `write of ${record.id}: ${outcome.error}`);
    return record;
  }

  /** Records of one class grouped by shard and written at once; outcomes in input order. */
  private async putObjectsOf(className: string, records: ObjectRecord[], level: ConsistencyLevel): Promise<RecordOutcome[]> {
    const out: RecordOutcome[] = new Array(records.length);
    const groups = new Map<string, { placed: Placed; idx: number[] }>();
    records.forEach((r, i) => {
      const placed = this.place(className, r.id);
      const g = groups.get(placed.ref.shard) ?? { placed, idx: [] };
      g.idx.push(i);
      groups.set(placed.ref.shard, g);
    });
    await Promise.all([...groups.values()].map(async (g) => {
      const results = await this.writeRecords(g.placed, g.idx.map((i) => records[i]), level);
      g.idx.forEach((i, k) => (out[i] = results[k]));
    }));
    return out;
  }

  private stamp(w: ObjectWrite, creationTimeUnix: number, lastUpdateTimeUnix: number): LiveObject {
    return {
      id: w.id, class: w.class, properties: w.properties, vector: w.vector, creationTimeUnix, lastUpdateTimeUnix,
      version: this.p.clock.next(), origin: this.p.nodeName, deleted: false,
    };
  }

  private tombstone(className: string, id: string): Tombstone {
    return { id, class: className, version: this.p.clock.next(), origin: this.p.nodeName, deleted: true, deletionTimeUnix: Date.now() };
  }
}
