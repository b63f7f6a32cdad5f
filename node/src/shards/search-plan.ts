// Pure decisions of a search: which hnswlib space a distance maps to, how its distances convert
// to Weaviate's convention, which ef to use, and whether a filtered search walks the graph or
// scans the allowed vectors exactly.
import type { Distance, IndexConfig } from './types.js';

export type Space = 'cosine' | 'l2' | 'ip';
export type Strategy = 'graph' | 'filter' | 'flat';

export function spaceOf(distance: Distance): Space {
  switch (distance) {
    case 'cosine':
      return 'cosine';
    case 'l2-squared':
      return 'l2';
    case 'dot':
      return 'ip';
  }
}

/**
 * Weaviate's convention from hnswlib's: cosine is 1 - cos in both (hnswlib normalises), l2 is
 * squared in both, and hnswlib's inner product distance is 1 - dot where Weaviate's is -dot.
 */
export function fromHnswDistance(space: Space, d: number): number {
  return space === 'ip' ? d - 1 : d;
}

/** Explicit ef (raised to k), or automatic: clamp(k * factor, min, max), never below k. */
export function searchEf(k: number, explicitEf: number | undefined, config: IndexConfig): number {
  const ef = explicitEf !== undefined && explicitEf > 0 ? explicitEf : config.ef > 0 ? config.ef : autoEf(k, config);
  return Math.max(k, Math.ceil(ef));
}

function autoEf(k: number, config: IndexConfig): number {
  return Math.min(config.dynamicEfMax, Math.max(config.dynamicEfMin, k * config.dynamicEfFactor));
}

/**
 * Cost model, fitted on this machine (100k x 128-d, M 16, ef 100, in the worker): an exact scan
 * reads each allowed vector from the store and costs about FLAT_US_PER_VECTOR per vector; a
 * filtered graph walk visits about VISITS_PER_EF * ef / selectivity candidates (capped by the
 * index size), each a distance plus a JS filter call of GRAPH_US_PER_VISIT. At 100k vectors and
 * ef 100 the crossover is near 3k matches (3%): 1k matches scan in ~11 ms where the walk takes
 * ~33 ms, 10k matches walk in ~4 ms where the scan takes ~44 ms. The class's flatSearchCutoff
 * caps the scan in any case.
 */
export const FLAT_US_PER_VECTOR = 4;
export const GRAPH_US_PER_VISIT = 0.33;
export const VISITS_PER_EF = 10;

export function filteredStrategy(allowed: number, total: number, ef: number, cutoff: number): Strategy {
  if (allowed > cutoff) return 'filter';
  const selectivity = Math.max(allowed, 1) / Math.max(total, 1);
  const visits = Math.min(total, (VISITS_PER_EF * ef) / selectivity);
  return allowed * FLAT_US_PER_VECTOR <= visits * GRAPH_US_PER_VISIT ? 'flat' : 'filter';
}
