// A simulated network on a virtual clock: the second transport of the protocol core.
//
// All members run in one process as MembershipCore instances; a discrete-event loop delivers
// their datagrams and TCP exchanges with per-packet delay and loss, and fires their timers.
// Everything random comes from one seed, so a run is reproducible. 50-200 members simulate
// minutes per second of real time.
//
// Faults:
// - loss: default and per directed link, i.i.d. per datagram (TCP is reliable but each lost
//   segment costs a retransmission timeout);
// - partitions: one-way (a->b dropped, b->a delivered) or two-way; TCP across a partition times
//   out (SYNs are dropped);
// - crash (process gone: datagrams vanish, TCP is refused) and restart (fresh process, same
//   name and address);
// - freeze (SIGSTOP): the member neither runs timers nor reads; what arrives is buffered as in
//   socket buffers and read after the thaw - timers first, as Node's event loop does;
// - clock skew: each member's wall-aligned clock (probe rounds) is offset by up to ±skew.
// In `wire` mode every datagram and stream message is encoded, sealed, opened and decoded
// through wire.ts, so simulations run the exact bytes of the real transport.
import { bodySize, streamMessageSize } from './codec.js';
import type { ProtocolConfig } from './config.js';
import { MembershipCore, type CoreOutput } from './core.js';
import { MsgType, type Message, type StreamMessage } from './messages.js';
import { seededRng, type Rng } from './rng.js';
import type { MemberEvent, MemberRecord } from './types.js';
import { Wire } from './wire.js';

export interface SimOptions {
  seed: number;
  config: ProtocolConfig;
  /** One-way datagram delay, uniform in [min, max] ms. Default [0.3, 2]. */
  latencyMs?: [number, number];
  /** Default loss probability of every datagram. */
  loss?: number;
  /** Members' probe-round clocks differ by up to ±clockSkewMs. Default 10. */
  clockSkewMs?: number;
  /** Run every message through the real encoder and envelope. */
  wire?: boolean;
  clusterName?: string;
  key?: string;
  /** Penalty per lost TCP segment (Linux minimum RTO). Default 200. */
  tcpRtoMs?: number;
}

export interface SimNodeStats {
  udpSent: number;
  udpBytesSent: number;
  maxPacketBytes: number;
  streamsStarted: number;
  streamBytesSent: number;
}

export type SimEventListener = (nowMs: number, observer: string, event: MemberEvent) => void;

interface SimNode {
  readonly name: string;
  readonly addr: string;
  readonly index: number;
  core: MembershipCore;
  epoch: number;
  crashed: boolean;
  frozen: boolean;
  pending: (() => void)[];
  scheduledAt: number | undefined;
  stats: SimNodeStats;
  blockedTo: Set<number>;
  lossTo: Map<number, number>;
  meta: Uint8Array;
}

interface SimEvent {
  t: number;
  seq: number;
  run: () => void;
}

/** Binary min-heap on (t, seq): same-time events run in the order they were scheduled. */
class EventHeap {
  private items: SimEvent[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): SimEvent | undefined {
    return this.items[0];
  }
  push(e: SimEvent): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(a[p], e)) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = e;
  }
  pop(): SimEvent | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && less(a[r], a[l]) ? r : l;
        if (less(last, a[c])) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

function less(a: SimEvent, b: SimEvent): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

function emptyStats(): SimNodeStats {
  return { udpSent: 0, udpBytesSent: 0, maxPacketBytes: 0, streamsStarted: 0, streamBytesSent: 0 };
}

export class Simulation {
  now = 0;
  readonly cfg: ProtocolConfig;
  private readonly rng: Rng;
  private readonly heap = new EventHeap();
  private seq = 0;
  private readonly nodes: SimNode[] = [];
  private readonly byName = new Map<string, SimNode>();
  private readonly byAddr = new Map<string, SimNode>();
  private readonly listeners: SimEventListener[] = [];
  private readonly wire: Wire;
  private readonly latency: [number, number];
  private readonly skewMs: number;
  private readonly tcpRtoMs: number;
  private readonly useWire: boolean;
  private readonly budget: number;
  private readonly overhead: number;
  private readonly entrySizes = new WeakMap<object, number>();
  loss: number;

  constructor(opts: SimOptions) {
    this.cfg = opts.config;
    this.rng = seededRng(opts.seed);
    this.latency = opts.latencyMs ?? [0.3, 2];
    this.loss = opts.loss ?? 0;
    this.skewMs = opts.clockSkewMs ?? 10;
    this.tcpRtoMs = opts.tcpRtoMs ?? 200;
    this.useWire = opts.wire ?? false;
    this.wire = new Wire(opts.clusterName ?? 'sim', opts.key, this.cfg.maxPacketBytes);
    this.budget = this.wire.packetBudgetBytes;
    this.overhead = this.wire.envelope.overheadBytes;
  }

  // ---------------------------------------------------------------- membership of the simulation

  /** Start a member (not yet joined to anyone). Its address is "<name>:7946". */
  addNode(name: string, meta: Uint8Array = new Uint8Array(0)): void {
    if (this.byName.has(name)) throw new Error(`simulated member "${name}" already exists`);
    const node: SimNode = {
      name, addr: `${name}:7946`, index: this.nodes.length, core: undefined as unknown as MembershipCore, epoch: 0,
      crashed: false, frozen: false, pending: [], scheduledAt: undefined, stats: emptyStats(),
      blockedTo: new Set(), lossTo: new Map(), meta,
    };
    node.core = this.newCore(node);
    this.nodes.push(node);
    this.byName.set(name, node);
    this.byAddr.set(node.addr, node);
    this.drive(node);
  }

  private newCore(node: SimNode): MembershipCore {
    return new MembershipCore({
      name: node.name, addr: node.addr, meta: node.meta, config: this.cfg, packetBudgetBytes: this.budget,
      nowMs: this.now, clockOffsetMs: (this.rng() * 2 - 1) * this.skewMs, rng: seededRng(Math.floor(this.rng() * 2 ** 32)),
    });
  }

  /** `name` joins through the given seed members. */
  join(name: string, seeds: readonly string[]): void {
    const node = this.node(name);
    node.core.join(this.now, seeds.map((s) => this.node(s).addr));
    this.drive(node);
  }

  /** Start `n` members named prefix0..prefix(n-1), each joining through the first, 20 ms apart. */
  startCluster(n: number, prefix = 'n'): string[] {
    const names = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    this.addNode(names[0]);
    names.slice(1).forEach((name, i) => {
      this.at(this.now + 20 * (i + 1), () => {
        this.addNode(name);
        this.join(name, [names[0]]);
      });
    });
    return names;
  }

  /** `name` publishes new metadata. */
  updateMeta(name: string, meta: Uint8Array): void {
    const node = this.node(name);
    node.meta = meta;
    node.core.updateMeta(this.now, meta);
    this.drive(node);
  }

  /** `name` leaves gracefully (keeps running until crashed or restarted). */
  leave(name: string): void {
    const node = this.node(name);
    node.core.leave(this.now);
    this.drive(node);
  }

  names(): string[] {
    return this.nodes.map((n) => n.name);
  }

  private node(name: string): SimNode {
    const n = this.byName.get(name);
    if (!n) throw new Error(`no simulated member "${name}"`);
    return n;
  }

  core(name: string): MembershipCore {
    return this.node(name).core;
  }

  isRunning(name: string): boolean {
    const n = this.node(name);
    return !n.crashed;
  }

  /** `observer`'s view of `subject`, if it has one. */
  view(observer: string, subject: string): MemberRecord | undefined {
    return this.node(observer).core.member(subject);
  }

  onEvent(listener: SimEventListener): void {
    this.listeners.push(listener);
  }

  stats(name: string): SimNodeStats {
    return this.node(name).stats;
  }

  resetStats(): void {
    for (const n of this.nodes) n.stats = emptyStats();
  }

  // ---------------------------------------------------------------- faults

  crash(name: string): void {
    const n = this.node(name);
    n.crashed = true;
    n.pending = [];
  }

  /** A fresh process with the same name and address (incarnation starts over); call join(). */
  restart(name: string, meta?: Uint8Array): void {
    const n = this.node(name);
    n.epoch++;
    n.crashed = false;
    n.frozen = false;
    n.pending = [];
    n.scheduledAt = undefined;
    if (meta) n.meta = meta;
    n.core = this.newCore(n);
    this.drive(n);
  }

  /** SIGSTOP for `durationMs`, then SIGCONT. */
  freeze(name: string, durationMs: number): void {
    const n = this.node(name);
    if (n.crashed || n.frozen) return;
    n.frozen = true;
    const epoch = n.epoch;
    this.at(this.now + durationMs, () => {
      if (n.epoch !== epoch || n.crashed) return;
      this.thaw(n);
    });
  }

  isFrozen(name: string): boolean {
    return this.node(name).frozen;
  }

  private thaw(n: SimNode): void {
    n.frozen = false;
    n.scheduledAt = undefined;
    n.core.tick(this.now); // timers run before the socket backlog is read, as in Node
    this.drive(n);
    const backlog = n.pending;
    n.pending = [];
    for (const fn of backlog) {
      fn();
      this.drive(n);
    }
  }

  /** Drop datagrams (and TCP) from every member of `from` to every member of `to`; both ways unless oneWay. */
  partition(from: readonly string[], to: readonly string[], oneWay = false): void {
    for (const a of from) {
      for (const b of to) {
        this.node(a).blockedTo.add(this.node(b).index);
        if (!oneWay) this.node(b).blockedTo.add(this.node(a).index);
      }
    }
  }

  heal(): void {
    for (const n of this.nodes) n.blockedTo.clear();
  }

  setLinkLoss(from: string, to: string, p: number): void {
    this.node(from).lossTo.set(this.node(to).index, p);
  }

  // ---------------------------------------------------------------- the event loop

  /** Run `fn` at virtual time `t`. */
  at(t: number, fn: () => void): void {
    this.heap.push({ t: Math.max(t, this.now), seq: this.seq++, run: fn });
  }

  runFor(ms: number): void {
    this.runUntilTime(this.now + ms);
  }

  runUntilTime(t: number): void {
    for (;;) {
      const e = this.heap.peek();
      if (!e || e.t > t) break;
      this.heap.pop();
      this.now = e.t;
      e.run();
    }
    this.now = t;
  }

  /** Run until `done()` holds (checked every checkEveryMs) or `maxMs` pass; returns the time taken or undefined. */
  runUntil(done: () => boolean, maxMs: number, checkEveryMs = 50): number | undefined {
    const start = this.now;
    while (this.now - start < maxMs) {
      if (done()) return this.now - start;
      this.runFor(checkEveryMs);
    }
    return done() ? this.now - start : undefined;
  }

  /** Every running member sees exactly the running members as alive. */
  converged(): boolean {
    const running = this.nodes.filter((n) => !n.crashed);
    for (const n of running) {
      for (const m of running) {
        const rec = n.core.member(m.name);
        if (!rec || rec.state !== 'alive') return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- plumbing

  private drive(n: SimNode): void {
    const outputs = n.core.takeOutputs();
    for (const o of outputs) this.handleOutput(n, o);
    this.reschedule(n);
  }

  private reschedule(n: SimNode): void {
    if (n.crashed || n.frozen) return;
    const t = Math.max(n.core.nextDeadlineMs(), this.now);
    if (n.scheduledAt === t || !Number.isFinite(t)) return;
    n.scheduledAt = t;
    const epoch = n.epoch;
    this.at(t, () => {
      if (n.epoch !== epoch || n.scheduledAt !== t || n.crashed || n.frozen) return;
      n.scheduledAt = undefined;
      n.core.tick(this.now);
      this.drive(n);
    });
  }

  private handleOutput(n: SimNode, o: CoreOutput): void {
    switch (o.kind) {
      case 'packet': return this.sendPacket(n, o.to, o.msgs);
      case 'stream': return this.startStream(n, o);
      case 'event':
        for (const l of this.listeners) l(this.now, n.name, o.event);
        return;
      case 'join-result': return;
    }
  }

  /** Deliver `fn` to `dst` now, or buffer it while frozen; nothing if it crashed or restarted. */
  private deliver(dst: SimNode, epoch: number, fn: () => void): void {
    if (dst.epoch !== epoch || dst.crashed) return;
    if (dst.frozen) {
      dst.pending.push(fn);
      return;
    }
    fn();
    this.drive(dst);
  }

  private oneWayMs(): number {
    const [lo, hi] = this.latency;
    return lo + this.rng() * (hi - lo);
  }

  private lossBetween(src: SimNode, dst: SimNode): number {
    return src.lossTo.get(dst.index) ?? this.loss;
  }

  private sendPacket(src: SimNode, to: string, msgs: Message[]): void {
    let payload = msgs;
    let bytes = this.overhead + bodySize(msgs);
    if (this.useWire) {
      const buf = this.wire.encodePacket(msgs);
      bytes = buf.length;
      const decoded = this.wire.decodePacket(buf);
      if (!decoded.ok) throw new Error(`simulated packet failed to decode: ${decoded.reason}`);
      payload = decoded.value;
    }
    src.stats.udpSent++;
    src.stats.udpBytesSent += bytes;
    src.stats.maxPacketBytes = Math.max(src.stats.maxPacketBytes, bytes);
    const dst = this.byAddr.get(to);
    if (!dst || src.blockedTo.has(dst.index) || this.rng() < this.lossBetween(src, dst)) return;
    const epoch = dst.epoch;
    const from = src.addr;
    this.at(this.now + this.oneWayMs(), () => this.deliver(dst, epoch, () => dst.core.receive(this.now, from, payload)));
  }

  /** Extra delay of a TCP transfer: each of `segments` may be lost and retransmitted. */
  private tcpPenaltyMs(src: SimNode, dst: SimNode, segments: number): number {
    let penalty = 0;
    const p = Math.max(this.lossBetween(src, dst), this.lossBetween(dst, src));
    for (let i = 0; i < segments; i++) {
      for (let rto = this.tcpRtoMs; this.rng() < p; rto *= 2) penalty += rto;
    }
    return penalty;
  }

  private roundTrip(req: StreamMessage): { req: StreamMessage; bytes: number } {
    if (!this.useWire) return { req, bytes: this.overhead + this.streamSize(req) };
    const buf = this.wire.encodeStream(req);
    const decoded = this.wire.decodeStream(buf);
    if (!decoded.ok) throw new Error(`simulated stream message failed to decode: ${decoded.reason}`);
    return { req: decoded.value, bytes: buf.length };
  }

  /** Stream message size; push-pull entry lists are shared by the core until they change. */
  private streamSize(m: StreamMessage): number {
    if (m.t !== MsgType.PushPull) return streamMessageSize(m);
    let size = this.entrySizes.get(m.entries);
    if (size === undefined) {
      size = streamMessageSize(m); // entries arrays belong to one member, so `from` is fixed too
      this.entrySizes.set(m.entries, size);
    }
    return size;
  }

  private startStream(src: SimNode, o: Extract<CoreOutput, { kind: 'stream' }>): void {
    const srcEpoch = src.epoch;
    let finished = false;
    const finish = (resp: StreamMessage | undefined) => {
      if (finished) return;
      finished = true;
      this.deliver(src, srcEpoch, () => src.core.streamDone(this.now, o.id, resp));
    };
    this.at(this.now + o.timeoutMs, () => finish(undefined));
    const sent = this.roundTrip(o.req);
    src.stats.streamsStarted++;
    src.stats.streamBytesSent += sent.bytes;
    const dst = this.byAddr.get(o.to);
    if (!dst || dst.crashed) {
      this.at(this.now + 2 * this.oneWayMs(), () => finish(undefined)); // connection refused
      return;
    }
    if (src.blockedTo.has(dst.index) || dst.blockedTo.has(src.index)) return; // SYN lost: time out
    const dstEpoch = dst.epoch;
    const connectAndSend = 3 * this.oneWayMs() + this.tcpPenaltyMs(src, dst, 2);
    this.at(this.now + connectAndSend, () => {
      if (dst.epoch !== dstEpoch || dst.crashed) {
        this.at(this.now + this.oneWayMs(), () => finish(undefined));
        return;
      }
      this.deliver(dst, dstEpoch, () => {
        const resp = this.roundTrip(dst.core.handleStream(this.now, src.addr, sent.req));
        dst.stats.streamBytesSent += resp.bytes;
        this.at(this.now + this.oneWayMs() + this.tcpPenaltyMs(dst, src, 1), () => finish(resp.req));
      });
    });
  }
}
