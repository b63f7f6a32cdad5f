// The baseline: raw hnswlib-node in one process, no server, same data and settings as the node
// under test. Run as a child process (so its peak RSS is its own) by node.bench.ts, two ways:
//   node raw-hnswlib.js '{"M":16,"efConstruction":128,"ef":64,"k":10,...}'
//     builds, searches, prints one JSON line (build rate, search rate, latencies, recall, peak RSS);
//   node raw-hnswlib.js --serve '{...}'   (forked, with an IPC channel)
//     builds, reports the same line as a message, then keeps the index and runs a timed search pass
//     ({ search: seconds }) or another timed build ({ build: true }) whenever asked, so the bench
//     can measure raw rates right before and after each node measurement: the shared machine's
//     speed drifts by 2x within seconds, and only rates taken side by side in time compare.
import hnswlib from 'hnswlib-node';
import { loadDataset, recallAtK, row, type Dataset, type DatasetOptions } from './dataset.js';
import { percentile } from './http-load.js';

export interface RawOptions {
  dataset: Partial<DatasetOptions>;
  M: number;
  efConstruction: number;
  ef: number;
  k: number;
  /** Minimum seconds of searching, for a stable rate. */
  searchSeconds: number;
}

export interface RawResult {
  buildPerSecond: number;
  searchPerSecond: number;
  /** CPU time per addPoint and per searchKnn, in microseconds (independent of other load on the machine). */
  buildCpuUs: number;
  searchCpuUs: number;
  p50Ms: number;
  p99Ms: number;
  recall: number;
  peakRssBytes: number;
}

/** One timed single-thread search pass (or build) of a serving baseline: operations per second, CPU per operation. */
export interface SearchPass {
  perSecond: number;
  cpuUs: number;
}

type Index = InstanceType<typeof hnswlib.HierarchicalNSW>;

function build(ds: Dataset, o: RawOptions) {
  const { count, dims, distance } = ds.options;
  const index = new hnswlib.HierarchicalNSW(distance === 'cosine' ? 'cosine' : 'l2', dims);
  index.initIndex(count, o.M, o.efConstruction, 100);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  // Conversion to plain arrays is part of the cost: hnswlib-node takes nothing else.
  for (let i = 0; i < count; i++) index.addPoint(Array.from(row(ds.vectors, dims, i)), i);
  return { index, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuUs: cpuMicros(cpu) / count };
}

function cpuMicros(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

/** Search every query, in passes, for at least `seconds`; latencies and first-pass answers. */
function searchFor(index: Index, ds: Dataset, k: number, seconds: number) {
  const { dims, queries } = ds.options;
  const answers: number[][] = [];
  const latencies: number[] = [];
  let done = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let pass = 0; pass === 0 || Number(process.hrtime.bigint() - started) / 1e9 < seconds; pass++) {
    for (let q = 0; q < queries; q++) {
      const t0 = process.hrtime.bigint();
      const r = index.searchKnn(Array.from(row(ds.queries, dims, q)), k);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (pass === 0) answers.push(r.neighbors);
      done++;
    }
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: done / elapsed, cpuUs: cpuMicros(cpu) / done, latencies, answers };
}

function buildAndMeasure(o: RawOptions): { index: Index; ds: Dataset; result: RawResult } {
  const ds = loadDataset(o.dataset);
  const { index, seconds: buildSeconds, cpuUs: buildCpuUs } = build(ds, o);
  index.setEf(o.ef);
  const s = searchFor(index, ds, o.k, o.searchSeconds);
  const result: RawResult = {
    buildPerSecond: ds.options.count / buildSeconds,
    searchPerSecond: s.perSecond,
    buildCpuUs,
    searchCpuUs: s.cpuUs,
    p50Ms: percentile(s.latencies, 50),
    p99Ms: percentile(s.latencies, 99),
    recall: recallAtK(ds.truth, o.k, s.answers),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  return { index, ds, result };
}

export function runRaw(o: RawOptions): RawResult {
  return buildAndMeasure(o).result;
}

function serve(o: RawOptions): void {
  const { index, ds, result } = buildAndMeasure(o);
  process.send!({ built: result });
  process.on('disconnect', () => process.exit(0)); // the bench is gone
  process.on('message', (msg: { search?: number; build?: boolean; exit?: boolean }) => {
    if (msg.exit) process.exit(0);
    if (msg.search !== undefined) {
      const s = searchFor(index, ds, o.k, msg.search);
      const pass: SearchPass = { perSecond: s.perSecond, cpuUs: s.cpuUs };
      process.send!({ pass });
    }
    if (msg.build) {
      // Another build of the same data, timed; the new index is dropped, the searched one kept.
      const b = build(ds, o);
      const rebuilt: SearchPass = { perSecond: ds.options.count / b.seconds, cpuUs: b.cpuUs };
      process.send!({ rebuilt });
    }
  });
}

if (process.argv[1]?.endsWith('raw-hnswlib.js')) {
  if (process.argv[2] === '--serve' && process.argv[3]) serve(JSON.parse(process.argv[3]) as RawOptions);
  else if (process.argv[2]) console.log(JSON.stringify(runRaw(JSON.parse(process.argv[2]) as RawOptions)));
}
