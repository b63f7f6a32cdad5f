// The node against raw hnswlib-node, side by side in one run, on the same seeded data set
// (100,000 x 128-d clustered, 1,000 queries, exact top-10) with the same M / efConstruction / ef:
// - import throughput: batches over HTTP into a real node process vs raw addPoint, built right
//   before and right after the import (goal >= 0.8x)
// - query throughput: GraphQL nearVector over HTTP at concurrency 1 and 8 vs raw single-thread
//   searchKnn (goal at concurrency 8: >= 0.5x)
// - recall@10 (goal: equal to raw)
// - p99 query latency during a concurrent bulk import vs idle (goal <= 3x), importing into the
//   queried class and into another class
// - peak RSS of the node vs the raw process (goal <= 2x), holding the same 100k objects, and at
//   the end of the run (after 40k more objects in two classes)
// The node is a child process; raw hnswlib runs in other children so each peak RSS is its own.
// The machine is shared and its speed drifts by up to 2x within seconds, so query rates are taken
// in rounds: a raw search pass (a forked raw process that keeps its index) right before and after
// every node measurement, each node rate divided by the mean of its two neighbours, the median
// round reported. CPU time per operation is printed too, split by thread.
// Quick run: SHOAL_BENCH_N=20000 SHOAL_BENCH_QUERIES=200 node dist/bench/node.bench.js
// Profile the node: SHOAL_BENCH_CPU_PROF=/tmp/prof (one .cpuprofile per thread, written at exit).
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, recallAtK, row, type Dataset } from './dataset.js';
import { createLoadClient, percentile, runConcurrent, type LoadClient } from './http-load.js';
import type { RawOptions, RawResult, SearchPass } from './raw-hnswlib.js';
import { startNodeProcess, stopAllNodes, type NodeProcess } from '../test/support/node-process.js';
import { BATCH, IMPORT_CONCURRENCY, INDEX, K, N, QUERIES } from './workload.js';

const { maxConnections: M, efConstruction: EF_CONSTRUCTION, ef: EF } = INDEX;
const DURING_IMPORT = Math.min(20_000, Math.floor(N / 5));
/** Measurement rounds of the query rates (median reported). */
const ROUNDS = Number(process.env.SHOAL_BENCH_ROUNDS ?? 3);
/** Seconds of each raw search pass bracketing a node measurement. */
const RAW_PASS_SECONDS = 1.5;
const here = dirname(fileURLToPath(import.meta.url));

const idOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const indexOf = (id: string) => parseInt(id.slice(24), 16);
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/** Float32 values printed with 9 significant digits: exact, and shorter than the double form. */
function vectorJson(v: Float32Array): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + Number(v[i].toPrecision(9));
  return s + ']';
}

function batchBodies(ds: Dataset, className: string, from: number, count: number, idBase: number): string[] {
  const dims = ds.options.dims;
  const out: string[] = [];
  for (let b = 0; b < count; b += BATCH) {
    const objs: string[] = [];
    for (let i = b; i < Math.min(count, b + BATCH); i++) {
      const v = row(ds.vectors, dims, (from + i) % ds.options.count);
      objs.push(`{"class":"${className}","id":"${idOf(idBase + i)}","properties":{"i":${idBase + i}},"vector":${vectorJson(v)}}`);
    }
    out.push(`{"objects":[${objs.join(',')}]}`);
  }
  return out;
}

async function importAll(client: LoadClient, bodies: string[], concurrency: number): Promise<number> {
  const started = process.hrtime.bigint();
  await runConcurrent(bodies, concurrency, async (body) => {
    const r = await client.post('/v1/batch/objects', body);
    if (r.status !== 200 || r.body.includes('"FAILED"')) throw new Error(`import failed: ${r.status} ${r.body.slice(0, 300)}`);
  });
  return seconds(started);
}

interface QueryRun { perSecond: number; latenciesMs: number[]; answers: number[][] }

function queryBodies(ds: Dataset, fields: string): string[] {
  return Array.from({ length: QUERIES }, (_, q) =>
    JSON.stringify({ query: `{Get{Bench(nearVector:{vector:${vectorJson(row(ds.queries, ds.options.dims, q))}},limit:${K}){${fields}}}}` }));
}

async function query(client: LoadClient, bodies: string[], concurrency: number, passes = 1): Promise<QueryRun> {
  const all = Array.from({ length: passes }, () => bodies).flat();
  const latenciesMs: number[] = [];
  const answers: number[][] = new Array(bodies.length);
  const started = process.hrtime.bigint();
  await runConcurrent(all, concurrency, async (body, i) => {
    const t0 = process.hrtime.bigint();
    const r = await client.post('/v1/graphql', body);
    latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 200) throw new Error(`query failed: ${r.status} ${r.body.slice(0, 300)}`);
    if (i < bodies.length) answers[i] = (JSON.parse(r.body).data.Get.Bench as Array<{ _additional: { id: string } }>).map((h) => indexOf(h._additional.id));
  });
  return { perSecond: all.length / seconds(started), latenciesMs, answers };
}

/** Queries at concurrency 1, looping until the import finishes; returns their latencies. */
async function latenciesDuringImport(client: LoadClient, queries: string[], importing: Promise<unknown>): Promise<number[]> {
  let done = false;
  void importing.then(() => (done = true), () => (done = true));
  const latencies: number[] = [];
  for (let i = 0; !done; i++) {
    const t0 = process.hrtime.bigint();
    const r = await client.post('/v1/graphql', queries[i % queries.length]);
    if (r.status !== 200) throw new Error(`query failed during import: ${r.status}`);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await importing;
  return latencies;
}

/** CPU seconds so far of each thread of a process, by thread id. */
function threadCpuSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

interface CpuSplit {
  /** Microseconds per operation: the node's main thread, its busiest other thread (the index worker), every other thread. */
  main: number;
  worker: number;
  others: number;
  /** This (load generating) process. */
  client: number;
}

/** Run `fn` (which performs `ops` operations) and split the CPU it cost by thread. */
async function cpuSplit<T>(pid: number, ops: number, fn: () => Promise<T>): Promise<{ value: T; cpu: CpuSplit }> {
  const before = threadCpuSeconds(pid);
  const client = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(client);
  const deltas = [...threadCpuSeconds(pid)].map(([tid, s]) => ({ tid, us: ((s - (before.get(tid) ?? 0)) / ops) * 1e6 }));
  const main = deltas.find((d) => d.tid === pid)?.us ?? 0;
  const rest = deltas.filter((d) => d.tid !== pid).sort((a, b) => b.us - a.us);
  const worker = rest[0]?.us ?? 0;
  const others = rest.slice(1).reduce((a, d) => a + d.us, 0);
  return { value, cpu: { main, worker, others, client: (used.user + used.system) / ops } };
}

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const rawOptions = (): RawOptions => ({ dataset: { count: N, queries: QUERIES }, M, efConstruction: EF_CONSTRUCTION, ef: EF, k: K, searchSeconds: 3 });

function runRawBaseline(): RawResult {
  const r = spawnSync(process.execPath, [join(here, 'raw-hnswlib.js'), JSON.stringify(rawOptions())], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`raw baseline failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as RawResult;
}

/** A forked raw process that builds once, then runs a timed search pass whenever asked. */
class RawServer {
  private constructor(private readonly child: ChildProcess, readonly built: RawResult) {}

  static async start(): Promise<RawServer> {
    const child = fork(join(here, 'raw-hnswlib.js'), ['--serve', JSON.stringify(rawOptions())], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const built = await new Promise<RawResult>((resolve, reject) => {
      child.once('message', (m: { built: RawResult }) => resolve(m.built));
      child.once('exit', (code) => reject(new Error(`raw baseline exited with ${code}`)));
    });
    return new RawServer(child, built);
  }

  search(secondsOfSearch = RAW_PASS_SECONDS): Promise<SearchPass> {
    return new Promise((resolve) => {
      this.child.once('message', (m: { pass: SearchPass }) => resolve(m.pass));
      this.child.send({ search: secondsOfSearch });
    });
  }

  /** Build the same index again (timed), keeping the one searched. */
  rebuild(): Promise<SearchPass> {
    return new Promise((resolve) => {
      this.child.once('message', (m: { rebuilt: SearchPass }) => resolve(m.rebuilt));
      this.child.send({ build: true });
    });
  }

  stop(): void {
    if (this.child.connected) this.child.send({ exit: true });
  }
}

/** A node measurement with the raw search rate right before and after it. */
interface Bracketed<T> {
  node: T;
  before: SearchPass;
  after: SearchPass;
}

async function bracketed<T>(raw: RawServer, fn: () => Promise<T>, before?: SearchPass): Promise<Bracketed<T>> {
  const b = before ?? (await raw.search());
  const node = await fn();
  return { node, before: b, after: await raw.search() };
}

const rawRate = (b: Bracketed<unknown>) => (b.before.perSecond + b.after.perSecond) / 2;
const rawCpu = (b: Bracketed<unknown>) => (b.before.cpuUs + b.after.cpuUs) / 2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The round whose ratio is the median one (its rates and CPU are reported together). */
function medianRound<T extends { ratio: number }>(rounds: T[]): T {
  const sorted = [...rounds].sort((a, b) => a.ratio - b.ratio);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The better of two raw runs on every measure (the conservative baseline). */
function bestOf(a: RawResult, b: RawResult): RawResult {
  return {
    buildPerSecond: Math.max(a.buildPerSecond, b.buildPerSecond),
    buildCpuUs: Math.min(a.buildCpuUs, b.buildCpuUs),
    searchCpuUs: Math.min(a.searchCpuUs, b.searchCpuUs),
    searchPerSecond: Math.max(a.searchPerSecond, b.searchPerSecond),
    p50Ms: Math.min(a.p50Ms, b.p50Ms),
    p99Ms: Math.min(a.p99Ms, b.p99Ms),
    recall: Math.max(a.recall, b.recall),
    peakRssBytes: Math.min(a.peakRssBytes, b.peakRssBytes),
  };
}

async function createClass(node: NodeProcess, name: string, dims: number): Promise<void> {
  const r = await node.client.post('/v1/schema', {
    class: name, properties: [{ name: 'i', dataType: ['int'] }],
    vectorIndexConfig: { distance: 'cosine', maxConnections: M, efConstruction: EF_CONSTRUCTION, ef: EF, dimensions: dims },
  });
  if (r.status !== 200) throw new Error(`class creation failed: ${r.text}`);
}

const fmt = (x: number, digits = 2) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
function line(label: string, raw: string, node: string, ratio: number, goal: string, met: boolean): void {
  console.log(`${label.padEnd(34)} ${raw.padStart(14)} ${node.padStart(14)} ${fmt(ratio).padStart(8)}x  ${goal.padEnd(10)} ${met ? 'ok' : 'MISSED'}`);
}

async function main(): Promise<void> {
  let t = process.hrtime.bigint();
  const ds = loadDataset({ count: N, queries: QUERIES });
  console.log(`data set: ${N} x ${ds.options.dims}-d, ${QUERIES} queries, exact top-${K} (${fmt(seconds(t), 1)} s to load or generate)`);
  console.log(`settings: M ${M}, efConstruction ${EF_CONSTRUCTION}, ef ${EF}, batch ${BATCH} objects, import concurrency ${IMPORT_CONCURRENCY}`);
  console.log(`load average at start: ${loadAverage()}`);
  t = process.hrtime.bigint();
  const rawServer = await RawServer.start();
  const rawBefore = rawServer.built;
  console.log(`raw hnswlib-node (before the node) done in ${fmt(seconds(t), 1)} s`);

  // SHOAL_BENCH_CPU_PROF=DIR writes V8 CPU profiles of the node's threads there (chrome://inspect).
  const profileDir = process.env.SHOAL_BENCH_CPU_PROF;
  const node = await startNodeProcess({ env: { SHOAL_WORKERS: '2' }, nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
  await node.waitReady();
  const client = createLoadClient(node.url, 8);
  try {
    await createClass(node, 'Bench', ds.options.dims);
    const pid = node.child.pid!;
    const bodies = batchBodies(ds, 'Bench', 0, N, 0);
    const imported = await cpuSplit(pid, N, () => importAll(client, bodies, IMPORT_CONCURRENCY));
    const importSeconds = imported.value;
    // The raw build again, right after the import: the import is compared with the mean of the
    // builds right before (the raw process's first build) and right after it.
    const rawRebuild = await rawServer.rebuild();
    const rawBuildAdjacent = (rawBefore.buildPerSecond + rawRebuild.perSecond) / 2;
    const rawBuildCpuAdjacent = (rawBefore.buildCpuUs + rawRebuild.cpuUs) / 2;
    // The minimal query of weaviate-ts-client (ids and distances), and one that also reads a property.
    const queries = queryBodies(ds, '_additional{id distance}');
    const withProperty = queryBodies(ds, 'i _additional{id distance}');
    const passes8 = Math.max(1, Math.ceil(2000 / QUERIES));
    // Warm-up: compiled code, and the import's garbage and dirty pages out of the way first.
    await query(client, queries, 8, passes8);
    const rounds: Array<{ c1: Bracketed<QueryRun>; c8: Bracketed<{ value: QueryRun; cpu: CpuSplit }>; ratio1: number; ratio: number }> = [];
    let before: SearchPass | undefined;
    for (let r = 0; r < ROUNDS; r++) {
      const c1 = await bracketed(rawServer, () => query(client, queries, 1), before);
      const c8 = await bracketed(rawServer, () => cpuSplit(pid, QUERIES * passes8, () => query(client, queries, 8, passes8)), c1.after);
      before = c8.after;
      rounds.push({ c1, c8, ratio1: c1.node.perSecond / rawRate(c1), ratio: c8.node.value.perSecond / rawRate(c8) });
    }
    const c8p = await bracketed(rawServer, () => query(client, withProperty, 8, passes8), before);
    const recall = recallAtK(ds.truth, K, rounds[0].c1.node.answers);
    const idle = rounds.flatMap((r) => r.c1.node.latenciesMs);
    const rssSameData = peakRss(pid);
    const sameClass = await latenciesDuringImport(client, queries, importAll(client, batchBodies(ds, 'Bench', 0, DURING_IMPORT, N), 2));
    await createClass(node, 'Other', ds.options.dims);
    const otherClass = await latenciesDuringImport(client, queries, importAll(client, batchBodies(ds, 'Other', 0, DURING_IMPORT, 0), 2));
    const rssEnd = peakRss(pid);
    rawServer.stop();
    await node.stop();
    // A raw run of its own at the end, for the baseline's latencies, recall and peak RSS (the
    // better of the two raw runs on each, so that drift never flatters the node).
    t = process.hrtime.bigint();
    const rawAfter = runRawBaseline();
    console.log(`raw hnswlib-node (after the node) done in ${fmt(seconds(t), 1)} s; load average at end: ${loadAverage()}`);
    const raw = bestOf(rawBefore, rawAfter);
    console.log(`raw builds: ${fmt(rawBefore.buildPerSecond, 0)} before the import, ${fmt(rawRebuild.perSecond, 0)} right after it, ${fmt(rawAfter.buildPerSecond, 0)} at the end (per s); raw search passes around the node's: ${rounds.map((r) => fmt(r.c8.before.perSecond, 0)).join(', ')}, ${fmt(before!.perSecond, 0)} per s`);
    console.log(`query rounds (node / adjacent raw), conc. 1: ${rounds.map((r) => fmt(r.ratio1)).join(', ')}; conc. 8: ${rounds.map((r) => fmt(r.ratio)).join(', ')}`);

    const m1 = medianRound(rounds.map((r) => ({ ...r, ratio: r.ratio1 })));
    const m8 = medianRound(rounds);
    const c8 = m8.c8.node;
    const ratioP = c8p.node.perSecond / rawRate(c8p);
    console.log(`\n${''.padEnd(34)} ${'raw hnswlib'.padStart(14)} ${'Shoal node'.padStart(14)} ${'ratio'.padStart(9)}  goal`);
    const importRatio = N / importSeconds / rawBuildAdjacent;
    line('import (objects/s)', fmt(rawBuildAdjacent, 0), fmt(N / importSeconds, 0), importRatio, '>= 0.8x', importRatio >= 0.8);
    line('queries/s, concurrency 1', fmt(rawRate(m1.c1), 0), fmt(m1.c1.node.perSecond, 0), m1.ratio, '', true);
    line('queries/s, concurrency 8', fmt(rawRate(m8.c8), 0), fmt(c8.value.perSecond, 0), m8.ratio, '>= 0.5x', m8.ratio >= 0.5);
    line('queries/s, conc. 8, + a property', fmt(rawRate(c8p), 0), fmt(c8p.node.perSecond, 0), ratioP, '', true);
    line('recall@10', fmt(raw.recall, 4), fmt(recall, 4), recall / raw.recall, '= raw', Math.abs(recall - raw.recall) <= 0.005);
    const idleP50 = percentile(idle, 50);
    const idleP99 = percentile(idle, 99);
    line('p50 latency idle, conc. 1 (ms)', fmt(raw.p50Ms, 3), fmt(idleP50, 3), idleP50 / raw.p50Ms, '', true);
    line('p99 latency idle, conc. 1 (ms)', fmt(raw.p99Ms, 3), fmt(idleP99, 3), idleP99 / raw.p99Ms, '', true);
    const p99Same = percentile(sameClass, 99);
    const p99Other = percentile(otherClass, 99);
    line('p99 during import, same class', fmt(idleP99, 3) + ' idle', fmt(p99Same, 3), p99Same / idleP99, '<= 3x', p99Same / idleP99 <= 3);
    line('p99 during import, other class', fmt(idleP99, 3) + ' idle', fmt(p99Other, 3), p99Other / idleP99, '<= 3x', p99Other / idleP99 <= 3);
    line(`peak RSS, same ${N / 1000}k objects (MiB)`, fmt(raw.peakRssBytes / 2 ** 20, 0), fmt(rssSameData / 2 ** 20, 0), rssSameData / raw.peakRssBytes, '<= 2x', rssSameData / raw.peakRssBytes <= 2);
    line(`peak RSS, end (+${(2 * DURING_IMPORT) / 1000}k, 2 classes)`, fmt(raw.peakRssBytes / 2 ** 20, 0), fmt(rssEnd / 2 ** 20, 0), rssEnd / raw.peakRssBytes, '<= 2x', rssEnd / raw.peakRssBytes <= 2);
    // CPU time per operation, split by thread: where the time goes, and less sensitive than rates
    // to how busy the shared machine is (though contention inflates it too).
    const imp = imported.cpu;
    line('CPU per imported object (us)', fmt(rawBuildCpuAdjacent, 0), fmt(imp.main + imp.worker + imp.others, 0), rawBuildCpuAdjacent / (imp.main + imp.worker + imp.others), '(raw/node)', true);
    console.log(`${''.padEnd(34)} node: main thread ${fmt(imp.main, 0)}, index worker ${fmt(imp.worker, 0)}, other threads ${fmt(imp.others, 0)}; load client ${fmt(imp.client, 0)}`);
    const q = c8.cpu;
    line('CPU per query, conc. 8 (us)', fmt(rawCpu(m8.c8), 0), fmt(q.main + q.worker + q.others, 0), rawCpu(m8.c8) / (q.main + q.worker + q.others), '(raw/node)', true);
    console.log(`${''.padEnd(34)} node: main thread ${fmt(q.main, 0)}, index worker ${fmt(q.worker, 0)}, other threads ${fmt(q.others, 0)}; load client ${fmt(q.client, 0)}`);
    console.log(`(during-import runs: ${DURING_IMPORT} objects at concurrency 2, ${sameClass.length} and ${otherClass.length} queries measured)`);
  } finally {
    client.close();
    rawServer.stop();
    await stopAllNodes();
  }
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
