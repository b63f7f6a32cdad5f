// Consistency levels as acknowledgement counts, and the verdict on one record of a write. Pure.
//
// Counted against the class's configured replication factor, never against the replicas that
// happen to be alive: QUORUM with a factor of 3 needs 2 acknowledgements even while one pod is
// down, so a write acknowledged at QUORUM is on a majority of the replicas that should hold it,
// and a QUORUM read always overlaps it.
import type { ConsistencyLevel } from '../../objects/types.js';

export function requiredAcks(level: ConsistencyLevel, replicationFactor: number): number {
  const rf = Math.max(1, replicationFactor);
  switch (level) {
    case 'ONE': return 1;
    case 'QUORUM': return Math.floor(rf / 2) + 1;
    case 'ALL': return rf;
  }
}

/** What one replica said about one record. */
export type ReplicaAnswer =
  | { pod: string; ok: true }
  | { pod: string; ok: false; reason: string };

export interface Verdict {
  ok: boolean;
  acks: number;
  required: number;
}

export function verdict(answers: readonly ReplicaAnswer[], required: number): Verdict {
  const acks = answers.reduce((n, a) => n + (a.ok ? 1 : 0), 0);
  return { ok: acks >= required, acks, required };
}

/**
 * The error of a write that missed its level, naming the shard, the count and every replica:
 * "shard Xyz: 1 of 2 required acknowledgements (pod-1 ok, pod-2 timeout)".
 */
export function ackError(shard: string, v: Verdict, answers: readonly ReplicaAnswer[]): string {
  const parts = [...answers].sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0)).map((a) => (a.ok ? `${a.pod} ok` : `${a.pod} ${a.reason}`));
  return `shard ${shard}: ${v.acks} of ${v.required} required acknowledgements (${parts.join(', ')})`;
}
