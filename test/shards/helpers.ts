// Shared fixtures for the storage tests: temp data dirs, seeded vectors, records, brute force.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LiveObject, Tombstone } from '../../node/src/objects/types.js';
import { createShardRegistry, type IndexConfig, type ShardRegistry, type ShardRegistryOptions, type Distance } from '../../node/src/shards/index.js';
import { logger } from '../../node/src/log.js';
import { seededRandom } from '../../api/index.js';

export const CLASS = 'Thing';

export function config(overrides: Partial<IndexConfig> = {}): IndexConfig {
  return { distance: 'l2-squared', efConstruction: 64, maxConnections: 16, ef: -1, dynamicEfMin: 100, dynamicEfMax: 500, dynamicEfFactor: 8, flatSearchCutoff: 40000, ...overrides };
}

/** Registries opened by a test, closed and their folders removed by `cleanup`. */
export class Fixture {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'shoal-shards-'));
  private readonly opened: ShardRegistry[] = [];

  registry(opts: Partial<ShardRegistryOptions> = {}): ShardRegistry {
    const reg = createShardRegistry({ dataDir: this.dataDir, workers: 1, snapshotIntervalMs: 0, log: quietLog, ...opts });
    this.opened.push(reg);
    return reg;
  }

  async cleanup(): Promise<void> {
    for (const reg of this.opened) await reg.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Errors only, unless SHOAL_TEST_LOGS is set. */
export const quietLog = (() => {
  const base = logger('shards-test');
  const silent = { debug() {}, info() {}, warn() {}, error: base.error, child: () => silent };
  return process.env.SHOAL_TEST_LOGS ? base : silent;
})();

/** Seeded uniform numbers in [0, 1) (api/src/random.ts). */
export const rng = seededRandom;

export function randomVector(next: () => number, dims: number): Float32Array {
  return Float32Array.from({ length: dims }, () => next() * 2 - 1);
}

export function uuid(n: number): string {
  const hex = n.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function live(id: string, vector: Float32Array | null, version = 1, properties: Record<string, unknown> = {}, origin = 'pod-a'): LiveObject {
  return { id, class: CLASS, properties, vector, creationTimeUnix: 1000, lastUpdateTimeUnix: 1000 + version, version, origin, deleted: false };
}

export function tombstone(id: string, version: number, origin = 'pod-a'): Tombstone {
  return { id, class: CLASS, version, origin, deleted: true, deletionTimeUnix: 2000 + version };
}

export function distance(kind: Distance, a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let l2 = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
    l2 += (a[i] - b[i]) ** 2;
  }
  if (kind === 'l2-squared') return l2;
  if (kind === 'dot') return -dot;
  return 1 - dot / Math.sqrt(na * nb);
}

/** Exact top-k ids among `objects`. */
export function bruteForce(kind: Distance, query: Float32Array, objects: Array<{ id: string; vector: Float32Array }>, k: number): string[] {
  return objects
    .map((o) => ({ id: o.id, d: distance(kind, query, o.vector) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, k)
    .map((h) => h.id);
}

/** Poll `check` until it returns true or the deadline passes. */
export async function eventually(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
