// Worker thread entry: holds the HNSW indexes of the shards assigned to it.
//
// Scheduling, in this order of priority:
// 1. Searches, as soon as they arrive (run in the message callback): they only read the index, so
//    they may run between any two mutations and while a snapshot is being written.
// 2. Each shard's control requests (load, rebuild chunks, ready, snapshot, close), in order.
// 3. Each shard's live ops, in change-sequence order, once the shard is ready.
// Mutations run in slices of a few milliseconds with a yield in between. A slice also ends right
// after the current insert when the shared control block says searches are on their way, so a
// search that arrives during a large import waits for one addPoint (~0.15 ms), not a whole slice.
// While a shard's index is being read or written asynchronously (readIndex/writeIndex on the libuv
// pool), none of its mutations run.
import { parentPort, workerData } from 'node:worker_threads';
import { fileChecksum, fsyncFile } from './file-checksum.js';
import { HnswShardIndex } from './hnsw-index.js';
import { StoredVectors } from './stored-vectors.js';
import {
  CONTROL_PENDING_SEARCHES, CONTROL_SLOTS,
  type IndexEnvelope, type IndexReply, type IndexRequest, type IndexState, type IndexWorkerData, type OpsBatch,
  type SearchReply, type SnapshotReply, type VectorBatch,
} from './index-protocol.js';

const data = workerData as IndexWorkerData | undefined;
/** A slice yields to the event loop this often even when no search is waiting (timers, async I/O, other shards). */
const SLICE_MS = data?.sliceMs ?? 4;

interface Task {
  id: number;
  req: IndexRequest;
  /** Progress through a batch that is applied over several slices. */
  cursor: number;
  /** Offset of the next vector in an ops batch. */
  vectorOffset: number;
}

interface ShardState {
  index: HnswShardIndex;
  stored: StoredVectors;
  appliedSeq: number;
  baseSeq: number;
  ready: boolean;
  /** An async read or write of the index is running. */
  busy: boolean;
  control: Task[];
  ops: Task[];
}

const shards = new Map<string, ShardState>();
let scheduled = false;
let roundRobin = 0;

const port = parentPort;
if (!port) throw new Error('index-worker must run in a worker thread');

const control = new Int32Array(data?.control ?? new SharedArrayBuffer(CONTROL_SLOTS * 4));
/** True when the main thread has sent searches this thread has not received yet. */
function searchesWaiting(): boolean {
  return Atomics.load(control, CONTROL_PENDING_SEARCHES) > 0;
}

/** After each write: true when the slice should end (a search for this worker is on its way, or time is up). */
function endSlice(deadline: number): boolean {
  return searchesWaiting() || performance.now() > deadline;
}

port.on('message', (msg: IndexEnvelope) => {
  const task: Task = { id: msg.id, req: msg.req, cursor: 0, vectorOffset: 0 };
  if (msg.req.t === 'search') {
    Atomics.sub(control, CONTROL_PENDING_SEARCHES, 1);
    return runSearch(task);
  }
  if (msg.req.t === 'open') return openShard(task);
  const shard = shards.get(msg.req.shard);
  if (!shard) return reply(task, new Error(`shard ${msg.req.shard} is not open on this worker`));
  if (msg.req.t === 'ops') shard.ops.push(task);
  else shard.control.push(task);
  schedule();
});

function openShard(task: Task): void {
  const req = task.req as Extract<IndexRequest, { t: 'open' }>;
  if (!shards.has(req.shard)) {
    const stored = new StoredVectors(req.storePath);
    shards.set(req.shard, { index: new HnswShardIndex(req.params, stored), stored, appliedSeq: 0, baseSeq: 0, ready: false, busy: false, control: [], ops: [] });
  }
  reply(task, undefined, {});
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(runSlice);
}

function runSlice(): void {
  scheduled = false;
  runMutationSlice();
  if ([...shards.values()].some(hasRunnableWork)) schedule();
}

function hasRunnableWork(s: ShardState): boolean {
  return !s.busy && (s.control.length > 0 || (s.ready && s.ops.length > 0));
}

/** One slice of work for the next shard (round robin) that can make progress. */
function runMutationSlice(): void {
  const list = [...shards.values()];
  for (let i = 0; i < list.length; i++) {
    const shard = list[(roundRobin + i) % list.length];
    if (!hasRunnableWork(shard)) continue;
    roundRobin = (roundRobin + i + 1) % list.length;
    if (shard.control.length > 0) runControl(shard, shard.control[0]);
    else runOps(shard, shard.ops[0]);
    return;
  }
}

function runSearch(task: Task): void {
  const req = task.req as Extract<IndexRequest, { t: 'search' }>;
  const shard = shards.get(req.shard);
  if (!shard) return reply(task, new Error(`shard ${req.shard} was closed`));
  if (!shard.ready) return reply(task, new Error(`shard ${req.shard} is still loading`));
  try {
    const hits = shard.index.search(req.query, req.k, req.ef, req.strategy, req.allowed);
    const value: SearchReply = { labels: hits.labels, distances: hits.distances, strategy: hits.strategy, appliedSeq: shard.appliedSeq, count: shard.index.count };
    reply(task, undefined, value);
  } catch (err) {
    reply(task, err);
  }
}

function runControl(shard: ShardState, task: Task): void {
  const req = task.req;
  try {
    switch (req.t) {
      case 'put':
        if (putSlice(shard, task, req.batch, req.expectedCount)) done(shard.control, task, stateOf(shard));
        return;
      case 'remove':
        for (const label of req.labels) shard.index.remove(label);
        return done(shard.control, task, stateOf(shard));
      case 'reset':
        shard.index.reset();
        shard.ready = false;
        return done(shard.control, task, stateOf(shard));
      case 'ready':
        shard.ready = true;
        shard.baseSeq = shard.appliedSeq = Math.max(shard.appliedSeq, req.baseSeq);
        return done(shard.control, task, stateOf(shard));
      case 'close':
        shards.delete(req.shard);
        for (const t of [...shard.ops, ...shard.control.slice(1)]) reply(t, new Error(`shard ${req.shard} closed`));
        // The store must be closed here before the main thread deletes a dropped shard's files.
        return void shard.stored.close().then(() => reply(task, undefined, {}), (err) => reply(task, err));
      case 'load':
        return startAsync(shard, task, () => loadSnapshot(shard, req));
      case 'snapshot':
        return startAsync(shard, task, (release) => writeSnapshot(shard, req.path, release));
      default:
        throw new Error(`unexpected control request ${req.t}`);
    }
  } catch (err) {
    shard.control.shift();
    reply(task, err);
  }
}

/** Apply a slice of a loading batch; true when the batch is complete. */
function putSlice(shard: ShardState, task: Task, batch: VectorBatch, expectedCount: number): boolean {
  if (task.cursor === 0) shard.index.reserve(Math.max(batch.labels.length, expectedCount - shard.index.count), batch.dimensions);
  const deadline = performance.now() + SLICE_MS;
  const d = batch.dimensions;
  while (task.cursor < batch.labels.length) {
    const i = task.cursor++;
    shard.index.set(batch.labels[i], batch.vectors.subarray(i * d, (i + 1) * d));
    if (endSlice(deadline)) break;
  }
  return task.cursor >= batch.labels.length;
}

function runOps(shard: ShardState, task: Task): void {
  const batch = (task.req as Extract<IndexRequest, { t: 'ops' }>).batch;
  try {
    if (opsSlice(shard, task, batch)) done(shard.ops, task, stateOf(shard));
  } catch (err) {
    shard.ops.shift();
    reply(task, err);
  }
}

/** Apply live ops in sequence order, skipping those the loaded or rebuilt index already reflects. */
function opsSlice(shard: ShardState, task: Task, batch: OpsBatch): boolean {
  const deadline = performance.now() + SLICE_MS;
  const d = batch.dimensions;
  while (task.cursor < batch.seqs.length) {
    const i = task.cursor++;
    const add = batch.adds[i];
    const vector = add >= 0 ? batch.vectors.subarray(task.vectorOffset, (task.vectorOffset += d)) : undefined;
    if (batch.seqs[i] <= shard.baseSeq) continue;
    if (batch.dels[i] >= 0) shard.index.remove(batch.dels[i]);
    if (vector) shard.index.set(add, vector);
    shard.appliedSeq = batch.seqs[i];
    if (endSlice(deadline)) break;
  }
  return task.cursor >= batch.seqs.length;
}

/**
 * Run an async read or write of the index; the shard's mutations and control requests wait until
 * `release` is called (by the task itself as soon as it no longer needs the index, else when it settles).
 */
function startAsync(shard: ShardState, task: Task, fn: (release: () => void) => Promise<unknown>): void {
  shard.control.shift();
  shard.busy = true;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    shard.busy = false;
    schedule();
  };
  fn(release).then(
    (value) => {
      release();
      reply(task, undefined, value);
    },
    (err) => {
      release();
      reply(task, err);
    },
  );
}

async function loadSnapshot(shard: ShardState, req: Extract<IndexRequest, { t: 'load' }>): Promise<IndexState> {
  const { checksum, bytes } = await fileChecksum(req.path);
  if (bytes !== req.bytes || checksum !== req.checksum) {
    throw new Error(`snapshot ${req.path} is corrupt: expected ${req.bytes} bytes with crc32 ${req.checksum}, found ${bytes} bytes with crc32 ${checksum}`);
  }
  shard.index.reset();
  await shard.index.load(req.path, req.dimensions);
  return stateOf(shard);
}

async function writeSnapshot(shard: ShardState, path: string, release: () => void): Promise<SnapshotReply> {
  const seq = shard.appliedSeq;
  const count = shard.index.count;
  try {
    await shard.index.write(path);
  } finally {
    // The file is complete: mutations may run again while we fsync and checksum it.
    release();
  }
  await fsyncFile(path);
  const { checksum, bytes } = await fileChecksum(path);
  return { seq, count, appliedSeq: seq, checksum, bytes };
}

function stateOf(shard: ShardState): IndexState {
  return { appliedSeq: shard.appliedSeq, count: shard.index.count };
}

function done(queue: Task[], task: Task, value: unknown): void {
  if (queue[0] === task) queue.shift();
  reply(task, undefined, value);
}

function reply(task: Task, err: unknown, value?: unknown, transfer: ArrayBuffer[] = []): void {
  const msg: IndexReply = err === undefined ? { id: task.id, ok: true, value } : { id: task.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  port!.postMessage(msg, transfer);
}
