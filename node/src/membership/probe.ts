// The failure detector's probe cycle (SWIM + Lifeguard), and the helper side of indirect probes.
//
// One probe, started by the core once per round (schedule.ts picks the target):
//   1. UDP ping to the target; if we hold it suspect, the suspicion rides along ("buddy
//      system"), so the target learns of it at once and refutes.
//   2. No ack within probeTimeout: ask `indirectChecks` random alive helpers to ping it
//      (ping-req with nack), and ping it over TCP in parallel.
//   3. At the deadline (one probe interval after the ping, but at least one more probeTimeout
//      after the indirect pings actually left - so that a member that was itself paused
//      does not judge before reading what arrived meanwhile): no ack anywhere -> suspect.
//      Reached only over TCP -> not suspected (the UDP path is lossy or misconfigured).
// Lifeguard scoring: a direct ack lowers our health score by 1; a failed probe raises it by
// the number of helpers that did not even send a nack (they are evidence that *we* are the
// one not hearing), or by 1 if no helper could be asked - unless TCP got through (see
// verdict). Interval and timeout scale by (score + 1).
import type { Awareness } from './awareness.js';
import type { ProtocolConfig } from './config.js';
import { MsgType, type AckMsg, type Message, type PingMsg, type PingReqMsg, type StreamMessage } from './messages.js';
import type { Rng } from './rng.js';
import type { MemberRecord } from './types.js';

/** What the probe cycle needs from the core. */
export interface ProbeHost {
  readonly selfName: string;
  readonly cfg: ProtocolConfig;
  readonly awareness: Awareness;
  /** Random alive members other than us and `exclude`. */
  helpers(exclude: string, k: number): MemberRecord[];
  /** Send `primary` (plus `extra`) to `to`, filling spare room with queued broadcasts. */
  send(to: string, primary: Message, extra?: Message[]): void;
  stream(to: string, req: StreamMessage, timeoutMs: number, done: (resp: StreamMessage | undefined) => void): void;
  /** Our digest and whether our broadcast queue is empty (rides in pings). */
  digestInfo(): { digest: number; quiet: boolean };
  /** `rttMs` is set for direct acks only. */
  probeSucceeded(target: string, addr: string, rttMs: number | undefined, ack: AckMsg): void;
  /** No ack at all: the core suspects the target (tcpOnly: TCP answered, so it does not). */
  probeFailed(target: string, tcpOnly: boolean): void;
}

interface Probe {
  seq: number;
  target: string;
  addr: string;
  sentMs: number;
  phase: 'direct' | 'indirect';
  timeoutAtMs: number;
  deadlineMs: number;
  expectedNacks: number;
  nacks: number;
  tcpOk: boolean;
}

/** A ping we send on behalf of another member's ping-req. */
interface Relay {
  origin: string;
  originSeq: number;
  nack: boolean;
  timeoutAtMs: number;
}

export class Prober {
  private readonly probes = new Map<number, Probe>();
  private readonly relays = new Map<number, Relay>();
  private seq: number;

  constructor(private readonly host: ProbeHost, rng: Rng) {
    this.seq = Math.floor(rng() * 0x20000000);
  }

  /** Sequence numbers stay below 2^30: small integers are cheap map keys in V8. */
  private nextSeq(): number {
    this.seq = (this.seq + 1) % 0x40000000;
    return this.seq;
  }

  start(target: MemberRecord, nowMs: number): void {
    const { cfg, awareness } = this.host;
    const seq = this.nextSeq();
    const extra: Message[] = target.state === 'suspect'
      ? [{ t: MsgType.Suspect, inc: target.incarnation, node: target.name, from: this.host.selfName }]
      : [];
    this.host.send(target.addr, this.ping(seq, target.name), extra);
    this.probes.set(seq, {
      seq, target: target.name, addr: target.addr, sentMs: nowMs, phase: 'direct',
      timeoutAtMs: nowMs + awareness.scale(cfg.probeTimeoutMs),
      deadlineMs: nowMs + awareness.scale(cfg.probeIntervalMs),
      expectedNacks: 0, nacks: 0, tcpOk: false,
    });
  }

  private ping(seq: number, target: string): PingMsg {
    const { digest, quiet } = this.host.digestInfo();
    return { t: MsgType.Ping, seq, target, from: this.host.selfName, digest, quiet };
  }

  handleAck(ack: AckMsg, fromAddr: string, nowMs: number): void {
    const p = this.probes.get(ack.seq);
    if (p) {
      this.probes.delete(ack.seq);
      const direct = p.phase === 'direct';
      if (direct) this.host.awareness.apply(-1);
      this.host.probeSucceeded(p.target, p.addr, direct ? nowMs - p.sentMs : undefined, ack);
      return;
    }
    const r = this.relays.get(ack.seq);
    if (r) {
      this.relays.delete(ack.seq);
      this.host.send(r.origin, { t: MsgType.Ack, seq: r.originSeq, hasDigest: false, digest: 0, quiet: false });
    }
  }

  handleNack(seq: number): void {
    const p = this.probes.get(seq);
    if (p && p.phase === 'indirect') p.nacks++;
  }

  /** Act as a helper: ping the target ourselves and relay the outcome. */
  handlePingReq(req: PingReqMsg, fromAddr: string, nowMs: number): void {
    const seq = this.nextSeq();
    this.host.send(req.targetAddr, this.ping(seq, req.target));
    this.relays.set(seq, { origin: fromAddr, originSeq: req.seq, nack: req.nack, timeoutAtMs: nowMs + this.host.cfg.probeTimeoutMs });
  }

  tick(nowMs: number): void {
    for (const p of [...this.probes.values()]) {
      if (p.phase === 'direct' && nowMs >= p.timeoutAtMs) this.goIndirect(p, nowMs);
      else if (p.phase === 'indirect' && nowMs >= p.deadlineMs) this.verdict(p);
    }
    for (const [seq, r] of this.relays) {
      if (nowMs < r.timeoutAtMs) continue;
      this.relays.delete(seq);
      if (r.nack) this.host.send(r.origin, { t: MsgType.Nack, seq: r.originSeq });
    }
  }

  private goIndirect(p: Probe, nowMs: number): void {
    const { cfg, awareness } = this.host;
    p.phase = 'indirect';
    const helpers = this.host.helpers(p.target, cfg.indirectChecks);
    for (const h of helpers) {
      this.host.send(h.addr, { t: MsgType.PingReq, seq: p.seq, target: p.target, targetAddr: p.addr, nack: true });
    }
    p.expectedNacks = helpers.length;
    p.deadlineMs = Math.max(p.deadlineMs, nowMs + awareness.scale(cfg.probeTimeoutMs));
    if (!cfg.tcpFallbackPing) return;
    const req: StreamMessage = { t: MsgType.StreamPing, seq: p.seq, target: p.target, from: this.host.selfName };
    this.host.stream(p.addr, req, p.deadlineMs - nowMs, (resp) => {
      if (resp?.t === MsgType.StreamAck && this.probes.get(p.seq) === p) p.tcpOk = true;
    });
  }

  private verdict(p: Probe): void {
    this.probes.delete(p.seq);
    // A TCP answer within the deadline shows that our own process and stack work, so missing
    // nacks are blamed on the lossy path rather than on us. (memberlist penalizes anyway;
    // under 10% random loss that kept ~7% of members backing off at any moment, and with a
    // shared schedule, their share of the probing went undone.)
    if (!p.tcpOk) this.host.awareness.apply(p.expectedNacks > 0 ? p.expectedNacks - p.nacks : 1);
    this.host.probeFailed(p.target, p.tcpOk);
  }

  /** After our own process stalled: give what arrived meanwhile a chance before judging. */
  postpone(untilMs: number): void {
    for (const p of this.probes.values()) {
      if (p.phase === 'direct') p.timeoutAtMs = Math.max(p.timeoutAtMs, untilMs);
      else p.deadlineMs = Math.max(p.deadlineMs, untilMs);
    }
    for (const r of this.relays.values()) r.timeoutAtMs = Math.max(r.timeoutAtMs, untilMs);
  }

  nextDeadlineMs(): number {
    let next = Infinity;
    for (const p of this.probes.values()) next = Math.min(next, p.phase === 'direct' ? p.timeoutAtMs : p.deadlineMs);
    for (const r of this.relays.values()) next = Math.min(next, r.timeoutAtMs);
    return next;
  }
}
