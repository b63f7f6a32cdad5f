// Objects on the wire: records travel as JSON without their vector, which travels as raw
// Float32 bytes in a blob of the same frame (never as JSON numbers: 4 bytes per value instead of
// ~10, exact, and no parsing). `v` is the blob index of the vector, -1 for none.
// Every decoder checks shapes: a peer's frame is input, not trusted data.
import { endianness } from 'node:os';
import type { LiveObject, ObjectRecord, Properties, Tombstone } from '../objects/types.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Collects the blobs of one frame while its header is being built. */
export class BlobTable {
  readonly blobs: Uint8Array[] = [];

  add(bytes: Uint8Array): number {
    this.blobs.push(bytes);
    return this.blobs.length - 1;
  }

  addVector(vector: Float32Array | null | undefined): number {
    return vector ? this.add(vectorToBytes(vector)) : -1;
  }
}

/** Float32 values as little-endian bytes (the wire order), without copying on little-endian hosts. */
export function vectorToBytes(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
  return LITTLE_ENDIAN ? bytes : swap32(bytes);
}

/** A Float32Array (aligned, owned) from little-endian bytes. */
export function vectorFromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new WireError(`vector blob of ${bytes.byteLength} bytes is not a whole number of float32 values`);
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(LITTLE_ENDIAN ? bytes : swap32(bytes));
  return out;
}

function swap32(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += 4) {
    out[i] = bytes[i + 3];
    out[i + 1] = bytes[i + 2];
    out[i + 2] = bytes[i + 1];
    out[i + 3] = bytes[i];
  }
  return out;
}

/** A frame's content does not have the shape the method expects. */
export class WireError extends Error {
  override name = 'WireError';
}

export interface WireLive {
  id: string;
  class: string;
  properties: Properties;
  creationTimeUnix: number;
  lastUpdateTimeUnix: number;
  version: number;
  origin: string;
  deleted: false;
  v: number;
}

export type WireRecord = WireLive | Tombstone;

export function recordToWire(r: ObjectRecord, table: BlobTable, withVector = true): WireRecord {
  if (r.deleted) return { id: r.id, class: r.class, version: r.version, origin: r.origin, deleted: true, deletionTimeUnix: r.deletionTimeUnix };
  return {
    id: r.id, class: r.class, properties: r.properties, creationTimeUnix: r.creationTimeUnix, lastUpdateTimeUnix: r.lastUpdateTimeUnix,
    version: r.version, origin: r.origin, deleted: false, v: withVector ? table.addVector(r.vector) : -1,
  };
}

export function recordFromWire(w: unknown, blobs: readonly Uint8Array[]): ObjectRecord {
  const o = asObject(w, 'record');
  // One object literal per shape (no spreads): this runs for every record of every import batch.
  if (o.deleted === true) {
    return { id: str(o.id, 'id'), class: str(o.class, 'class'), version: num(o.version, 'version'), origin: str(o.origin, 'origin'), deleted: true, deletionTimeUnix: num(o.deletionTimeUnix, 'deletionTimeUnix') };
  }
  if (o.deleted !== false) throw new WireError('record.deleted must be true or false');
  return {
    id: str(o.id, 'id'),
    class: str(o.class, 'class'),
    properties: asObject(o.properties, 'record.properties') as Properties,
    vector: blobVector(o.v, blobs),
    creationTimeUnix: num(o.creationTimeUnix, 'creationTimeUnix'),
    lastUpdateTimeUnix: num(o.lastUpdateTimeUnix, 'lastUpdateTimeUnix'),
    version: num(o.version, 'version'),
    origin: str(o.origin, 'origin'),
    deleted: false,
  };
}

export function liveFromWire(w: unknown, blobs: readonly Uint8Array[]): LiveObject {
  const r = recordFromWire(w, blobs);
  if (r.deleted) throw new WireError(`expected a live object, found a tombstone for ${r.id}`);
  return r;
}

/** The vector in blob `index`, null for -1. */
export function blobVector(index: unknown, blobs: readonly Uint8Array[]): Float32Array | null {
  if (index === -1 || index === undefined || index === null) return null;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= blobs.length) throw new WireError(`vector blob index ${String(index)} is out of range (${blobs.length} blobs)`);
  return vectorFromBytes(blobs[index]);
}

// ---------------------------------------------------------------- shape checks

export function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new WireError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

export function asArray(v: unknown, what: string, maxLength = Infinity): unknown[] {
  if (!Array.isArray(v)) throw new WireError(`${what} must be an array`);
  if (v.length > maxLength) throw new WireError(`${what} holds ${v.length} items, at most ${maxLength} allowed`);
  return v;
}

export function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new WireError(`${what} must be a string`);
  return v;
}

export function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WireError(`${what} must be a finite number`);
  return v;
}

export function int(v: unknown, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new WireError(`${what} must be an integer in [${min}, ${max}]`);
  return v;
}

export function optStr(v: unknown, what: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, what);
}

export function optNum(v: unknown, what: string): number | undefined {
  return v === undefined || v === null ? undefined : num(v, what);
}
