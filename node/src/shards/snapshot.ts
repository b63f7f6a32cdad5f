// Index snapshots on disk, next to the store in the shard's folder:
//   index-<seq>.hnsw   an hnswlib index file covering the change sequence up to <seq>
//   snapshot.json      which file is current, its checksum, and what it must match to be used
// A snapshot is written as index.hnsw.tmp, fsynced, renamed, and then published by replacing
// snapshot.json the same way (temp + fsync + rename + fsync of the folder). snapshot.json is the
// commit point: a crash at any step leaves the previous snapshot (or none) in force.
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, fsyncFile } from './file-checksum.js';
import type { Space } from './search-plan.js';

export const SNAPSHOT_META = 'snapshot.json';
export const SNAPSHOT_TEMP = 'index.hnsw.tmp';
const FORMAT = 1;

export interface SnapshotMeta {
  format: number;
  file: string;
  /** Last change of the store's sequence reflected in the file. */
  seq: number;
  checksum: number;
  bytes: number;
  /** The store this snapshot was taken of. */
  storeId: string;
  space: Space;
  dimensions: number;
  m: number;
  efConstruction: number;
  /** Elements in the index, deleted ones included. */
  count: number;
  createdAt: string;
}

/** What the store and config say a usable snapshot must match. */
export interface SnapshotExpectation {
  storeId: string;
  lastSeq: number;
  space: Space;
  m: number;
  efConstruction: number;
  dimensions: number | undefined;
  /** True if the change log still holds every change after `seq`. */
  hasChangesAfter: (seq: number) => boolean;
}

export type SnapshotLookup = { meta: SnapshotMeta } | { problem: 'missing' | 'corrupt'; detail: string };

export function readSnapshotMeta(dir: string): SnapshotLookup {
  let text: string;
  try {
    text = readFileSync(join(dir, SNAPSHOT_META), 'utf8');
  } catch {
    return { problem: 'missing', detail: 'no snapshot.json' };
  }
  try {
    const meta = JSON.parse(text) as SnapshotMeta;
    if (meta.format !== FORMAT || typeof meta.file !== 'string' || !Number.isFinite(meta.seq) || !Number.isFinite(meta.checksum)) {
      return { problem: 'corrupt', detail: `snapshot.json has an unexpected shape (format ${String(meta.format)})` };
    }
    return { meta };
  } catch (err) {
    return { problem: 'corrupt', detail: `snapshot.json is not JSON: ${(err as Error).message}` };
  }
}

/** Why this snapshot cannot stand for the store as it is now, or undefined if it can. */
export function snapshotMismatch(meta: SnapshotMeta, want: SnapshotExpectation): string | undefined {
  if (meta.storeId !== want.storeId) return `taken of store ${meta.storeId}, this store is ${want.storeId}`;
  if (meta.space !== want.space || meta.m !== want.m || meta.efConstruction !== want.efConstruction) {
    return `index settings changed (snapshot ${meta.space}/M${meta.m}/efC${meta.efConstruction}, config ${want.space}/M${want.m}/efC${want.efConstruction})`;
  }
  if (want.dimensions !== undefined && meta.dimensions !== want.dimensions) return `dimensions ${meta.dimensions}, store ${want.dimensions}`;
  if (meta.seq > want.lastSeq) return `covers change ${meta.seq} but the store ends at ${want.lastSeq}`;
  if (!want.hasChangesAfter(meta.seq)) return `the change log no longer holds the changes after ${meta.seq}`;
  return undefined;
}

/** Publish a written and fsynced temp file as the current snapshot, then drop older files. */
export async function publishSnapshot(dir: string, meta: Omit<SnapshotMeta, 'format' | 'file' | 'createdAt'>): Promise<SnapshotMeta> {
  const full: SnapshotMeta = { format: FORMAT, file: `index-${meta.seq}.hnsw`, createdAt: new Date().toISOString(), ...meta };
  await rename(join(dir, SNAPSHOT_TEMP), join(dir, full.file));
  const metaTemp = join(dir, SNAPSHOT_META + '.tmp');
  await writeFile(metaTemp, JSON.stringify(full, null, 2));
  await fsyncFile(metaTemp);
  await rename(metaTemp, join(dir, SNAPSHOT_META));
  await fsyncDir(dir);
  await removeStaleFiles(dir, full.file);
  return full;
}

/** Remove index files other than `keep` and leftovers of interrupted snapshot writes. */
export async function removeStaleFiles(dir: string, keep: string | undefined): Promise<void> {
  for (const name of await readdir(dir)) {
    const stale = (name.startsWith('index-') && name.endsWith('.hnsw') && name !== keep) || name.endsWith('.tmp');
    if (stale) await rm(join(dir, name), { force: true });
  }
}
