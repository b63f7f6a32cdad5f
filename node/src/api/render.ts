// Stored values -> Weaviate's JSON shapes (objects, classes, shards, nodes).
import type { LiveObject } from '../objects/types.js';
import type { ClassState } from '../control/types.js';
import type { NodeState, ShardState } from '../coordinator/types.js';
import type { ShardStatus } from '../shards/types.js';

/**
 * The shortest decimal that reads back as the same float32, as Weaviate prints its float32
 * vectors: a client that sent 0.1 gets 0.1 back, not 0.10000000149011612.
 */
export function float32ToNumber(x: number): number {
  for (let p = 6; p < 9; p++) {
    const n = Number(x.toPrecision(p));
    if (Math.fround(n) === x) return n;
  }
  return Number(x.toPrecision(9));
}

export function vectorToJson(v: Float32Array): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = float32ToNumber(v[i]);
  return out;
}

export function renderObject(o: LiveObject, withVector: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    class: o.class,
    id: o.id,
    properties: o.properties,
    creationTimeUnix: o.creationTimeUnix,
    lastUpdateTimeUnix: o.lastUpdateTimeUnix,
  };
  if (withVector && o.vector) out.vector = vectorToJson(o.vector);
  return out;
}

/** A class with the sharding outputs Weaviate reports (actual counts) filled in. */
export function renderClass(c: ClassState): Record<string, unknown> {
  const d = c.definition;
  return {
    ...d,
    shardingConfig: {
      ...d.shardingConfig,
      actualCount: c.sharding.physical.length,
      desiredVirtualCount: d.shardingConfig.desiredCount * d.shardingConfig.virtualPerPhysical,
      actualVirtualCount: c.sharding.virtualCount,
    },
  };
}

function indexingStatus(status: ShardStatus): string {
  return status === 'LOADING' ? 'INDEXING' : status === 'SHUTDOWN' ? 'READONLY' : status;
}

function renderShard(s: ShardState, replicationFactor: (cls: string) => number): Record<string, unknown> {
  return {
    name: s.name,
    class: s.class,
    objectCount: s.objectCount,
    vectorIndexingStatus: indexingStatus(s.status),
    vectorQueueLength: 0,
    compressed: false,
    loaded: s.status !== 'LOADING',
    numberOfReplicas: s.replicas.length,
    replicationFactor: replicationFactor(s.class),
  };
}

export function renderNode(
  n: NodeState, verbose: boolean, versions: { apiLevel: string; shoal: string }, replicationFactor: (cls: string) => number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: n.name,
    status: n.status,
    version: versions.apiLevel,
    shoalVersion: n.version ?? versions.shoal,
    gitHash: '',
    operationalMode: 'ReadWrite',
  };
  if (verbose) {
    out.stats = { shardCount: n.shards.length, objectCount: n.shards.reduce((a, s) => a + s.objectCount, 0) };
    out.batchStats = { queueLength: 0, ratePerSecond: 0 };
    out.shards = n.shards.map((s) => renderShard(s, replicationFactor));
  }
  return out;
}
