// Exact k-nearest search over a list of labels, for filtered searches whose matches are few:
// cheaper than a graph walk that calls a JS filter for every candidate it visits.
import type { Space } from './search-plan.js';

export interface ScanHits {
  labels: Uint32Array;
  distances: Float32Array;
}

/** Distances in Weaviate's convention against the vectors as stored (not normalised). */
export function exactTopK(space: Space, query: Float32Array, labels: Uint32Array, k: number, read: (label: number) => Float32Array | undefined): ScanHits {
  const queryNorm = Math.sqrt(dot(query, query)) || 1;
  const found: number[] = [];
  const distances: number[] = [];
  for (const label of labels) {
    const v = read(label);
    if (!v || v.length !== query.length) continue;
    found.push(label);
    distances.push(distanceTo(space, query, queryNorm, v));
  }
  const order = found.map((_, i) => i).sort((a, b) => distances[a] - distances[b]).slice(0, k);
  return { labels: Uint32Array.from(order, (i) => found[i]), distances: Float32Array.from(order, (i) => distances[i]) };
}

function distanceTo(space: Space, q: Float32Array, queryNorm: number, v: Float32Array): number {
  if (space === 'l2') {
    let acc = 0;
    for (let i = 0; i < v.length; i++) {
      const d = q[i] - v[i];
      acc += d * d;
    }
    return acc;
  }
  if (space === 'ip') return -dot(q, v);
  return 1 - dot(q, v) / (queryNorm * (Math.sqrt(dot(v, v)) || 1));
}

function dot(a: Float32Array, b: Float32Array): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i] * b[i];
  return acc;
}
