// What this pod knows about the other pods: gossip state and data address (from membership),
// whether they said they are ready, how fast they answered lately and whether a call to them
// just failed. Kept as a cache refreshed on membership events, so the request path reads a map
// instead of decoding every member's metadata per request.
import type { MemberState } from '../../membership/types.js';
import type { Peer } from '../../rpc/client.js';
import type { ReplicaCandidate } from './replicas.js';

/** The part of a member the coordinator reads. */
export interface MemberLike {
  name: string;
  state: MemberState;
  meta: { dataAddr?: string; ready?: string; [key: string]: string | undefined };
}

export type MemberEvent = 'join' | 'update' | 'suspect' | 'alive' | 'dead' | 'left';

/** The part of Membership the coordinator uses (the real one, or a fake in tests). */
export interface MembershipLike {
  members(): MemberLike[];
  on(event: MemberEvent, listener: (member: MemberLike) => void): unknown;
  off?(event: MemberEvent, listener: (member: MemberLike) => void): unknown;
  updateMeta?(partial: Record<string, string | undefined>): void;
}

/** Metadata key a pod sets to "1" once its shards are loaded ("0" while loading). */
export const READY_META = 'ready';

const EVENTS: MemberEvent[] = ['join', 'update', 'suspect', 'alive', 'dead', 'left'];
/** Weight of the newest sample in the latency average. */
const EWMA_WEIGHT = 0.2;

export class PeerDirectory {
  private byName = new Map<string, MemberLike>();
  private readonly latencyMs = new Map<string, number>();
  private readonly failedAt = new Map<string, number>();
  private readonly listener = () => this.refresh();

  constructor(
    private readonly membership: MembershipLike,
    readonly self: string,
    private readonly failureMemoryMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.refresh();
    for (const e of EVENTS) membership.on(e, this.listener);
  }

  close(): void {
    for (const e of EVENTS) this.membership.off?.(e, this.listener);
  }

  refresh(): void {
    this.byName = new Map(this.membership.members().map((m) => [m.name, m]));
  }

  state(pod: string): MemberState | 'unknown' {
    if (pod === this.self) return 'alive';
    return this.byName.get(pod)?.state ?? 'unknown';
  }

  /** Pods gossip knows about (ourselves included), by name. */
  names(): string[] {
    return [...new Set([this.self, ...this.byName.keys()])].sort();
  }

  /** The RPC address of a pod, if gossip told us one. */
  peer(pod: string): Peer | undefined {
    const addr = this.byName.get(pod)?.meta.dataAddr;
    return addr ? { name: pod, addr } : undefined;
  }

  /** A pod's gossip metadata, if gossip knows it. */
  meta(pod: string): MemberLike['meta'] | undefined {
    return this.byName.get(pod)?.meta;
  }

  /** A pod is ready unless it said otherwise (pods that publish nothing count as ready). */
  ready(pod: string): boolean {
    return this.byName.get(pod)?.meta[READY_META] !== '0';
  }

  observe(pod: string, ms: number): void {
    const prev = this.latencyMs.get(pod);
    this.latencyMs.set(pod, prev === undefined ? ms : prev + EWMA_WEIGHT * (ms - prev));
    this.failedAt.delete(pod);
  }

  failed(pod: string): void {
    this.failedAt.set(pod, this.now());
  }

  candidate(pod: string, localReady: boolean): ReplicaCandidate {
    const local = pod === this.self;
    const failed = this.failedAt.get(pod);
    return {
      pod, local,
      state: this.state(pod),
      ready: local ? localReady : this.ready(pod),
      recentlyFailed: failed !== undefined && this.now() - failed < this.failureMemoryMs,
      latencyMs: local ? 0 : this.latencyMs.get(pod),
    };
  }
}
