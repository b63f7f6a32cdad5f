// Checks of single values against Shoal's data types, shared by object validation and where
// filters. Each returns the normalised value or an error message (never throws).
import { isUuid, type ScalarDataType } from '../../../../api/index.js';

/** RFC 3339 date-time, as Weaviate's `date` type takes it. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const FLOAT32_MAX = 3.4028234663852886e38;

export type Checked<T> = { value: T } | { error: string };

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** Canonical form of a UUID: lowercase with dashes. */
export function canonicalUuid(id: string): string {
  const hex = id.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function checkUuid(v: unknown): Checked<string> {
  if (typeof v !== 'string' || !isUuid(v)) return { error: `must be a UUID (like 36ddd591-2dee-4e7e-a3cc-eb86d30a4303), got ${describe(v)}` };
  return { value: canonicalUuid(v) };
}

export function dateMillis(v: string): number | undefined {
  if (!RFC3339.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}

export function checkScalar(type: ScalarDataType, v: unknown): Checked<unknown> {
  switch (type) {
    case 'text':
      return typeof v === 'string' ? { value: v } : { error: `must be text (a string), got ${describe(v)}` };
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) ? { value: v } : { error: `must be an int (a whole number within ±2^53), got ${describe(v)}` };
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? { value: v } : { error: `must be a number, got ${describe(v)}` };
    case 'boolean':
      return typeof v === 'boolean' ? { value: v } : { error: `must be a boolean, got ${describe(v)}` };
    case 'date':
      return typeof v === 'string' && dateMillis(v) !== undefined ? { value: v } : { error: `must be an RFC 3339 date (like 2024-01-31T12:00:00Z), got ${describe(v)}` };
    case 'uuid':
      return checkUuid(v);
  }
}

/**
 * A vector: a non-empty array of finite numbers within float32 range, stored as a Float32Array.
 * Returns null for an absent or empty vector (an object without a vector, as Weaviate allows).
 */
export function checkVector(v: unknown): Checked<Float32Array | null> {
  if (v === undefined || v === null) return { value: null };
  if (!Array.isArray(v)) return { error: `must be an array of numbers, got ${describe(v)}` };
  if (v.length === 0) return { value: null };
  if (v.length > 65536) return { error: `has ${v.length} entries, more than the maximum of 65536` };
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number') return { error: `[${i}] must be a number, got ${describe(x)}` };
    if (!Number.isFinite(x) || Math.abs(x) > FLOAT32_MAX) return { error: `[${i}] must be a finite float32 number, got ${x}` };
    out[i] = x;
  }
  return { value: out };
}
