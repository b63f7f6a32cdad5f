// Who to probe in which round: a shuffled round-robin that every member computes the same way.
//
// memberlist gives each member its own shuffled list, so the moments at which a crashed member
// is probed by the others are independent: the first probe comes after ~1 interval on
// average but after 4.6 intervals at p99, and confirmations trickle in the same way. That is
// most of memberlist's 12 s p99 crash-detection time.
//
// Here rounds are numbered from a shared clock (round = floor(wall time / interval); member
// clocks need only agree to within a fraction of an interval, which NTP gives) and all members
// order the live set the same way: a ring sorted by hash(name, cycle). In round r, the member
// at ring position p probes position p + 1 + (r mod (M - 1)). Within a cycle of M - 1 rounds
// each member probes every other member exactly once (round-robin), and - the point - in
// every round each member is probed by exactly one member. A crash is therefore probed within
// one interval and confirmed by a different prober in each following interval. The ring is
// reshuffled every cycle (the hash is salted with the cycle number), so who probes whom after
// whom keeps changing. Where views differ (during churn) the assignment degrades gracefully to
// an ordinary per-member shuffled round-robin.
import { hash32 } from './hash.js';
import type { MemberTable } from './members.js';

interface Ring {
  liveVersion: number;
  cycle: number;
  size: number;
  names: string[];
  selfPos: number;
}

export class ProbeSchedule {
  private ring: Ring | undefined;

  constructor(private readonly selfName: string) {}

  /** The round that contains `clockMs` (a shared, wall-aligned clock). */
  static roundAt(clockMs: number, intervalMs: number): number {
    return Math.floor(clockMs / intervalMs);
  }

  /** The member to probe in `round`, or undefined when we are alone. */
  target(round: number, table: MemberTable): string | undefined {
    const size = table.liveCount;
    if (size < 2) return undefined;
    const period = size - 1;
    const cycle = Math.floor(round / period);
    const ring = this.ringFor(cycle, table);
    if (ring.selfPos < 0) return undefined;
    const step = 1 + (round - cycle * period);
    return ring.names[(ring.selfPos + step) % ring.size];
  }

  private ringFor(cycle: number, table: MemberTable): Ring {
    const r = this.ring;
    if (r && r.cycle === cycle && r.liveVersion === table.liveVersion) return r;
    const salt = cycle >>> 0;
    const keyed = table.live().map((m) => ({ name: m.name, h: hash32(m.name, salt) }));
    keyed.sort((a, b) => a.h - b.h || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const names = keyed.map((k) => k.name);
    this.ring = { liveVersion: table.liveVersion, cycle, size: names.length, names, selfPos: names.indexOf(this.selfName) };
    return this.ring;
  }
}
