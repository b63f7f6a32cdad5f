// The membership protocol core: a deterministic state machine in the etcd-raft style.
//
//   inputs:  tick(now), receive(now, from, messages), handleStream(now, from, request),
//            streamDone(now, id, response), join / updateMeta / leave
//   outputs: takeOutputs() -> datagrams to send, TCP exchanges to start, member events,
//            join results; nextDeadlineMs() -> when to call tick() next.
//
// No sockets, no clocks, no Math.random inside: time comes in as an argument, randomness from
// an injected Rng. The same core runs under the real UDP/TCP runtime (membership.ts) and the
// simulated network (sim.ts). It is single-threaded and not reentrant: a shell calls one input
// at a time and drains outputs after each.
//
// Concerns live in their own files: probe.ts (failure detector), schedule.ts (probe order),
// suspicion.ts (Lifeguard timeouts), awareness.ts (Lifeguard health), broadcast.ts (piggyback
// queue), sync.ts (push-pull), state.ts (transition rules), members.ts (table and digest).
import { Awareness } from './awareness.js';
import { BroadcastQueue } from './broadcast.js';
import { bodySize } from './codec.js';
import { retransmitLimit, suspicionK, suspicionMaxMs, suspicionMinMs, type ProtocolConfig } from './config.js';
import { hash32 } from './hash.js';
import { isLive, MemberTable } from './members.js';
import { MsgType, type AckMsg, type AliveMsg, type BroadcastMsg, type DeadMsg, type Message, type PushEntry, type StreamMessage, type SuspectMsg } from './messages.js';
import { Prober, type ProbeHost } from './probe.js';
import { sample, type Rng } from './rng.js';
import { ProbeSchedule } from './schedule.js';
import { decideAlive, decideDead, decideSuspect, type Decision, type SelfView } from './state.js';
import { Suspicion } from './suspicion.js';
import { StateSync, type SyncHost, type SyncReason } from './sync.js';
import type { MemberEvent, MemberRecord } from './types.js';

export interface CoreLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface CoreOptions {
  name: string;
  /** Our gossip address as peers should use it ("host:port"). */
  addr: string;
  meta?: Uint8Array;
  config: ProtocolConfig;
  /** Room for messages in one datagram: maxPacketBytes minus the envelope (wire.ts). */
  packetBudgetBytes: number;
  nowMs: number;
  /** nowMs + clockOffsetMs is the wall-aligned clock that numbers probe rounds (schedule.ts). */
  clockOffsetMs?: number;
  rng: Rng;
  /** Starting incarnation; a restarted member refutes its old record anyway. */
  incarnation?: number;
  log?: CoreLog;
  /** Direct-probe round trips, for the RTT histogram. */
  onProbeRtt?: (rttMs: number) => void;
}

export type CoreOutput =
  | { kind: 'packet'; to: string; msgs: Message[] }
  | { kind: 'stream'; id: number; to: string; req: StreamMessage; timeoutMs: number }
  | { kind: 'event'; event: MemberEvent }
  | { kind: 'join-result'; addr: string; ok: boolean };

/** Counters the simulator and the metrics read. */
export interface CoreStats {
  probes: number;
  probeFailures: number;
  tcpOnlyProbes: number;
  suspicionsRaised: number;
  refutations: number;
  deathsDeclared: number;
  stalls: number;
  syncOk: number;
  syncFailed: number;
  syncsByReason: Record<SyncReason, number>;
}

export class MembershipCore implements ProbeHost, SyncHost {
  readonly selfName: string;
  readonly cfg: ProtocolConfig;
  readonly rng: Rng;
  readonly table = new MemberTable();
  readonly awareness: Awareness;
  readonly stats: CoreStats = {
    probes: 0, probeFailures: 0, tcpOnlyProbes: 0, suspicionsRaised: 0, refutations: 0, deathsDeclared: 0,
    stalls: 0, syncOk: 0, syncFailed: 0, syncsByReason: { join: 0, periodic: 0, digest: 0, reconnect: 0, verify: 0 },
  };

  private readonly addr: string;
  private meta: Uint8Array;
  private incarnation: number;
  private leaving = false;
  private now: number;
  private readonly clockOffsetMs: number;
  private readonly phaseMs: number;
  private readonly budget: number;
  private readonly log: CoreLog | undefined;
  private readonly onProbeRtt: ((rttMs: number) => void) | undefined;

  private readonly queue = new BroadcastQueue();
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly prober: Prober;
  private readonly sync: StateSync;
  private readonly schedule: ProbeSchedule;
  private readonly streams = new Map<number, (resp: StreamMessage | undefined) => void>();
  private nextStreamId = 1;
  private outbox: CoreOutput[] = [];

  private round: number;
  private nextRoundMs: number;
  private lastGossipMs = -Infinity;
  private nextReapMs: number;
  private plannedMs = Infinity;
  private entriesCache: { changes: number; entries: PushEntry[] } | undefined;
  private candidatesCache: { changes: number; validUntilMs: number; list: MemberRecord[] } | undefined;

  constructor(opts: CoreOptions) {
    this.selfName = opts.name;
    this.addr = opts.addr;
    this.meta = opts.meta ?? new Uint8Array(0);
    this.cfg = opts.config;
    this.rng = opts.rng;
    this.now = opts.nowMs;
    this.incarnation = opts.incarnation ?? 1;
    this.clockOffsetMs = opts.clockOffsetMs ?? 0;
    this.budget = opts.packetBudgetBytes;
    this.log = opts.log;
    this.onProbeRtt = opts.onProbeRtt;
    this.awareness = new Awareness(this.cfg.awarenessMaxMultiplier);
    this.prober = new Prober(this, this.rng);
    this.sync = new StateSync(this, this.now);
    this.schedule = new ProbeSchedule(this.selfName);
    // Spread members' pings over the first fifth of each round instead of one instant.
    this.phaseMs = ((hash32(this.selfName) % 1000) / 1000) * this.cfg.probeIntervalMs * 0.2;
    this.round = this.roundAt(this.now) + 1;
    this.nextRoundMs = this.roundStartMs(this.round);
    this.nextReapMs = this.now + this.cfg.probeIntervalMs;
    this.storeSelf();
    this.queue.enqueue(this.selfName, this.selfAlive());
  }

  // ---------------------------------------------------------------- inputs

  /** Run everything that is due at `nowMs`. */
  tick(nowMs: number): void {
    this.now = nowMs;
    this.detectStall(nowMs);
    this.prober.tick(nowMs);
    this.expireSuspicions(nowMs);
    if (nowMs >= this.nextRoundMs) this.runRound(nowMs);
    if (!this.queue.isEmpty() && nowMs >= this.lastGossipMs + this.cfg.gossipIntervalMs) this.gossip(nowMs);
    this.sync.tick(nowMs);
    if (nowMs >= this.nextReapMs) this.reap(nowMs);
  }

  /** A datagram's messages from `fromAddr`. */
  receive(nowMs: number, fromAddr: string, msgs: readonly Message[]): void {
    this.now = nowMs;
    for (const m of msgs) this.dispatch(m, fromAddr, nowMs);
  }

  /** A TCP request from `fromAddr`; returns the response to send back. */
  handleStream(nowMs: number, fromAddr: string, req: StreamMessage): StreamMessage {
    this.now = nowMs;
    switch (req.t) {
      case MsgType.PushPull:
        return this.sync.handleRequest(req, fromAddr);
      case MsgType.StreamPing:
        if (req.target === this.selfName) return { t: MsgType.StreamAck, seq: req.seq };
        return { t: MsgType.StreamError, reason: `ping for "${req.target}" reached "${this.selfName}"` };
      default:
        return { t: MsgType.StreamError, reason: `unexpected request type ${req.t}` };
    }
  }

  /** Outcome of a TCP exchange we started: the response, or undefined (timeout, refused, bad). */
  streamDone(nowMs: number, id: number, resp: StreamMessage | undefined): void {
    this.now = nowMs;
    const done = this.streams.get(id);
    if (!done) return;
    this.streams.delete(id);
    done(resp);
  }

  /** Exchange state with each seed address; results come out as 'join-result' outputs. */
  join(nowMs: number, addrs: readonly string[]): void {
    this.now = nowMs;
    this.sync.join(addrs.filter((a) => a !== this.addr));
  }

  /** Publish new metadata (raises our incarnation). */
  updateMeta(nowMs: number, meta: Uint8Array): void {
    this.now = nowMs;
    if (this.leaving) throw new Error('cannot update metadata after leave()');
    this.meta = meta;
    this.incarnation++;
    this.storeSelf();
    this.queue.enqueue(this.selfName, this.selfAlive());
    this.emit('update', this.table.get(this.selfName) as MemberRecord);
  }

  /** Announce a graceful leave; peers record us as `left`. Keep ticking until leaveDone(). */
  leave(nowMs: number): void {
    this.now = nowMs;
    if (this.leaving) return;
    this.leaving = true;
    this.storeSelf();
    this.queue.enqueue(this.selfName, { t: MsgType.Dead, inc: this.incarnation, node: this.selfName, from: this.selfName });
    this.emit('left', this.table.get(this.selfName) as MemberRecord);
  }

  /** The leave message has been sent its full number of times (or there is nobody to tell). */
  leaveDone(): boolean {
    return this.leaving && (!this.queue.has(this.selfName) || this.table.liveCount === 0);
  }

  // ---------------------------------------------------------------- outputs and queries

  takeOutputs(): CoreOutput[] {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  /** When tick() must run next (may be <= now: run it at once). */
  nextDeadlineMs(): number {
    let next = Math.min(this.nextRoundMs, this.prober.nextDeadlineMs(), this.sync.nextDeadlineMs(), this.nextReapMs);
    if (!this.queue.isEmpty()) next = Math.min(next, this.lastGossipMs + this.cfg.gossipIntervalMs);
    for (const s of this.suspicions.values()) next = Math.min(next, s.deadlineMs());
    // Something overdue runs now; the plan (for stall detection) is never in the past.
    next = Math.max(next, this.now);
    this.plannedMs = next;
    return next;
  }

  members(): MemberRecord[] {
    return [...this.table.values()];
  }

  member(name: string): MemberRecord | undefined {
    return this.table.get(name);
  }

  healthScore(): number {
    return this.awareness.value;
  }

  get currentIncarnation(): number {
    return this.incarnation;
  }

  // ---------------------------------------------------------------- message dispatch

  private dispatch(m: Message, fromAddr: string, nowMs: number): void {
    switch (m.t) {
      case MsgType.Ping: {
        if (m.target !== this.selfName) return; // an old address now used by someone else
        this.send(fromAddr, { t: MsgType.Ack, seq: m.seq, hasDigest: true, digest: this.table.digest, quiet: this.queue.isEmpty() });
        const sender = this.table.get(m.from);
        if (sender && sender.state === 'dead') this.sync.verify(m.from, fromAddr);
        return;
      }
      case MsgType.Ack: return this.prober.handleAck(m, fromAddr, nowMs);
      case MsgType.Nack: return this.prober.handleNack(m.seq);
      case MsgType.PingReq: return this.prober.handlePingReq(m, fromAddr, nowMs);
      case MsgType.Alive: return this.applyAlive(m);
      case MsgType.Suspect: return this.applySuspect(m, false);
      case MsgType.Dead: return this.applyDead(m);
    }
  }

  // ---------------------------------------------------------------- transitions

  private selfView(): SelfView {
    return { name: this.selfName, incarnation: this.incarnation, addr: this.addr, meta: this.meta, leaving: this.leaving };
  }

  applyAlive(msg: AliveMsg): void {
    const prev = this.table.get(msg.node);
    const d = decideAlive(prev, msg, this.selfView(), this.now);
    if (d.kind === 'apply' && d.addrChanged && prev && isLive(prev.state)) {
      this.log?.info('member changed address while live (restarted elsewhere, or two members share a name)', { member: msg.node, from: prev.addr, to: msg.addr });
    }
    if (d.kind === 'apply') this.suspicions.delete(msg.node);
    this.applyDecision(d, msg);
  }

  applySuspect(msg: SuspectMsg, deadClaim: boolean): void {
    const d = decideSuspect(this.table.get(msg.node), msg, this.selfView(), this.now);
    if (d.kind === 'confirm') {
      const s = this.suspicions.get(msg.node);
      if (s && s.confirm(msg.from)) this.queue.enqueue(msg.node, msg);
      return;
    }
    if (d.kind === 'apply') {
      this.startSuspicion(d.next, msg.from, deadClaim);
      if (msg.from === this.selfName) this.stats.suspicionsRaised++;
    }
    this.applyDecision(d, msg);
  }

  applyDead(msg: DeadMsg): void {
    const d = decideDead(this.table.get(msg.node), msg, this.selfView(), this.now);
    if (d.kind === 'apply') this.suspicions.delete(msg.node);
    this.applyDecision(d, msg);
  }

  private applyDecision(d: Decision, msg: BroadcastMsg): void {
    if (d.kind === 'refute') return this.refute(d.accusedInc, d.conflict, msg);
    if (d.kind !== 'apply') return;
    this.table.set(d.next);
    this.queue.enqueue(msg.node, msg);
    for (const type of d.events) this.emit(type, d.next);
  }

  private startSuspicion(rec: MemberRecord, accuser: string, deadClaim: boolean): void {
    const n = this.table.liveCount;
    const k = deadClaim ? 0 : suspicionK(this.cfg, n);
    const s = new Suspicion(this.now, rec.incarnation, accuser, k, suspicionMinMs(this.cfg, n), suspicionMaxMs(this.cfg, n));
    this.suspicions.set(rec.name, s);
  }

  private expireSuspicions(nowMs: number): void {
    for (const [name, s] of this.suspicions) {
      if (nowMs < s.deadlineMs()) continue;
      this.suspicions.delete(name);
      const rec = this.table.get(name);
      if (!rec || rec.state !== 'suspect') continue;
      this.stats.deathsDeclared++;
      this.log?.info('declaring member dead', { member: name, suspectedForMs: nowMs - s.startMs, confirmations: s.confirmations });
      this.applyDead({ t: MsgType.Dead, inc: rec.incarnation, node: name, from: this.selfName });
    }
  }

  /** Someone accused us (or holds newer info about us): out-bid it and tell everyone. */
  private refute(accusedInc: number, conflict: boolean, msg: BroadcastMsg): void {
    if (this.leaving) return;
    this.incarnation = Math.max(this.incarnation, accusedInc) + 1;
    this.awareness.apply(1);
    this.stats.refutations++;
    this.storeSelf();
    this.queue.enqueue(this.selfName, this.selfAlive());
    const fields = { accusation: msg.t === MsgType.Alive ? 'alive' : msg.t === MsgType.Suspect ? 'suspect' : 'dead', incarnation: this.incarnation };
    if (conflict) this.log?.warn('another address claims our name; refuting', { ...fields, other: (msg as AliveMsg).addr });
    else this.log?.debug('refuting', fields);
  }

  private storeSelf(): void {
    const prev = this.table.get(this.selfName);
    const state = this.leaving ? 'left' : 'alive';
    this.table.set({
      name: this.selfName, addr: this.addr, meta: this.meta, incarnation: this.incarnation, state,
      stateChangeMs: prev && prev.state === state ? prev.stateChangeMs : this.now,
    });
  }

  private selfAlive(): AliveMsg {
    return { t: MsgType.Alive, inc: this.incarnation, node: this.selfName, addr: this.addr, meta: this.meta };
  }

  private emit(type: MemberEvent['type'], member: MemberRecord): void {
    this.outbox.push({ kind: 'event', event: { type, member } });
  }

  // ---------------------------------------------------------------- periodic work

  private roundAt(nowMs: number): number {
    return Math.floor((nowMs + this.clockOffsetMs - this.phaseMs) / this.cfg.probeIntervalMs);
  }

  private roundStartMs(round: number): number {
    return round * this.cfg.probeIntervalMs - this.clockOffsetMs + this.phaseMs;
  }

  private runRound(nowMs: number): void {
    const round = Math.max(this.round, this.roundAt(nowMs));
    this.round = round + 1;
    this.nextRoundMs = this.roundStartMs(this.round);
    // Lifeguard: with health score s, probe only every (s + 1)-th round. The previous probe may
    // still be judging (its deadline is one interval after a ping sent a little after its
    // round began); it finishes on its own, and skipping this round would leave our assigned
    // target unprobed.
    if (round % (this.awareness.value + 1) !== 0) return;
    const name = this.schedule.target(round, this.table);
    const target = name === undefined ? undefined : this.table.get(name);
    if (!target || target.name === this.selfName || !isLive(target.state)) return;
    this.stats.probes++;
    this.prober.start(target, nowMs);
  }

  private gossip(nowMs: number): void {
    this.lastGossipMs = nowMs;
    const limit = this.retransmits();
    for (const target of sample(this.gossipCandidates(nowMs), this.cfg.gossipNodes, this.rng)) {
      const msgs = this.queue.take(this.budget, limit);
      if (msgs.length === 0) return;
      this.outbox.push({ kind: 'packet', to: target.addr, msgs });
    }
  }

  /** Live members but us, and members dead for less than gossipToTheDeadMs (so they can refute). */
  private gossipCandidates(nowMs: number): MemberRecord[] {
    const cache = this.candidatesCache;
    if (cache && cache.changes === this.table.changes && nowMs < cache.validUntilMs) return cache.list;
    const list: MemberRecord[] = [];
    let validUntilMs = Infinity;
    for (const m of this.table.values()) {
      if (m.name === this.selfName) continue;
      if (isLive(m.state)) list.push(m);
      else if (m.state === 'dead' && nowMs - m.stateChangeMs < this.cfg.gossipToTheDeadMs) {
        list.push(m);
        validUntilMs = Math.min(validUntilMs, m.stateChangeMs + this.cfg.gossipToTheDeadMs);
      }
    }
    this.candidatesCache = { changes: this.table.changes, validUntilMs, list };
    return list;
  }

  private retransmits(): number {
    return retransmitLimit(this.cfg, Math.max(1, this.table.liveCount));
  }

  /** Forget dead and left members after the retention period. */
  private reap(nowMs: number): void {
    this.nextReapMs = nowMs + this.cfg.probeIntervalMs;
    if (this.table.size === this.table.liveCount) return;
    for (const m of [...this.table.values()]) {
      if (m.name !== this.selfName && !isLive(m.state) && nowMs - m.stateChangeMs > this.cfg.deadRetentionMs) this.table.delete(m.name);
    }
  }

  /**
   * Our process did not run when it should have (paused, starved, a long GC): timers are
   * overdue and what arrived meanwhile is still unread. Count it against our own health and
   * postpone every judgement by one probe timeout so that the backlog is read first.
   */
  private detectStall(nowMs: number): void {
    const lateMs = nowMs - this.plannedMs;
    this.plannedMs = Infinity;
    if (!(lateMs > this.cfg.probeTimeoutMs)) return;
    this.stats.stalls++;
    this.awareness.apply(1);
    const until = nowMs + this.cfg.probeTimeoutMs;
    this.prober.postpone(until);
    for (const s of this.suspicions.values()) s.postpone(until);
    const fields = { lateMs: Math.round(lateMs), healthScore: this.awareness.value };
    if (lateMs > this.cfg.probeIntervalMs) this.log?.warn('process stalled; postponing failure decisions', fields);
    else this.log?.debug('event loop lagging; postponing failure decisions', fields);
  }

  // ---------------------------------------------------------------- host services (probe.ts, sync.ts)

  nowMs(): number {
    return this.now;
  }

  send(to: string, primary: Message, extra: Message[] = []): void {
    const msgs = extra.length > 0 ? [primary, ...extra] : [primary];
    const room = this.budget - bodySize(msgs);
    for (const b of this.queue.take(room, this.retransmits())) msgs.push(b);
    this.outbox.push({ kind: 'packet', to, msgs });
  }

  stream(to: string, req: StreamMessage, timeoutMs: number, done: (resp: StreamMessage | undefined) => void): void {
    const id = this.nextStreamId++;
    this.streams.set(id, done);
    this.outbox.push({ kind: 'stream', id, to, req, timeoutMs: Math.max(1, timeoutMs) });
  }

  helpers(exclude: string, k: number): MemberRecord[] {
    const pool = this.table.live().filter((m) => m.state === 'alive' && m.name !== this.selfName && m.name !== exclude);
    return sample(pool, k, this.rng);
  }

  digestInfo(): { digest: number; quiet: boolean } {
    return { digest: this.table.digest, quiet: this.queue.isEmpty() };
  }

  probeSucceeded(target: string, addr: string, rttMs: number | undefined, ack: AckMsg): void {
    if (rttMs !== undefined) this.onProbeRtt?.(rttMs);
    if (ack.hasDigest && ack.quiet && this.queue.isEmpty() && ack.digest !== this.table.digest) {
      this.sync.digestMismatch(target, addr, this.now);
    }
  }

  probeFailed(target: string, tcpOnly: boolean): void {
    if (tcpOnly) {
      this.stats.tcpOnlyProbes++;
      this.log?.debug('probe answered over TCP only; UDP may be lossy or blocked', { member: target });
      return;
    }
    const rec = this.table.get(target);
    if (!rec || !isLive(rec.state)) return;
    this.stats.probeFailures++;
    this.applySuspect({ t: MsgType.Suspect, inc: rec.incarnation, node: target, from: this.selfName }, false);
  }

  /** Our full state for a push-pull; shared (read-only) until the table changes. */
  entries(): PushEntry[] {
    if (this.entriesCache?.changes === this.table.changes) return this.entriesCache.entries;
    const entries: PushEntry[] = [];
    for (const r of this.table.values()) entries.push({ name: r.name, addr: r.addr, inc: r.incarnation, state: r.state, meta: r.meta });
    this.entriesCache = { changes: this.table.changes, entries };
    return entries;
  }

  adoptDeparted(e: PushEntry): void {
    if (e.name === this.selfName) return;
    this.table.set({ name: e.name, addr: e.addr, meta: e.meta, incarnation: e.inc, state: e.state, stateChangeMs: this.now });
  }

  joinResult(addr: string, ok: boolean): void {
    this.outbox.push({ kind: 'join-result', addr, ok });
  }

  syncDone(reason: SyncReason, ok: boolean): void {
    this.stats.syncsByReason[reason]++;
    if (ok) this.stats.syncOk++;
    else this.stats.syncFailed++;
  }
}
