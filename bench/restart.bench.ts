// Storage bench, one shard, 100,000 x 128-d seeded clustered vectors (M 16, efConstruction 128):
// 1. import throughput through Shard.apply (LMDB + index worker, flushed to disk) against raw
//    in-process hnswlib-node addPoint with the same settings (goal >= 0.8x);
// 2. restart time from a snapshot plus replay of a few thousand later changes against a full
//    rebuild of the index from the store (goal: snapshot restart >= 10x faster).
// Run: node dist/bench/restart.bench.js  [SHOAL_BENCH_N=20000 for a quick run]
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { logger, type Logger } from '../node/src/log.js';
import type { LiveObject } from '../node/src/objects/types.js';
import { createShardRegistry, type IndexConfig, type Shard, type ShardRegistry } from '../node/src/shards/index.js';
import { seededRandom } from '../api/index.js';

const N = Number(process.env.SHOAL_BENCH_N ?? 100_000);
const DIMS = 128;
const CLUSTERS = 100;
const LATER_CHANGES = 3_000;
const M = 16;
const EF_CONSTRUCTION = 128;
const BATCH = 500;
const IN_FLIGHT = 4;
const SEGMENT = 5_000;
const RESTARTS = 3;
const PROBE_MS = 20;

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const CONFIG: IndexConfig = { distance: 'l2-squared', efConstruction: EF_CONSTRUCTION, maxConnections: M, ef: -1, dynamicEfMin: 100, dynamicEfMax: 500, dynamicEfFactor: 8, flatSearchCutoff: 40000 };
/** Errors only; keeps the fields of the last 'shard ready' line to show where restart time goes. */
let lastReady: Record<string, unknown> = {};
const quiet = (() => {
  const base = logger('bench');
  const q: Logger = {
    debug() {},
    info(msg, fields) {
      if (msg === 'shard ready') lastReady = fields ?? {};
    },
    warn() {},
    error: base.error,
    child: () => q,
  };
  return q;
})();

const rng = seededRandom;

/** Gaussian clusters around random centres (Box-Muller). */
function clusteredVectors(n: number, seed: number): Float32Array[] {
  const next = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
  const centres = Array.from({ length: CLUSTERS }, () => Float32Array.from({ length: DIMS }, () => next() * 2 - 1));
  return Array.from({ length: n }, () => {
    const c = centres[Math.floor(next() * CLUSTERS)];
    return Float32Array.from(c, (x) => x + gauss() * 0.1);
  });
}

const idOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const record = (i: number, vector: Float32Array, version = 1): LiveObject => ({
  id: idOf(i),
  class: 'Bench',
  properties: { i },
  vector,
  creationTimeUnix: 1,
  lastUpdateTimeUnix: version,
  version,
  origin: 'bench',
  deleted: false,
});

/** What the main thread and a concurrent searcher see while Shard.apply imports. */
interface Responsiveness {
  /** Lateness of a 5 ms timer on the main thread, in microseconds. */
  loopDelay: RecordableHistogram;
  searchMs: number[];
}

/**
 * Raw in-process addPoint and Shard.apply, alternating in segments of SEGMENT vectors so that the
 * machine's drift (30-40% over tens of seconds here) hits both sides alike. During the shard's
 * segments a prober searches every PROBE_MS and the event loop's delay is recorded.
 */
async function importBoth(shard: Shard, vectors: Float32Array[]): Promise<{ rawSeconds: number; applySeconds: number; during: Responsiveness }> {
  const raw = new hnswlib.HierarchicalNSW('l2', DIMS);
  raw.initIndex({ maxElements: vectors.length, m: M, efConstruction: EF_CONSTRUCTION });
  const during: Responsiveness = { loopDelay: createHistogram(), searchMs: [] };
  let rawSeconds = 0;
  let applySeconds = 0;
  for (let from = 0; from < vectors.length; from += SEGMENT) {
    const segment = vectors.slice(from, from + SEGMENT);
    let started = performance.now();
    segment.forEach((v, j) => raw.addPoint(Array.from(v), from + j));
    rawSeconds += (performance.now() - started) / 1000;
    // Garbage from the raw side's array conversions is not the shard's to collect (run.ts passes --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    started = performance.now();
    const stopTimer = timerLateness(during.loopDelay);
    const probing = from > 0 ? probe(shard, vectors[from - 1], during.searchMs) : undefined;
    await importSegment(shard, segment, from);
    probing?.stop();
    await probing?.done;
    stopTimer();
    applySeconds += (performance.now() - started) / 1000;
  }
  return { rawSeconds, applySeconds, during };
}

/** Record how late a 5 ms interval fires (monitorEventLoopDelay counts disabled periods after re-enabling). */
function timerLateness(into: RecordableHistogram): () => void {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    into.record(Math.max(1, Math.round((now - last - 5) * 1000)));
    last = now;
  }, 5);
  return () => clearInterval(timer);
}

/** Search every PROBE_MS until stopped, recording latencies. */
function probe(shard: Shard, query: Float32Array, out: number[]): { stop: () => void; done: Promise<void> } {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const started = performance.now();
      await shard.search({ vector: query, k: 10 });
      out.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
    }
  })();
  return { stop: () => (stopped = true), done };
}

async function idleSearchMs(shard: Shard, queries: Float32Array[]): Promise<number[]> {
  const out: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    await shard.search({ vector: query, k: 10 });
    out.push(performance.now() - started);
  }
  return out;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function importSegment(shard: Shard, vectors: Float32Array[], offset: number): Promise<void> {
  let nextBatch = 0;
  const loop = async () => {
    for (;;) {
      const from = nextBatch;
      nextBatch += BATCH;
      if (from >= vectors.length) return;
      const results = await shard.apply(vectors.slice(from, from + BATCH).map((v, j) => record(offset + from + j, v)));
      if (results.some((r) => !('outcome' in r) || r.outcome !== 'applied')) throw new Error('import failed: ' + JSON.stringify(results.find((r) => 'error' in r)));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
}

async function openSeconds(dataDir: string): Promise<{ seconds: number; registry: ShardRegistry; shard: Shard; phases: string }> {
  const started = performance.now();
  const registry = createShardRegistry({ dataDir, snapshotIntervalMs: 0, snapshotOnClose: false, log: quiet });
  const shard = registry.open('Bench', 's0', CONFIG);
  await shard.loaded;
  const seconds = (performance.now() - started) / 1000;
  const phases = `verify+read snapshot ${fmt(Number(lastReady.loadSeconds), 3)} s, replay/rebuild ${fmt(Number(lastReady.replaySeconds), 3)} s`;
  return { seconds, registry, shard, phases };
}


async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-restart-bench-'));
  try {
    console.log(`restart bench: ${N} x ${DIMS}-d clustered vectors, M ${M}, efConstruction ${EF_CONSTRUCTION}, one shard, ${BATCH} objects per apply, ${IN_FLIGHT} in flight`);
    const vectors = clusteredVectors(N, 42);
    const later = clusteredVectors(LATER_CHANGES, 43);

    const first = await openSeconds(dataDir);
    const { rawSeconds, applySeconds, during } = await importBoth(first.shard, vectors);
    const idle = await idleSearchMs(first.shard, later.slice(0, 500));
    await first.shard.snapshot();
    // Later changes only the change log holds: new vectors for existing objects.
    for (let i = 0; i < LATER_CHANGES; i += BATCH) {
      await first.shard.apply(later.slice(i, i + BATCH).map((v, j) => record(i + j, v, 2)));
    }
    await first.registry.close();

    // Restarts from the snapshot change nothing on disk (no snapshot on close): repeat, take the median.
    const snapshotTimes: number[] = [];
    let snapshotPhases = '';
    for (let i = 0; i < RESTARTS; i++) {
      const fromSnapshot = await openSeconds(dataDir);
      const check = await fromSnapshot.shard.search({ vector: later[0], k: 1 });
      if (check[0]?.id !== idOf(0)) throw new Error('replayed change not found after restart from snapshot');
      await fromSnapshot.registry.close();
      snapshotTimes.push(fromSnapshot.seconds);
      snapshotPhases = fromSnapshot.phases;
    }
    const snapshotSeconds = snapshotTimes.sort((a, b) => a - b)[Math.floor(RESTARTS / 2)];

    unlinkSync(join(dataDir, 'shards', 'Bench', 's0', 'snapshot.json'));
    const rebuilt = await openSeconds(dataDir);
    await rebuilt.registry.close();

    const rawRate = N / rawSeconds;
    const applyRate = N / applySeconds;
    console.log(`import:  raw hnswlib addPoint ${fmt(rawRate, 0)}/s (${fmt(rawSeconds)} s), Shard.apply ${fmt(applyRate, 0)}/s (${fmt(applySeconds)} s)`);
    const ms = (us: number) => fmt(us / 1e3, 1);
    console.log(`during import: main event-loop lateness p99 ${ms(during.loopDelay.percentile(99))} ms, max ${ms(during.loopDelay.max)} ms; search p50/p99 ${fmt(percentile(during.searchMs, 50), 1)}/${fmt(percentile(during.searchMs, 99), 1)} ms (${during.searchMs.length} probes) vs idle ${fmt(percentile(idle, 50), 1)}/${fmt(percentile(idle, 99), 1)} ms`);
    console.log(`restart: snapshot + replay of ${LATER_CHANGES} changes ${fmt(snapshotSeconds, 3)} s (median of ${snapshotTimes.map((t) => fmt(t, 3)).join(', ')}), rebuild from store ${fmt(rebuilt.seconds, 3)} s`);
    console.log(`         last snapshot restart: ${snapshotPhases}; rebuild: ${rebuilt.phases}`);
    console.log(`ratio apply/raw addPoint:            ${fmt(applyRate / rawRate)}x (goal >= 0.8x)`);
    console.log(`ratio rebuild/snapshot restart time: ${fmt(rebuilt.seconds / snapshotSeconds, 1)}x (goal >= 10x)`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
