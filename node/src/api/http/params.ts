// Query-string parameters shared by many endpoints, validated into typed values. An invalid
// value is a 422 naming the parameter.
import type { ConsistencyLevel } from '../../objects/types.js';
import { DEFAULT_CONSISTENCY } from '../../coordinator/types.js';
import { unprocessable } from '../errors.js';

export const CONSISTENCY_LEVELS: readonly ConsistencyLevel[] = ['ONE', 'QUORUM', 'ALL'];
/** Weaviate's QUERY_MAXIMUM_RESULTS default: offset + limit may not exceed it. */
export const MAX_RESULTS = 10000;

export function consistencyLevel(query: URLSearchParams): ConsistencyLevel {
  const raw = query.get('consistency_level');
  if (raw === null || raw === '') return DEFAULT_CONSISTENCY;
  if (!(CONSISTENCY_LEVELS as readonly string[]).includes(raw))
    throw unprocessable(`consistency_level must be one of ${CONSISTENCY_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as ConsistencyLevel;
}

export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = /^-?[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw unprocessable(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** `include=vector,classification`: the set of names. */
export function includes(query: URLSearchParams): Set<string> {
  const raw = query.get('include');
  return new Set(raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : []);
}

export function oneOfParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[], fallback: T): T {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) throw unprocessable(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}
