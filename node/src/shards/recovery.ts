// Bringing a shard's index back when the shard opens: load the latest snapshot and replay the
// changes committed after it, or, when the snapshot is missing, corrupt or does not match the
// store, rebuild the index from the store's vectors.
//
// Both paths read the store inside one LMDB read transaction, so they see one consistent state
// as of change `baseSeq`; writes that commit meanwhile reach the worker as live ops, which it
// holds until `ready(baseSeq)` and then applies, skipping those at or before baseSeq. Loading
// requests set labels to vectors and mark labels deleted, so applying them over a newer state
// than they were read from still converges.
import type { Transaction } from 'lmdb';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { ShardIndexClient } from './index-client.js';
import { readSnapshotMeta, snapshotMismatch, type SnapshotMeta } from './snapshot.js';
import type { ShardStore } from './store.js';
import { vectorFromBytes } from './records.js';

const CHUNK = 1000;
/** Chunks in flight to the worker during a rebuild: enough to keep it busy, few enough to bound memory. */
const WINDOW = 3;

export type RecoveryMode = 'snapshot' | 'rebuild';

export interface RecoveryResult {
  mode: RecoveryMode;
  /** Why the index was rebuilt ('missing', 'corrupt', 'mismatch'), or 'snapshot'. */
  reason: string;
  baseSeq: number;
  /** Index elements set or removed while recovering. */
  replayed: number;
  /** Seconds spent verifying and reading the snapshot (0 for a rebuild). */
  loadSeconds: number;
  /** Seconds spent replaying changes or rebuilding. */
  replaySeconds: number;
}

export interface RecoveryContext {
  dir: string;
  store: ShardStore;
  index: ShardIndexClient;
  log: Logger;
  onProgress: (fraction: number) => void;
  /** Throws if loading should stop (the shard is being closed). */
  checkOpen: () => void;
}

export async function recoverIndex(ctx: RecoveryContext): Promise<RecoveryResult> {
  const started = performance.now();
  const found = await loadSnapshot(ctx);
  const loadSeconds = (performance.now() - started) / 1000;
  if ('meta' in found) {
    const { baseSeq, replayed } = await replayAfter(ctx, found.meta.seq);
    await ctx.index.ready(baseSeq);
    return { mode: 'snapshot', reason: 'snapshot', baseSeq, replayed, loadSeconds, replaySeconds: secondsSince(started) - loadSeconds };
  }
  const empty = ctx.store.readMeta().lastSeq === 0;
  if (empty) ctx.log.info('new shard: empty index');
  else ctx.log.warn('rebuilding index from the store', { reason: found.reason, detail: found.detail });
  await ctx.index.reset();
  const { baseSeq, replayed } = await rebuild(ctx);
  await ctx.index.ready(baseSeq);
  return { mode: 'rebuild', reason: empty ? 'new' : found.reason, baseSeq, replayed, loadSeconds: 0, replaySeconds: secondsSince(started) - loadSeconds };
}

function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}

type Loaded = { meta: SnapshotMeta } | { reason: string; detail: string };

async function loadSnapshot(ctx: RecoveryContext): Promise<Loaded> {
  const lookup = readSnapshotMeta(ctx.dir);
  if (!('meta' in lookup)) return { reason: lookup.problem, detail: lookup.detail };
  const meta = lookup.meta;
  const storeMeta = ctx.store.readMeta();
  const { space, m, efConstruction } = ctx.index.params;
  const mismatch = snapshotMismatch(meta, {
    ...storeMeta,
    space,
    m,
    efConstruction,
    hasChangesAfter: (seq) => seq === storeMeta.lastSeq || ctx.store.changes.get(seq + 1) !== undefined,
  });
  if (mismatch) return { reason: 'mismatch', detail: mismatch };
  try {
    await ctx.index.load(join(ctx.dir, meta.file), meta.checksum, meta.bytes, meta.dimensions);
  } catch (err) {
    return { reason: 'corrupt', detail: (err as Error).message };
  }
  ctx.log.info('index snapshot loaded', { file: meta.file, seq: meta.seq, count: meta.count });
  return { meta };
}

/** Bring a loaded snapshot up to date: the final state of every label a later change touched. */
async function replayAfter(ctx: RecoveryContext, seq: number): Promise<{ baseSeq: number; replayed: number }> {
  return withReadTxn(ctx.store, async (txn) => {
    const baseSeq = ctx.store.readMeta(txn).lastSeq;
    const touched = new Set<number>();
    for (const { value } of ctx.store.changes.getRange({ start: seq + 1, transaction: txn })) {
      if (value[1] >= 0) touched.add(value[1]);
      if (value[2] >= 0) touched.add(value[2]);
    }
    const labels = [...touched];
    let done = 0;
    for (let i = 0; i < labels.length; i += CHUNK) {
      ctx.checkOpen();
      await applyFinalState(ctx, txn, labels.slice(i, i + CHUNK));
      done = Math.min(labels.length, i + CHUNK);
      ctx.onProgress(done / labels.length);
    }
    ctx.log.info('index replayed changes after snapshot', { fromSeq: seq, toSeq: baseSeq, labels: labels.length });
    return { baseSeq, replayed: labels.length };
  });
}

async function applyFinalState(ctx: RecoveryContext, txn: Transaction, labels: number[]): Promise<void> {
  const setLabels: number[] = [];
  const vectors: Float32Array[] = [];
  const removed: number[] = [];
  for (const label of labels) {
    const bytes = ctx.store.labels.get(label, { transaction: txn }) !== undefined ? ctx.store.vectors.get(label, { transaction: txn }) : undefined;
    if (bytes) {
      setLabels.push(label);
      vectors.push(vectorFromBytes(bytes));
    } else removed.push(label);
  }
  if (removed.length > 0) await ctx.index.remove(removed);
  if (setLabels.length > 0) await ctx.index.put(setLabels, vectors, vectors[0].length);
}

/** Insert every stored vector, in label order, with a few chunks in flight. */
async function rebuild(ctx: RecoveryContext): Promise<{ baseSeq: number; replayed: number }> {
  return withReadTxn(ctx.store, async (txn) => {
    const meta = ctx.store.readMeta(txn);
    const total = ctx.store.vectors.getCount({ transaction: txn });
    const inFlight: Array<Promise<unknown>> = [];
    let labels: number[] = [];
    let vectors: Float32Array[] = [];
    let sent = 0;
    let acked = 0;
    const flush = async () => {
      const n = labels.length;
      const put = ctx.index.put(labels, vectors, vectors[0].length, total).then(() => ctx.onProgress((acked += n) / total));
      put.catch(() => undefined); // awaited below; must not count as unhandled while it waits in the window
      inFlight.push(put);
      sent += n;
      labels = [];
      vectors = [];
      if (inFlight.length >= WINDOW) await inFlight.shift();
    };
    for (const { key, value } of ctx.store.vectors.getRange({ transaction: txn })) {
      labels.push(key);
      vectors.push(vectorFromBytes(value));
      if (labels.length >= CHUNK) {
        ctx.checkOpen();
        await flush();
      }
    }
    if (labels.length > 0) await flush();
    await Promise.all(inFlight);
    if (sent > 0) ctx.log.info('index rebuilt from the store', { vectors: sent, seq: meta.lastSeq });
    return { baseSeq: meta.lastSeq, replayed: sent };
  });
}

async function withReadTxn<T>(store: ShardStore, fn: (txn: Transaction) => Promise<T>): Promise<T> {
  const txn = store.root.useReadTransaction();
  try {
    return await fn(txn);
  } finally {
    txn.done();
  }
}
