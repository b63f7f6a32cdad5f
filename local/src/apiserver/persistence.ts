// Persistence to a folder: a snapshot (`state.json`, replaced by write-to-temp + fsync + atomic
// rename) plus a write-ahead log (`wal.jsonl`, one committed change per line, appended and
// fsynced before the change is acknowledged). On start the snapshot is loaded, the log replayed
// (a torn last line is ignored), and a fresh snapshot written. resourceVersions continue from
// the highest one seen, so they never go backwards across restarts.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredRef } from './store.js';
import type { KObject, StoreEvent } from './types.js';

interface Snapshot { version: 1; resourceVersion: number; objects: StoredRef[] }
interface WalLine { rv: number; type: StoreEvent['type']; storageKey: string; object: KObject }

export interface Loaded { objects: StoredRef[]; resourceVersion: number }

export class Persistence {
  private wal: number | undefined;
  private walLines = 0;

  constructor(private readonly dir: string, private readonly snapshotEvery = 2000, private readonly fsync = true) {
    mkdirSync(dir, { recursive: true });
  }

  private get snapshotPath(): string { return join(this.dir, 'state.json'); }
  private get walPath(): string { return join(this.dir, 'wal.jsonl'); }

  load(): Loaded {
    const objects = new Map<string, StoredRef>();
    let rv = 0;
    if (existsSync(this.snapshotPath)) {
      const snap = JSON.parse(readFileSync(this.snapshotPath, 'utf8')) as Snapshot;
      rv = snap.resourceVersion;
      for (const ref of snap.objects) objects.set(refKey(ref.storageKey, ref.object), ref);
    }
    if (existsSync(this.walPath)) {
      for (const line of readFileSync(this.walPath, 'utf8').split('\n')) {
        const entry = parseLine(line);
        if (!entry || entry.rv <= rv) continue;
        const key = refKey(entry.storageKey, entry.object);
        if (entry.type === 'DELETED') objects.delete(key);
        else objects.set(key, { storageKey: entry.storageKey, object: entry.object });
        rv = entry.rv;
      }
    }
    return { objects: [...objects.values()], resourceVersion: rv };
  }

  /** Replace the snapshot with the given state and start an empty log. */
  snapshot(objects: StoredRef[], rv: number): void {
    const tmp = `${this.snapshotPath}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, JSON.stringify({ version: 1, resourceVersion: rv, objects } satisfies Snapshot));
    if (this.fsync) fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.snapshotPath);
    if (this.wal !== undefined) closeSync(this.wal);
    this.wal = openSync(this.walPath, 'w');
    this.walLines = 0;
  }

  /** Append one committed change; true when the caller should take a snapshot now. */
  append(e: StoreEvent): boolean {
    if (this.wal === undefined) this.wal = openSync(this.walPath, 'a');
    const line: WalLine = { rv: e.rv, type: e.type, storageKey: e.storageKey, object: e.object };
    writeSync(this.wal, `${JSON.stringify(line)}\n`);
    if (this.fsync) fsyncSync(this.wal);
    return ++this.walLines >= this.snapshotEvery;
  }

  close(): void {
    if (this.wal !== undefined) closeSync(this.wal);
    this.wal = undefined;
  }
}

function refKey(storageKey: string, o: KObject): string {
  return `${storageKey}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
}

function parseLine(line: string): WalLine | undefined {
  if (!line.trim()) return undefined;
  try {
    return JSON.parse(line) as WalLine;
  } catch {
    return undefined; // a torn final line from a crash mid-append
  }
}
