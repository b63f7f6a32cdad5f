// The coordinator of a node that holds every shard it serves: routes each object to its local
// shard by the sharding state, stamps writes with the node's hybrid clock, merges per-shard
// answers. The consistency level is accepted and trivially met (one replica per shard).
import type { LiveObject, Tombstone, ObjectRecord } from '../objects/types.js';
import type { HybridClock } from '../objects/hlc.js';
import type { ControlSource } from '../control/types.js';
import type { Shard, ShardRegistry, ApplyResult } from '../shards/types.js';
import { compileWhere, type Where } from './filters/index.js';
import { conflict, notFound, ShoalError } from './errors.js';
import { LocalRouter } from './local-router.js';
import { mergeSorted } from './merge.js';
import type {
  PeerState,
  Coordinator, ObjectWrite, WriteOutcome, ObjectPatch, ObjectQuery, QueryHit, ListPage,
  DeleteWhereRequest, DeleteWhereResult, ShardState, NodeState,
} from './types.js';

export interface LocalCoordinatorOptions {
  control: ControlSource;
  registry: ShardRegistry;
  clock: HybridClock;
  nodeName: string;
  /** Other pods known by gossip, listed by nodes() without shards (absent: this node is alone). */
  peers?: () => PeerState[];
}

const byId = (o: { id: string }) => o.id;

export class LocalCoordinator implements Coordinator {
  private readonly router: LocalRouter;

  constructor(private readonly opts: LocalCoordinatorOptions) {
    this.router = new LocalRouter(opts.control, opts.registry);
  }

  async putObjects(writes: ObjectWrite[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = new Array(writes.length);
    const groups = new Map<string, { className: string; shardName: string; indexes: number[]; records: LiveObject[] }>();
    const now = Date.now();
    writes.forEach((w, i) => {
      try {
        const shardName = this.router.shardNameOf(w.class, w.id);
        const key = `${w.class}\u0000${shardName}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { className: w.class, shardName, indexes: [], records: [] }));
        g.indexes.push(i);
        g.records.push(this.stamp(w, now, now));
      } catch (e) {
        outcomes[i] = { error: (e as Error).message };
      }
    });
    await Promise.all([...groups.values()].map(async (g) => {
      const results = await this.applyTo(g.className, g.shardName, g.records);
      g.indexes.forEach((i, k) => (outcomes[i] = outcomeOf(results[k], g.records[k])));
    }));
    return outcomes;
  }

  async createObject(write: ObjectWrite): Promise<LiveObject> {
    const shard = await this.router.shardOf(write.class, write.id);
    if (live(shard.get(write.id))) throw conflict(`id ${write.id} already exists in class ${write.class}; use PUT to replace it`);
    const now = Date.now();
    return this.applyOne(shard, this.stamp(write, now, now));
  }

  async replaceObject(write: ObjectWrite): Promise<LiveObject> {
    const shard = await this.router.shardOf(write.class, write.id);
    const existing = live(shard.get(write.id));
    if (!existing) throw notFound(`no object with id ${write.id} in class ${write.class}`);
    return this.applyOne(shard, this.stamp(write, existing.creationTimeUnix, Date.now()));
  }

  async patchObject(className: string, id: string, patch: ObjectPatch): Promise<LiveObject> {
    const shard = await this.router.shardOf(className, id);
    const existing = live(shard.get(id));
    if (!existing) throw notFound(`no object with id ${id} in class ${className}`);
    const merged: ObjectWrite = {
      class: className,
      id,
      properties: { ...existing.properties, ...patch.properties },
      vector: patch.vector === undefined ? existing.vector : patch.vector,
    };
    return this.applyOne(shard, this.stamp(merged, existing.creationTimeUnix, Date.now()));
  }

  async deleteObject(className: string | undefined, id: string): Promise<boolean> {
    for (const name of className ? [className] : this.router.classNames()) {
      const shard = await this.router.shardOf(name, id);
      if (!live(shard.get(id))) continue;
      const [result] = await shard.apply([this.tombstone(name, id)]);
      if ('error' in result) throw new ShoalError('unavailable', `delete of ${id} failed: ${result.error}`);
      return true;
    }
    return false;
  }

  async getObject(className: string | undefined, id: string): Promise<LiveObject | undefined> {
    for (const name of className ? [className] : this.router.classNames()) {
      const found = live((await this.router.shardOf(name, id)).get(id));
      if (found) return found;
    }
    return undefined;
  }

  async listObjects(className: string | undefined, page: ListPage): Promise<LiveObject[]> {
    const want = page.offset + page.limit;
    if (className) {
      const shards = await this.router.shardsOf(className);
      return mergeSorted(shards.map((s) => s.list(page.after, want)), byId, page.offset, page.limit);
    }
    const out: LiveObject[] = [];
    for (const name of this.router.classNames()) {
      if (out.length >= want) break;
      out.push(...(await this.listObjects(name, { offset: 0, limit: want - out.length })));
    }
    return out.slice(page.offset, want);
  }

  async query(q: ObjectQuery): Promise<QueryHit[]> {
    const shards = await this.router.shardsOf(q.class);
    const k = q.offset + q.limit;
    const filter = q.filter && compileWhere(q.filter);
    if (!q.vector) {
      const lists = shards.map((s) => s.scan(filter, k));
      return mergeSorted(lists, byId, q.offset, q.limit).map((object) => ({ id: object.id, object }));
    }
    const req = { vector: q.vector, k, ...(filter ? { filter } : {}), ...(q.maxDistance !== undefined ? { maxDistance: q.maxDistance } : {}) };
    const perShard = await Promise.all(shards.map(async (s) => (await s.search(req)).map((h) => ({ ...h, shard: s }))));
    const hits = mergeSorted(perShard, (h) => h.distance, q.offset, q.limit);
    if (q.withObjects === false) return hits.map((h) => ({ id: h.id, distance: h.distance }));
    const out: QueryHit[] = [];
    for (const h of hits) {
      // An object deleted between the search and this read is left out rather than returned stale.
      const object = live(h.shard.get(h.id, q.withVectors !== false));
      if (object) out.push({ id: h.id, object, distance: h.distance });
    }
    return out;
  }

  async count(className: string, where: Where | undefined): Promise<number> {
    const shards = await this.router.shardsOf(className);
    const filter = where && compileWhere(where);
    return shards.reduce((n, s) => n + (filter ? s.count(filter) : s.objectCount()), 0);
  }

  async deleteWhere(req: DeleteWhereRequest): Promise<DeleteWhereResult> {
    const shards = await this.router.shardsOf(req.class);
    const filter = req.filter && compileWhere(req.filter);
    const matched = mergeSorted(shards.map((s) => s.scan(filter, req.limit)), byId, 0, req.limit);
    const result: DeleteWhereResult = { matches: matched.length, limit: req.limit, successful: 0, failed: 0, objects: [] };
    if (req.dryRun) {
      result.objects = matched.map((o) => ({ id: o.id, status: 'DRYRUN' as const }));
      return result;
    }
    const tombstones = matched.map((o) => this.tombstone(req.class, o.id));
    const outcomes = await this.putRecords(req.class, tombstones);
    outcomes.forEach((r, i) => {
      const ok = !('error' in r);
      if (ok) result.successful++;
      else result.failed++;
      result.objects.push(ok ? { id: matched[i].id, status: 'SUCCESS' } : { id: matched[i].id, status: 'FAILED', error: r.error });
    });
    return result;
  }

  async shards(className: string): Promise<ShardState[]> {
    const cls = this.router.classState(className);
    return this.opts.control.localShards(cls).map((name) => this.shardState(className, name, cls.sharding.physical.find((p) => p.name === name)?.replicas ?? []));
  }

  async nodes(className?: string): Promise<NodeState[]> {
    const names = className ? [this.router.classState(className).definition.class] : this.router.classNames();
    const shards: ShardState[] = [];
    for (const name of names) shards.push(...(await this.shards(name)));
    const peers = (this.opts.peers?.() ?? []).filter((p) => p.name !== this.opts.nodeName);
    return [{ name: this.opts.nodeName, status: 'HEALTHY', shards }, ...peers.map((p) => ({ ...p, shards: [] }))];
  }

  private shardState(className: string, name: string, replicas: string[]): ShardState {
    const shard = this.opts.registry.get(className, name);
    const status = shard ? shard.status() : 'LOADING';
    return { name, class: className, status, objectCount: shard && status !== 'LOADING' ? shard.objectCount() : 0, replicas };
  }

  private stamp(w: ObjectWrite, creationTimeUnix: number, lastUpdateTimeUnix: number): LiveObject {
    return {
      id: w.id, class: w.class, properties: w.properties, vector: w.vector,
      creationTimeUnix, lastUpdateTimeUnix,
      version: this.opts.clock.next(), origin: this.opts.nodeName, deleted: false,
    };
  }

  private tombstone(className: string, id: string): Tombstone {
    return { id, class: className, version: this.opts.clock.next(), origin: this.opts.nodeName, deleted: true, deletionTimeUnix: Date.now() };
  }

  private async applyTo(className: string, shardName: string, records: ObjectRecord[]): Promise<ApplyResult[]> {
    try {
      const shard = this.router.open(className, shardName);
      await shard.loaded;
      return await shard.apply(records);
    } catch (e) {
      return records.map(() => ({ error: (e as Error).message }));
    }
  }

  /** Records of one class grouped by shard, applied in parallel; results in input order. */
  private async putRecords(className: string, records: ObjectRecord[]): Promise<ApplyResult[]> {
    const out: ApplyResult[] = new Array(records.length);
    const groups = new Map<string, number[]>();
    records.forEach((r, i) => {
      const name = this.router.shardNameOf(className, r.id);
      groups.set(name, [...(groups.get(name) ?? []), i]);
    });
    await Promise.all([...groups].map(async ([shardName, idx]) => {
      const results = await this.applyTo(className, shardName, idx.map((i) => records[i]));
      idx.forEach((i, k) => (out[i] = results[k]));
    }));
    return out;
  }

  private async applyOne(shard: Shard, record: LiveObject): Promise<LiveObject> {
    const [result] = await shard.apply([record]);
    if ('error' in result) throw new ShoalError('unavailable', `write of ${record.id} to shard ${shard.name} failed: ${result.error}`);
    return record;
  }
}

function live(record: ObjectRecord | undefined): LiveObject | undefined {
  return record && !record.deleted ? record : undefined;
}

function outcomeOf(result: ApplyResult, record: LiveObject): WriteOutcome {
  // 'stale' means a newer version of the object is already stored: the write is superseded, not failed.
  return 'error' in result ? { error: result.error } : { object: record };
}
