// The baseline: raw hnswlib-node in one process, no server, same data and settings as the node
// under test. Run as a child process (so its peak RSS is its own) by node.bench.ts:
//   node raw-hnswlib.js '{"M":16,"efConstruction":128,"ef":64,"k":10,...dataset options}'
// and prints one JSON line with build rate, single-thread search rate, latencies, recall, peak RSS.
import hnswlib from 'hnswlib-node';
import { loadDataset, recallAtK, row, type DatasetOptions } from './dataset.js';
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

function build(ds: ReturnType<typeof loadDataset>, o: RawOptions) {
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

export function runRaw(o: RawOptions): RawResult {
  const ds = loadDataset(o.dataset);
  const { dims, queries } = ds.options;
  const { index, seconds: buildSeconds, cpuUs: buildCpuUs } = build(ds, o);
  index.setEf(o.ef);
  const answers: number[][] = [];
  const latencies: number[] = [];
  let done = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let pass = 0; pass === 0 || Number(process.hrtime.bigint() - started) / 1e9 < o.searchSeconds; pass++) {
    for (let q = 0; q < queries; q++) {
      const t0 = process.hrtime.bigint();
      const r = index.searchKnn(Array.from(row(ds.queries, dims, q)), o.k);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (pass === 0) answers.push(r.neighbors);
      done++;
    }
  }
  const searchSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const searchCpuUs = cpuMicros(cpu) / done;
  return {
    buildPerSecond: ds.options.count / buildSeconds,
    searchPerSecond: done / searchSeconds,
    buildCpuUs,
    searchCpuUs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    recall: recallAtK(ds.truth, o.k, answers),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

if (process.argv[1]?.endsWith('raw-hnswlib.js') && process.argv[2]) {
  console.log(JSON.stringify(runRaw(JSON.parse(process.argv[2]) as RawOptions)));
}
