// A seeded synthetic data set for benchmarks: clustered vectors (Gaussian clusters around
// uniform random centres), queries drawn from the same distribution, and the exact top-k of
// every query by brute force. Same options, same bytes, on every machine. Generating 100,000 x
// 128-d with 1,000 queries takes a while (the brute force is 1.3e10 multiply-adds), so the
// result is cached in the temporary directory, keyed by the options.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../api/index.js';

export type DatasetDistance = 'cosine' | 'l2-squared';

export interface DatasetOptions {
  count: number;
  dims: number;
  queries: number;
  /** Neighbours in the ground truth. */
  k: number;
  clusters: number;
  /** Standard deviation of points around their cluster centre (centres lie in [-1, 1]^dims). */
  spread: number;
  distance: DatasetDistance;
  seed: number;
}

export const DEFAULT_DATASET: DatasetOptions = {
  count: 100_000, dims: 128, queries: 1_000, k: 10, clusters: 100, spread: 0.1, distance: 'cosine', seed: 42,
};

export interface Dataset {
  options: DatasetOptions;
  /** count x dims, row-major. */
  vectors: Float32Array;
  /** queries x dims. */
  queries: Float32Array;
  /** queries x k: indexes of the exact nearest vectors, nearest first. */
  truth: Int32Array;
}

export { seededRandom };

/** Row i of a row-major matrix. */
export function row(m: Float32Array, dims: number, i: number): Float32Array {
  return m.subarray(i * dims, (i + 1) * dims);
}

function sample(o: DatasetOptions): { vectors: Float32Array; queries: Float32Array } {
  const next = seededRandom(o.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
  const centres = Array.from({ length: o.clusters }, () => Float32Array.from({ length: o.dims }, () => next() * 2 - 1));
  const draw = (n: number) => {
    const m = new Float32Array(n * o.dims);
    for (let i = 0; i < n; i++) {
      const c = centres[Math.floor(next() * o.clusters)];
      for (let d = 0; d < o.dims; d++) m[i * o.dims + d] = c[d] + gauss() * o.spread;
    }
    return m;
  };
  return { vectors: draw(o.count), queries: draw(o.queries) };
}

function normalizedRows(m: Float32Array, dims: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let i = 0; i < m.length; i += dims) {
    let n = 0;
    for (let d = 0; d < dims; d++) n += m[i + d] * m[i + d];
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let d = 0; d < dims; d++) out[i + d] = m[i + d] * inv;
  }
  return out;
}

/** Exact top-k by brute force: cosine (1 - cos) or squared Euclidean distance. */
export function exactTopK(vectors: Float32Array, queries: Float32Array, dims: number, k: number, distance: DatasetDistance): Int32Array {
  const cos = distance === 'cosine';
  const base = cos ? normalizedRows(vectors, dims) : vectors;
  const qs = cos ? normalizedRows(queries, dims) : queries;
  const count = vectors.length / dims;
  const nq = queries.length / dims;
  const truth = new Int32Array(nq * k);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let q = 0; q < nq; q++) {
    bestD.fill(Infinity);
    bestI.fill(-1);
    const qo = q * dims;
    for (let i = 0; i < count; i++) {
      const o = i * dims;
      let s = 0;
      if (cos) for (let d = 0; d < dims; d++) s += base[o + d] * qs[qo + d];
      else for (let d = 0; d < dims; d++) { const x = base[o + d] - qs[qo + d]; s += x * x; }
      const dist = cos ? 1 - s : s;
      if (dist >= bestD[k - 1]) continue;
      let j = k - 1;
      while (j > 0 && bestD[j - 1] > dist) {
        bestD[j] = bestD[j - 1];
        bestI[j] = bestI[j - 1];
        j--;
      }
      bestD[j] = dist;
      bestI[j] = i;
    }
    truth.set(bestI, q * k);
  }
  return truth;
}

export function generateDataset(options: Partial<DatasetOptions> = {}): Dataset {
  const o = { ...DEFAULT_DATASET, ...options };
  const { vectors, queries } = sample(o);
  return { options: o, vectors, queries, truth: exactTopK(vectors, queries, o.dims, o.k, o.distance) };
}

function cachePath(o: DatasetOptions): string {
  const key = [o.count, o.dims, o.queries, o.k, o.clusters, o.spread, o.distance, o.seed].join('-');
  return join(tmpdir(), 'shoal-bench-datasets', `v1-${key}.bin`);
}

/** The data set for these options, from the cache when it was generated before. */
export function loadDataset(options: Partial<DatasetOptions> = {}): Dataset {
  const o = { ...DEFAULT_DATASET, ...options };
  const path = cachePath(o);
  if (existsSync(path)) {
    const buf = readFileSync(path);
    const copy = (offset: number, length: number) => new Uint8Array(buf.buffer, buf.byteOffset + offset, length).slice().buffer;
    const nv = o.count * o.dims * 4;
    const nq = o.queries * o.dims * 4;
    return {
      options: o,
      vectors: new Float32Array(copy(0, nv)),
      queries: new Float32Array(copy(nv, nq)),
      truth: new Int32Array(copy(nv + nq, o.queries * o.k * 4)),
    };
  }
  const ds = generateDataset(o);
  mkdirSync(join(tmpdir(), 'shoal-bench-datasets'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([Buffer.from(ds.vectors.buffer), Buffer.from(ds.queries.buffer), Buffer.from(ds.truth.buffer)]));
  renameSync(tmp, path);
  return ds;
}

/** Mean share of the true top-k found in each answer (recall@k). */
export function recallAtK(truth: Int32Array, k: number, answers: number[][]): number {
  let found = 0;
  answers.forEach((ids, q) => {
    const want = new Set(truth.subarray(q * k, (q + 1) * k));
    for (const id of ids.slice(0, k)) if (want.has(id)) found++;
  });
  return found / (answers.length * k);
}
