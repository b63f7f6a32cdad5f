// One batch of writes, run inside a store transaction: last write wins against the stored record
// (tombstones included), labels are bound and freed, and every applied record gets the next
// number of the change sequence. The index operations come back to be sent to the index worker
// after the commit, in sequence order.
import { supersedes, type ObjectRecord } from '../objects/types.js';
import type { ApplyResult } from './types.js';
import type { LabelTable } from './labels.js';
import { dimensionProblem, toStored, vectorBytes, type StoredRecord } from './records.js';
import type { ShardStore } from './store.js';

/** What a write does to the index: remove `del`, add `add` with `vector` (-1 = nothing). */
export interface IndexOp {
  seq: number;
  del: number;
  add: number;
  vector: Float32Array | null;
}

/** The store's counters as this batch moves them; committed to `meta` with the batch. */
export interface WriteState {
  lastSeq: number;
  liveCount: number;
  dimensions: number | undefined;
}

export interface BatchOutcome {
  results: ApplyResult[];
  ops: IndexOp[];
}

const APPLIED: ApplyResult = { outcome: 'applied' };
const STALE: ApplyResult = { outcome: 'stale' };

/** Must run inside `store.transact`: it reads its own writes and mutates `labels` and `state`. */
export function writeBatch(store: ShardStore, labels: LabelTable, state: WriteState, records: ObjectRecord[]): BatchOutcome {
  const results: ApplyResult[] = [];
  const ops: IndexOp[] = [];
  for (const record of records) {
    const current = store.objects.get(record.id);
    if (current && !supersedes(record, current)) {
      results.push(STALE);
      continue;
    }
    const problem = record.deleted || !record.vector ? undefined : checkDimensions(state, record.vector.length);
    if (problem) {
      results.push({ error: problem });
      continue;
    }
    const op = writeOne(store, labels, state, record, current);
    results.push(APPLIED);
    if (op.del >= 0 || op.add >= 0) ops.push(op);
  }
  if (results.some((r) => r === APPLIED)) store.writeMeta({ ...state, nextLabel: labels.next });
  return { results, ops };
}

/** The first vector fixes the shard's dimensions when the class did not say. */
function checkDimensions(state: WriteState, length: number): string | undefined {
  if (state.dimensions === undefined) state.dimensions = length;
  return dimensionProblem(length, state.dimensions);
}

/** Stores `record` over `current` (which it supersedes); returns its index op (possibly empty). */
function writeOne(store: ShardStore, labels: LabelTable, state: WriteState, record: ObjectRecord, current: StoredRecord | undefined): IndexOp {
  const seq = ++state.lastSeq;
  const op: IndexOp = { seq, del: -1, add: -1, vector: null };
  const currentLabel = current && !current.deleted ? current.label : -1;
  const vector = record.deleted ? null : record.vector;
  let label = -1;
  if (vector && currentLabel >= 0 && sameVector(store, currentLabel, vector)) {
    label = currentLabel; // unchanged vector: the index already has it (an in-place update would cost ~7.5x an insert)
  } else {
    if (currentLabel >= 0) {
      op.del = currentLabel;
      labels.release(currentLabel);
      store.labels.remove(currentLabel);
      store.vectors.remove(currentLabel);
      store.free.put(currentLabel, true);
    }
    if (vector) {
      const allocated = labels.allocate(seq);
      if (allocated.reused) store.free.remove(allocated.label);
      label = op.add = allocated.label;
      op.vector = vector;
      store.labels.put(label, record.id);
      store.vectors.put(label, vectorBytes(vector));
    }
  }
  store.objects.put(record.id, toStored(record, label));
  store.changes.put(seq, [record.id, op.del, op.add]);
  state.liveCount += (record.deleted ? 0 : 1) - (current && !current.deleted ? 1 : 0);
  return op;
}

function sameVector(store: ShardStore, label: number, vector: Float32Array): boolean {
  const stored = store.vectors.getBinary(label);
  return stored !== undefined && Buffer.compare(stored, vectorBytes(vector)) === 0;
}
