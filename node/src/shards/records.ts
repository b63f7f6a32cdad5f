// How records are checked on the way in and laid out in the store. The vector is kept apart from
// the rest of the object (in the `vectors` database, keyed by label) so that filters and listings
// decode only properties, and a rebuild streams vectors without decoding objects.
import type { LiveObject, ObjectRecord, Properties, Tombstone } from '../objects/types.js';

/** An object or tombstone as stored in the `objects` database (the vector is not in it). */
export interface StoredRecord {
  class: string;
  version: number;
  origin: string;
  deleted: boolean;
  properties?: Properties;
  creationTimeUnix?: number;
  lastUpdateTimeUnix?: number;
  deletionTimeUnix?: number;
  /** Label of the vector in the index and the `vectors` database; -1 for no vector. */
  label: number;
}

/**
 * Why a record cannot be stored in this shard, or undefined if it can. The API validates earlier;
 * this is the last line of defence, so that nothing malformed reaches the store or the index.
 */
export function recordProblem(record: ObjectRecord, className: string): string | undefined {
  if (typeof record !== 'object' || record === null) return 'expected an object record, found ' + typeof record;
  if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > 512) return 'expected id to be a non-empty string of at most 512 characters';
  if (record.class !== className) return `expected class ${className}, found ${String(record.class)}`;
  if (!Number.isFinite(record.version) || record.version < 0) return `expected version to be a finite number >= 0, found ${String(record.version)}`;
  if (typeof record.origin !== 'string') return 'expected origin to be a string';
  if (record.deleted === true) return Number.isFinite(record.deletionTimeUnix) ? undefined : 'expected deletionTimeUnix to be a number';
  if (record.deleted !== false) return 'expected deleted to be true or false';
  if (typeof record.properties !== 'object' || record.properties === null) return 'expected properties to be an object';
  return vectorProblem(record.vector);
}

/** Why a query vector cannot be searched with, or undefined if it can. */
export function queryProblem(vector: Float32Array, dimensions: number): string | undefined {
  return (vector.length === 0 ? undefined : vectorProblem(vector)) ?? dimensionProblem(vector.length, dimensions);
}

function vectorProblem(vector: Float32Array | null): string | undefined {
  if (vector === null) return undefined;
  if (!(vector instanceof Float32Array)) return 'expected vector to be a Float32Array or null';
  if (vector.length === 0) return 'expected a non-empty vector (or null for none)';
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i])) return `vector entry ${i} is not a finite number (${vector[i]})`;
  }
  return undefined;
}

export function dimensionProblem(found: number, dimensions: number): string | undefined {
  if (found === dimensions) return undefined;
  return `vector length mismatch: this shard holds ${dimensions}-dimensional vectors, found ${found}; send vectors of length ${dimensions}`;
}

export function toStored(record: ObjectRecord, label: number): StoredRecord {
  if (record.deleted) {
    return { class: record.class, version: record.version, origin: record.origin, deleted: true, deletionTimeUnix: record.deletionTimeUnix, label: -1 };
  }
  return {
    class: record.class,
    version: record.version,
    origin: record.origin,
    deleted: false,
    properties: record.properties,
    creationTimeUnix: record.creationTimeUnix,
    lastUpdateTimeUnix: record.lastUpdateTimeUnix,
    label,
  };
}

export function toTombstone(id: string, s: StoredRecord): Tombstone {
  return { id, class: s.class, version: s.version, origin: s.origin, deleted: true, deletionTimeUnix: s.deletionTimeUnix ?? 0 };
}

type VectorReader = (label: number) => Float32Array | undefined;

/** A live object with its vector read now. */
export function toLiveObject(id: string, s: StoredRecord, readVector: VectorReader): LiveObject {
  return { ...liveFields(id, s), vector: s.label < 0 ? null : readVector(s.label) ?? null };
}

/** A live object whose vector is read only if someone looks at it (filters rarely do). */
export function toLazyLiveObject(id: string, s: StoredRecord, readVector: VectorReader): LiveObject {
  return new LazyLiveObject(id, s, readVector);
}

// A class with a prototype getter: defining a property per object costs more than decoding it.
class LazyLiveObject {
  readonly class: string;
  readonly properties: Properties;
  readonly creationTimeUnix: number;
  readonly lastUpdateTimeUnix: number;
  readonly version: number;
  readonly origin: string;
  readonly deleted = false as const;
  // Private fields (not enumerable): a predicate sees only LiveObject's fields.
  readonly #stored: StoredRecord;
  readonly #readVector: VectorReader;
  #cached: Float32Array | null | undefined;

  constructor(
    readonly id: string,
    stored: StoredRecord,
    readVector: VectorReader,
  ) {
    this.#stored = stored;
    this.#readVector = readVector;
    this.class = stored.class;
    this.properties = stored.properties ?? {};
    this.creationTimeUnix = stored.creationTimeUnix ?? 0;
    this.lastUpdateTimeUnix = stored.lastUpdateTimeUnix ?? 0;
    this.version = stored.version;
    this.origin = stored.origin;
  }

  get vector(): Float32Array | null {
    if (this.#cached === undefined) this.#cached = this.#stored.label < 0 ? null : this.#readVector(this.#stored.label) ?? null;
    return this.#cached;
  }
}

function liveFields(id: string, s: StoredRecord): Omit<LiveObject, 'vector'> {
  return {
    id,
    class: s.class,
    properties: s.properties ?? {},
    creationTimeUnix: s.creationTimeUnix ?? 0,
    lastUpdateTimeUnix: s.lastUpdateTimeUnix ?? 0,
    version: s.version,
    origin: s.origin,
    deleted: false,
  };
}

/** The vector's bytes as stored: raw float32 in machine order. */
export function vectorBytes(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A Float32Array over a copy of stored bytes (LMDB buffers are neither aligned nor ours to keep). */
export function vectorFromBytes(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
