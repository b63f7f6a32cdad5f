// Full-state exchange over TCP ("push-pull"): both sides send every record they hold and merge
// the other's. Gossip is fast but probabilistic; this is what makes views converge for sure.
//
// When an exchange happens:
// - join: with each seed address (the runtime retries with backoff until one answers);
// - periodic: every pushPullIntervalFor(N) (jittered) with one random live member;
// - digest: a probe's ack showed a different membership digest while both sides had nothing
//   left to gossip, i.e. one of us missed an update (rate-limited by syncCooldownMs);
// - reconnect: every reconnectIntervalMs with one random dead member - how a healed partition
//   or a falsely declared member is found again;
// - verify: a peer reported a member alive at the very incarnation we hold it dead (or a
//   member we hold dead pinged us). Only the member itself can settle that, by refuting, so
//   we exchange state with it directly: it sees our "dead" and refutes, and its answer carries
//   the new incarnation. After a partition heals, this turns each side's stale "dead" records
//   into live ones in about one round trip each, instead of waiting for gossip chains.
//
// Merging a remote record (memberlist's rules, plus the verify trigger):
//   alive  -> as an alive message;   left -> as a leave;
//   suspect -> as a suspicion raised by us (memberlist), unless the member is unknown to us or
//              we hold it dead at a lower incarnation (then: alive, it came back);
//   dead   -> a suspicion with the minimum timeout, never a direct dead: the remote view may be
//              stale (a partition), and the member gets a chance to refute. About ourselves:
//              refute.
import { pushPullIntervalFor, type ProtocolConfig } from './config.js';
import type { MemberTable } from './members.js';
import { MsgType, type AliveMsg, type DeadMsg, type PushEntry, type PushPullMsg, type StreamMessage, type SuspectMsg } from './messages.js';
import { randomInt, type Rng } from './rng.js';

export interface SyncHost {
  readonly selfName: string;
  readonly cfg: ProtocolConfig;
  readonly rng: Rng;
  readonly table: MemberTable;
  nowMs(): number;
  entries(): PushEntry[];
  stream(to: string, req: StreamMessage, timeoutMs: number, done: (resp: StreamMessage | undefined) => void): void;
  applyAlive(msg: AliveMsg): void;
  /** deadClaim: the suspicion comes from a remote "dead" record (minimum timeout). */
  applySuspect(msg: SuspectMsg, deadClaim: boolean): void;
  applyDead(msg: DeadMsg): void;
  /** Record a member we never knew, already dead or left (a newcomer learning the seed's view). */
  adoptDeparted(entry: PushEntry): void;
  joinResult(addr: string, ok: boolean): void;
  syncDone(reason: SyncReason, ok: boolean): void;
}

export type SyncReason = 'join' | 'periodic' | 'digest' | 'reconnect' | 'verify';

export class StateSync {
  private readonly inFlight = new Set<string>();
  private readonly lastSyncMs = new Map<string, number>();
  private readonly pendingVerify = new Map<string, string>();
  private nextPeriodicMs: number;
  private nextReconnectMs: number;
  private lastDigestSyncMs = -Infinity;

  constructor(private readonly host: SyncHost, nowMs: number) {
    this.nextPeriodicMs = nowMs + this.jittered(host.cfg.pushPullIntervalMs);
    this.nextReconnectMs = nowMs + host.cfg.reconnectIntervalMs;
  }

  private jittered(ms: number): number {
    return ms * (0.5 + this.host.rng());
  }

  tick(nowMs: number): void {
    const { cfg, table } = this.host;
    if (nowMs >= this.nextPeriodicMs) {
      this.nextPeriodicMs = nowMs + this.jittered(pushPullIntervalFor(cfg, table.liveCount));
      this.periodic(nowMs);
    }
    if (nowMs >= this.nextReconnectMs) {
      this.nextReconnectMs = nowMs + cfg.reconnectIntervalMs;
      this.reconnect(nowMs);
    }
    this.drainVerify(nowMs);
  }

  nextDeadlineMs(): number {
    let next = Math.min(this.nextPeriodicMs, this.nextReconnectMs);
    if (this.pendingVerify.size > 0 && this.inFlight.size < this.host.cfg.maxConcurrentSyncs) {
      for (const name of this.pendingVerify.keys()) {
        next = Math.min(next, (this.lastSyncMs.get(name) ?? -Infinity) + this.host.cfg.syncCooldownMs);
      }
    }
    return next;
  }

  private periodic(nowMs: number): void {
    const peers = this.host.table.live().filter((m) => m.name !== this.host.selfName && m.state === 'alive');
    if (peers.length === 0) return;
    const peer = peers[randomInt(this.host.rng, peers.length)];
    this.request(peer.name, peer.addr, 'periodic', nowMs, true);
  }

  private reconnect(nowMs: number): void {
    if (this.host.table.size === this.host.table.liveCount) return;
    const dead = [];
    for (const m of this.host.table.values()) {
      if (m.state === 'dead' && nowMs - m.stateChangeMs < this.host.cfg.deadRetentionMs) dead.push(m);
    }
    if (dead.length === 0) return;
    const peer = dead[randomInt(this.host.rng, dead.length)];
    this.request(peer.name, peer.addr, 'reconnect', nowMs, false);
  }

  /** A probe's ack carried a digest different from ours while both sides were quiet. */
  digestMismatch(name: string, addr: string, nowMs: number): void {
    if (nowMs - this.lastDigestSyncMs < this.host.cfg.syncCooldownMs) return;
    if (this.request(name, addr, 'digest', nowMs, false)) this.lastDigestSyncMs = nowMs;
  }

  /** Ask `name` (at `addr`) directly whether it is alive; see the header. */
  verify(name: string, addr: string): void {
    if (name === this.host.selfName) return;
    this.pendingVerify.set(name, addr);
  }

  private drainVerify(nowMs: number): void {
    for (const [name, addr] of this.pendingVerify) {
      const rec = this.host.table.get(name);
      if (!rec || rec.state !== 'dead') {
        this.pendingVerify.delete(name);
        continue;
      }
      if (this.inFlight.size >= this.host.cfg.maxConcurrentSyncs) return;
      if (this.request(name, addr, 'verify', nowMs, false)) this.pendingVerify.delete(name);
    }
  }

  /** Start an exchange unless one with `name` is running, all slots are busy, or it is too soon. */
  private request(name: string, addr: string, reason: SyncReason, nowMs: number, ignoreCooldown: boolean): boolean {
    const { cfg } = this.host;
    if (this.inFlight.has(name)) return true;
    if (this.inFlight.size >= cfg.maxConcurrentSyncs) return false;
    if (!ignoreCooldown && nowMs - (this.lastSyncMs.get(name) ?? -Infinity) < cfg.syncCooldownMs) return false;
    this.inFlight.add(name);
    this.lastSyncMs.set(name, nowMs);
    this.host.stream(addr, this.message(false), cfg.tcpTimeoutMs, (resp) => {
      this.inFlight.delete(name);
      const ok = resp?.t === MsgType.PushPull;
      if (ok) this.merge(resp.entries, resp.from, false);
      this.host.syncDone(reason, ok);
      this.drainVerify(this.host.nowMs());
    });
    return true;
  }

  /** Push-pull with each seed address (join). */
  join(addrs: readonly string[]): void {
    for (const addr of addrs) {
      this.host.stream(addr, this.message(true), this.host.cfg.tcpTimeoutMs, (resp) => {
        const ok = resp?.t === MsgType.PushPull;
        if (ok) this.merge(resp.entries, resp.from, true);
        this.host.syncDone('join', ok);
        this.host.joinResult(addr, ok);
      });
    }
  }

  /** Answer a peer's push-pull: merge its state, reply with ours (after the merge). */
  handleRequest(req: PushPullMsg, fromAddr: string): PushPullMsg {
    this.merge(req.entries, req.from, false);
    const sender = this.host.table.get(req.from);
    // It is talking to us, so a "dead" record of it is wrong: make it refute and tell us.
    if (sender && sender.state === 'dead') this.verify(sender.name, fromAddr);
    return this.message(false);
  }

  private message(join: boolean): PushPullMsg {
    return { t: MsgType.PushPull, join, from: this.host.selfName, entries: this.host.entries() };
  }

  /**
   * Merge a peer's state. `joining`: this is a seed's answer to our join, so we also take its
   * records of members that are already dead or left (so that every member lists the same
   * departed ones). Otherwise such records are ignored when unknown: a member that has already
   * forgotten a departed one must not be handed it back, or records would circulate forever.
   */
  merge(entries: readonly PushEntry[], source: string, joining: boolean): void {
    for (const e of entries) this.mergeEntry(e, source, joining);
  }

  private mergeEntry(e: PushEntry, source: string, joining: boolean): void {
    const { host } = this;
    const prev = host.table.get(e.name);
    if (!prev && joining && (e.state === 'dead' || e.state === 'left')) return host.adoptDeparted(e);
    // The common case of a periodic exchange: nothing new about this member.
    if (prev && prev.incarnation === e.inc && prev.state === e.state) return;
    const alive: AliveMsg = { t: MsgType.Alive, inc: e.inc, node: e.name, addr: e.addr, meta: e.meta };
    switch (e.state) {
      case 'alive':
        if (prev && prev.state === 'dead' && prev.incarnation === e.inc) this.verify(e.name, e.addr);
        host.applyAlive(alive);
        return;
      case 'suspect':
        if (!prev || ((prev.state === 'dead' || prev.state === 'left') && e.inc > prev.incarnation)) {
          host.applyAlive(alive);
          return;
        }
        if (prev.state === 'dead' && prev.incarnation === e.inc) this.verify(e.name, e.addr);
        host.applySuspect({ t: MsgType.Suspect, inc: e.inc, node: e.name, from: host.selfName }, false);
        return;
      case 'dead':
        host.applySuspect({ t: MsgType.Suspect, inc: e.inc, node: e.name, from: source }, true);
        return;
      case 'left':
        host.applyDead({ t: MsgType.Dead, inc: e.inc, node: e.name, from: e.name });
        return;
    }
  }
}
