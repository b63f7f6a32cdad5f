// Which replica to ask first. Pure: the caller gathers what it knows about each replica (gossip
// state, readiness, observed latency, recent failures) and gets back an order to try them in.
//
// Order, most important first:
//   1. ready before not ready (a loading replica cannot search; reads of it may be incomplete)
//   2. not recently failed before recently failed (do not keep knocking on a door that just
//      failed, but do not give up on it either)
//   3. gossip alive before suspect before unknown; dead and left ones come last, as a last
//      resort when nothing else is left (gossip may be behind, and a refused connection is cheap)
//   4. this pod's own replica before others (no network hop)
//   5. lower observed latency first (unmeasured counts as average)
import type { MemberState } from '../../membership/types.js';

export interface ReplicaCandidate {
  pod: string;
  local: boolean;
  state: MemberState | 'unknown';
  ready: boolean;
  recentlyFailed: boolean;
  /** Smoothed latency of recent calls, undefined when never measured. */
  latencyMs: number | undefined;
}

const STATE_RANK: Record<MemberState | 'unknown', number> = { alive: 0, suspect: 1, unknown: 2, dead: 3, left: 3 };

export function isDown(state: MemberState | 'unknown'): boolean {
  return state === 'dead' || state === 'left';
}

export function readOrder(candidates: readonly ReplicaCandidate[]): string[] {
  const measured = candidates.filter((c) => c.latencyMs !== undefined);
  const average = measured.length ? measured.reduce((s, c) => s + (c.latencyMs as number), 0) / measured.length : 0;
  const key = (c: ReplicaCandidate): number[] => [
    isDown(c.state) ? 1 : 0,
    c.ready ? 0 : 1,
    c.recentlyFailed ? 1 : 0,
    STATE_RANK[c.state],
    c.local ? 0 : 1,
    c.latencyMs ?? average,
  ];
  return [...candidates]
    .map((c) => ({ c, k: key(c) }))
    .sort((a, b) => {
      for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i] - b.k[i];
      return a.c.pod < b.c.pod ? -1 : a.c.pod > b.c.pod ? 1 : 0;
    })
    .map(({ c }) => c.pod);
}
