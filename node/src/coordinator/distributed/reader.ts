// Reads of one shard: ask replicas in read order until one answers (queries, lists, counts,
// gets at ONE), or ask as many as the consistency level needs and repair the stale ones (gets
// at QUORUM and ALL). A failed replica is retried on the next one and counted; when none
// answers, the error names the shard and why each replica failed: a read never silently skips
// a shard.
import { supersedes, type ConsistencyLevel, type ObjectRecord } from '../../objects/types.js';
import type { HybridClock } from '../../objects/hlc.js';
import type { Logger } from '../../log.js';
import { RpcError, failureReason, toLocalError } from '../../rpc/errors.js';
import type { ReplicaOps, ShardRef } from '../../rpc/replica/ops.js';
import { ShoalError, unavailable } from '../errors.js';
import type { ReplicaAccess } from './access.js';
import { requiredAcks } from './consistency.js';
import type { DistributedMetrics } from './metrics.js';

/** A failure that another replica would answer the same way: do not retry it. */
function isRequestError(e: unknown): boolean {
  const kind = e instanceof RpcError ? (e.reason === 'remote' ? e.remoteKind : undefined) : e instanceof ShoalError ? e.kind : undefined;
  return kind === 'invalid' || kind === 'not-found' || kind === 'conflict';
}

export class ShardReader {
  constructor(
    private readonly access: ReplicaAccess,
    private readonly clock: HybridClock,
    private readonly metrics: DistributedMetrics,
    private readonly log: Logger,
  ) {}

  /** The answer of the first replica that gives one. */
  async first<T>(ref: ShardRef, replicas: readonly string[], fn: (ops: ReplicaOps) => Promise<T>): Promise<T> {
    const failures: string[] = [];
    for (const pod of this.access.readOrder(ref, replicas)) {
      if (failures.length > 0) this.metrics.queryRetries.inc();
      try {
        return await this.access.call(pod, fn);
      } catch (e) {
        if (isRequestError(e)) throw e instanceof RpcError ? toLocalError(e) : e;
        failures.push(`${pod} ${failureReason(e)}`);
        this.log.debug('replica read failed', { class: ref.class, shard: ref.shard, pod, error: e as Error });
      }
    }
    throw unavailable(`shard ${ref.shard} of class ${ref.class}: no replica answered (${failures.join(', ') || 'no replicas placed'}); retry shortly`);
  }

  /**
   * The newest record of each id among `required(level)` replicas, repairing the replicas that
   * answered with an older copy or none (asynchronously; the answer does not wait for it).
   */
  async getAtLevel(ref: ShardRef, replicas: readonly string[], replicationFactor: number, level: ConsistencyLevel, ids: string[]): Promise<Array<ObjectRecord | null>> {
    if (level === 'ONE') return this.observed(await this.first(ref, replicas, (ops) => ops.get(ref, ids)));
    const required = Math.min(requiredAcks(level, Math.max(replicationFactor, replicas.length)), replicas.length);
    const answers = new Map<string, Array<ObjectRecord | null>>();
    const failures: string[] = [];
    const order = this.access.readOrder(ref, replicas);
    let next = 0;
    // Ask `required` replicas at once; each failure brings in the next one in read order.
    const ask = async (): Promise<void> => {
      while (answers.size < required && next < order.length) {
        const pod = order[next++];
        try {
          answers.set(pod, await this.access.call(pod, (ops) => ops.get(ref, ids)));
        } catch (e) {
          if (isRequestError(e)) throw e instanceof RpcError ? toLocalError(e) : e;
          failures.push(`${pod} ${failureReason(e)}`);
          this.metrics.queryRetries.inc();
        }
      }
    };
    await Promise.all(Array.from({ length: required }, ask));
    if (answers.size < required)
      throw unavailable(`shard ${ref.shard} of class ${ref.class}: ${answers.size} of ${required} replicas answered a ${level} read (${failures.join(', ')}); retry, or read at a lower consistency level`);
    const newest = ids.map((_, i) => newestOf([...answers.values()].map((a) => a[i])));
    this.repair(ref, answers, newest);
    return this.observed(newest);
  }

  /** Write the newest copy back to replicas that answered with an older one or none. */
  private repair(ref: ShardRef, answers: ReadonlyMap<string, Array<ObjectRecord | null>>, newest: Array<ObjectRecord | null>): void {
    for (const [pod, records] of answers) {
      const stale = newest.filter((n, i): n is ObjectRecord => n !== null && (records[i] === null || supersedes(n, records[i]!)));
      if (stale.length === 0) continue;
      this.access.call(pod, (ops) => ops.apply(ref, stale)).then(
        () => this.metrics.readRepairs.inc({ outcome: 'ok' }, stale.length),
        (e) => {
          this.metrics.readRepairs.inc({ outcome: 'error' }, stale.length);
          this.log.info('read repair failed; anti-entropy will retry', { pod, shard: ref.shard, error: e as Error });
        },
      );
    }
  }

  private observed(records: Array<ObjectRecord | null>): Array<ObjectRecord | null> {
    for (const r of records) if (r) this.clock.observe(r.version);
    return records;
  }
}

export function newestOf(copies: ReadonlyArray<ObjectRecord | null>): ObjectRecord | null {
  let best: ObjectRecord | null = null;
  for (const c of copies) if (c && (!best || supersedes(c, best))) best = c;
  return best;
}
