// Replicated writes of one shard's records: sent to every replica at once (this pod's own
// directly, the others by RPC), answered per record as soon as the consistency level is met, or
// once every replica has answered when it is not (so the error lists them all). Replicas that
// missed records they should hold (down by gossip, failed, timed out) get them as hints, written
// after the last replica answered; records no replica took are not hinted (the write failed,
// and nobody acknowledged it).
import type { ConsistencyLevel, ObjectRecord } from '../../objects/types.js';
import type { ApplyResult } from '../../shards/types.js';
import type { Logger } from '../../log.js';
import { failureReason } from '../../rpc/errors.js';
import type { ShardRef } from '../../rpc/replica/ops.js';
import type { ReplicaAccess } from './access.js';
import { ackError, requiredAcks, verdict, type ReplicaAnswer } from './consistency.js';
import type { HintStore } from './hints/store.js';
import type { DistributedMetrics } from './metrics.js';
import { isDown } from './replicas.js';

/** Per record: acknowledged at the level, or why not (`refused`: a replica rejected the record itself). */
export type RecordOutcome = { ok: true } | { ok: false; error: string; refused: boolean };

export interface ShardWrite {
  ref: ShardRef;
  /** Pods holding the shard, from the placement. */
  replicas: readonly string[];
  replicationFactor: number;
  records: ObjectRecord[];
}

interface ReplicaState {
  pod: string;
  done: boolean;
  /** Whole-batch failure: down, timeout, connection... */
  failure?: string;
  results?: ApplyResult[];
}

export class ReplicatedWriter {
  /** Sends and hint writes still running after their request was answered. */
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly access: ReplicaAccess,
    private readonly hints: HintStore,
    private readonly metrics: DistributedMetrics,
    private readonly log: Logger,
  ) {}

  write(w: ShardWrite, level: ConsistencyLevel): Promise<RecordOutcome[]> {
    const required = requiredAcks(level, Math.max(w.replicationFactor, w.replicas.length));
    const states: ReplicaState[] = w.replicas.map((pod) => ({ pod, done: false }));
    return new Promise((resolve) => {
      let answered = false;
      const check = () => {
        if (answered) return;
        const all = states.every((s) => s.done);
        if (!all && !allMet(w.records.length, states, required)) return;
        answered = true;
        resolve(this.outcomes(w, states, required));
      };
      const sends = states.map((s) => this.send(w, s).then(check));
      check();
      const rest = Promise.all(sends).then(() => this.hintMissed(w, states));
      this.background.add(rest);
      void rest.finally(() => this.background.delete(rest));
    });
  }

  /** Resolves once every send and hint of earlier writes has finished. */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.all(this.background);
  }

  private async send(w: ShardWrite, s: ReplicaState): Promise<void> {
    if (s.pod !== this.access.self && isDown(this.access.peers.state(s.pod))) {
      s.failure = 'down';
    } else {
      try {
        s.results = await this.access.call(s.pod, (ops) => ops.apply(w.ref, w.records));
      } catch (e) {
        s.failure = failureReason(e);
      }
    }
    s.done = true;
  }

  private outcomes(w: ShardWrite, states: readonly ReplicaState[], required: number): RecordOutcome[] {
    const counts = { ok: 0, failed: 0, invalid: 0 };
    const out = w.records.map((_, i): RecordOutcome => {
      const answers = answersFor(states, i);
      const v = verdict(answers, required);
      if (v.ok) {
        counts.ok++;
        return { ok: true };
      }
      // A record a replica refused (malformed) is refused everywhere: say why, not how many acks.
      const refused = states.find((s) => s.results && 'error' in s.results[i]);
      if (refused) {
        counts.invalid++;
        return { ok: false, error: (refused.results![i] as { error: string }).error, refused: true };
      }
      counts.failed++;
      return { ok: false, error: ackError(w.ref.shard, v, answers), refused: false };
    });
    for (const [outcome, n] of Object.entries(counts)) if (n > 0) this.metrics.writes.inc({ outcome }, n);
    return out;
  }

  /** Hint records that some replica took to the replicas that did not get them. */
  private async hintMissed(w: ShardWrite, states: readonly ReplicaState[]): Promise<void> {
    const acked = w.records.map((_, i) => states.some((s) => s.results && !('error' in s.results[i])));
    for (const s of states) {
      if (!s.failure) continue;
      const missed = w.records.filter((_, i) => acked[i]);
      if (missed.length === 0) continue;
      try {
        await this.hints.add(s.pod, w.ref, missed);
        this.metrics.hints.inc({ event: 'stored' }, missed.length);
      } catch (e) {
        this.log.error('could not store hints; anti-entropy will repair the replica', { target: s.pod, shard: w.ref.shard, records: missed.length, error: e as Error });
      }
    }
  }
}

function answersFor(states: readonly ReplicaState[], i: number): ReplicaAnswer[] {
  return states.map((s): ReplicaAnswer => {
    if (!s.done) return { pod: s.pod, ok: false, reason: 'no answer yet' };
    if (s.failure) return { pod: s.pod, ok: false, reason: s.failure };
    const r = s.results![i];
    return 'error' in r ? { pod: s.pod, ok: false, reason: 'refused' } : { pod: s.pod, ok: true };
  });
}

/** True when every record already has `required` acknowledgements. */
function allMet(count: number, states: readonly ReplicaState[], required: number): boolean {
  for (let i = 0; i < count; i++) {
    let acks = 0;
    for (const s of states) if (s.results && !('error' in s.results[i])) acks++;
    if (acks < required) return false;
  }
  return true;
}
