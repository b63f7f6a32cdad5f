// The runtime shell: runs the protocol core (core.ts) on real sockets (transport.ts) and real
// timers, and turns its outputs into datagrams, TCP exchanges, events and metrics.
//
// The shell owns time: it passes a monotonic clock (performance.now) to the core, plus the
// offset to wall time so that probe rounds line up across members (schedule.ts). After every
// input it drains the core's outputs and re-arms one timer for the core's next deadline.
// Malformed, foreign or unauthenticated packets are counted and dropped before the core sees
// them; nothing a peer sends can throw out of a socket handler.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { isIP } from 'node:net';
import type { Registry } from 'prom-client';
import { formatAddr } from './addr.js';
import { decodeMeta, encodeMeta, type MetaMap } from './codec.js';
import { validateProtocolConfig } from './config.js';
import { MembershipCore, type CoreOutput } from './core.js';
import type { MemberMeta, MembershipConfig } from './env.js';
import { JoinLoop, resolveSeeds, systemLookup, type Lookup } from './join.js';
import { gossipMetrics, type GossipMetrics } from './metrics.js';
import type { Message } from './messages.js';
import { NetTransport } from './transport.js';
import type { MemberEventType, MemberRecord, MemberState } from './types.js';
import { Wire } from './wire.js';
import { logger as makeLogger, type Logger } from '../log.js';
import { registry as nodeRegistry } from '../metrics/registry.js';

/** A member as the public API shows it. */
export interface MemberInfo {
  name: string;
  /** Gossip address "ip:port". */
  address: string;
  state: MemberState;
  incarnation: number;
  meta: MemberMeta;
}

export interface MembershipOptions {
  /** Export shoal_gossip_* metrics: true for the node's registry, or a registry of your own. */
  metrics?: boolean | Registry;
  logger?: Logger;
  /** DNS resolution of seed names (tests replace it). */
  lookup?: Lookup;
}

export type MemberListener = (member: MemberInfo) => void;

function toInfo(r: MemberRecord): MemberInfo {
  return { name: r.name, address: r.addr, state: r.state, incarnation: r.incarnation, meta: decodeMeta(r.meta) as MemberMeta };
}

export class Membership {
  private readonly emitter = new EventEmitter();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private closed = false;
  private meta: MemberMeta;
  private readonly pendingJoins = new Set<{ addrs: Set<string>; ok: boolean; resolve: (ok: boolean) => void }>();
  private readonly leaveWaiters = new Set<() => void>();
  private joinLoop: JoinLoop | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private detachMetrics: (() => void) | undefined;

  private constructor(
    private readonly config: MembershipConfig,
    private readonly core: MembershipCore,
    private readonly transport: NetTransport,
    private readonly wire: Wire,
    private readonly metrics: GossipMetrics | undefined,
    private readonly log: Logger,
  ) {
    this.meta = { ...config.meta };
    this.emitter.setMaxListeners(0);
  }

  /** Bind the sockets, start the protocol, and start joining in the background. */
  static async start(config: MembershipConfig, opts: MembershipOptions = {}): Promise<Membership> {
    const problems = validateProtocolConfig(config.protocol);
    if (problems.length > 0) throw new Error(`invalid gossip protocol config: ${problems.join('; ')}`);
    const log = (opts.logger ?? makeLogger('membership')).child({ member: config.nodeName });
    const registry = opts.metrics === true ? nodeRegistry : opts.metrics || undefined;
    const metrics = registry ? gossipMetrics(registry) : undefined;
    const wire = new Wire(config.clusterName, config.key, config.protocol.maxPacketBytes);
    const metaBytes = encodeMeta(config.meta as MetaMap);
    // The transport's handlers need the instance, which needs the bound port: tie the knot.
    let self: Membership | undefined;
    const transport = await NetTransport.listen({
      bindAddr: config.bindAddr, port: config.port, maxStreamBytes: wire.maxStreamBytes, tcpTimeoutMs: config.protocol.tcpTimeoutMs,
      onPacket: (from, buf) => self?.onPacket(from, buf),
      onStream: (from, frame) => self?.onStream(from, frame),
      onDrop: (reason) => metrics?.dropped(reason),
      log,
    });
    const now = performance.now();
    const core = new MembershipCore({
      name: config.nodeName, addr: formatAddr(config.advertiseAddr, transport.port), meta: metaBytes,
      config: config.protocol, packetBudgetBytes: wire.packetBudgetBytes, nowMs: now,
      clockOffsetMs: Date.now() - now, rng: Math.random, log, onProbeRtt: (ms) => metrics?.probeRtt(ms),
    });
    self = new Membership(config, core, transport, wire, metrics, log);
    self.startMetrics();
    self.pump();
    self.startJoining(opts.lookup ?? systemLookup);
    log.info('gossip started', { addr: core.member(config.nodeName)?.addr, profile: config.profile, cluster: config.clusterName, authenticated: config.key !== undefined, seeds: config.seeds });
    return self;
  }

  // ---------------------------------------------------------------- public API

  /** Every member we know of, ourselves included (dead and left ones until forgotten). */
  members(): MemberInfo[] {
    return this.core.members().map(toInfo);
  }

  self(): MemberInfo {
    return toInfo(this.core.member(this.config.nodeName) as MemberRecord);
  }

  member(name: string): MemberInfo | undefined {
    const r = this.core.member(name);
    return r && toInfo(r);
  }

  /** Gossip address peers use for us, "ip:port" (the bound port when configured as 0). */
  get address(): string {
    return formatAddr(this.config.advertiseAddr, this.transport.port);
  }

  on(event: MemberEventType, listener: MemberListener): this {
    this.emitter.on(event, listener);
    return this;
  }

  off(event: MemberEventType, listener: MemberListener): this {
    this.emitter.off(event, listener);
    return this;
  }

  /** Merge `partial` into our metadata and gossip it (undefined values remove keys). Throws if over 512 bytes. */
  updateMeta(partial: Partial<MemberMeta>): void {
    const next: MemberMeta = { ...this.meta, ...partial };
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    const bytes = encodeMeta(next as MetaMap);
    this.meta = next;
    this.core.updateMeta(performance.now(), bytes);
    this.pump();
  }

  /** Lifeguard health score: 0 healthy .. 7; our probe timers are stretched by score + 1. */
  healthScore(): number {
    return this.core.healthScore();
  }

  /** Resolves once a seed has answered or a peer has reached us. */
  joined(): Promise<void> {
    return this.joinLoop ? this.joinLoop.done : Promise.resolve();
  }

  /**
   * Leave gracefully: peers record us as "left" (not "dead"). Resolves when the announcement
   * has been sent its full number of times, or after timeoutMs. Call shutdown() afterwards.
   */
  async leave(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.joinLoop?.stop();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.core.leave(performance.now());
    this.pump();
    if (this.core.leaveDone()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiter = () => done();
      this.leaveWaiters.add(waiter);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
    this.leaveWaiters.clear();
  }

  /** Stop everything: timers, sockets, join attempts. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.joinLoop?.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.detachMetrics?.();
    for (const p of this.pendingJoins) p.resolve(false);
    this.pendingJoins.clear();
    for (const w of this.leaveWaiters) w();
    await this.transport.close();
    this.log.info('gossip stopped');
  }

  // ---------------------------------------------------------------- driving the core

  private now(): number {
    return performance.now();
  }

  /** Drain outputs, then re-arm the timer for the next deadline. */
  private pump(): void {
    if (this.closed) return;
    for (let outs = this.core.takeOutputs(); outs.length > 0; outs = this.core.takeOutputs()) {
      for (const o of outs) this.handle(o);
    }
    if (this.core.leaveDone()) for (const w of this.leaveWaiters) w();
    this.arm();
  }

  private arm(): void {
    const at = this.core.nextDeadlineMs();
    if (this.timerAt === at && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    if (!Number.isFinite(at)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.guard('timer', () => this.core.tick(this.now()));
    }, Math.max(0, Math.ceil(at - this.now())));
  }

  /** Run a core input; a bug must not take the process down with it. */
  private guard(what: string, fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (err) {
      this.log.error('gossip core failed while handling input', { input: what, err, stack: (err as Error)?.stack });
    }
    this.pump();
  }

  private handle(o: CoreOutput): void {
    switch (o.kind) {
      case 'packet': return this.sendPacket(o.to, o.msgs);
      case 'stream': return this.startStream(o);
      case 'event': return this.emit(o.event.type, o.event.member);
      case 'join-result': return this.joinResult(o.addr, o.ok);
    }
  }

  private sendPacket(to: string, msgs: Message[]): void {
    const buf = this.wire.encodePacket(msgs);
    this.metrics?.sentPacket(msgs, buf.length);
    this.transport.sendPacket(to, buf);
  }

  private startStream(o: Extract<CoreOutput, { kind: 'stream' }>): void {
    const payload = this.wire.encodeStream(o.req);
    this.metrics?.sentStream(o.req, payload.length + 4);
    this.transport.request(o.to, payload, o.timeoutMs).then(
      (buf) => {
        const decoded = this.wire.decodeStream(buf);
        if (!decoded.ok) {
          this.metrics?.dropped(decoded.reason);
          this.log.debug('dropped a TCP answer', { from: o.to, reason: decoded.reason });
          return undefined;
        }
        this.metrics?.receivedStream(decoded.value, buf.length + 4);
        return decoded.value;
      },
      (err) => {
        this.log.debug('TCP exchange failed', { to: o.to, err });
        return undefined;
      },
    ).then((resp) => this.guard('stream result', () => this.core.streamDone(this.now(), o.id, resp)));
  }

  private onPacket(from: string, buf: Buffer): void {
    if (this.closed) return;
    const decoded = this.wire.decodePacket(buf);
    if (!decoded.ok) {
      this.metrics?.dropped(decoded.reason);
      this.log.debug('dropped a datagram', { from, reason: decoded.reason, bytes: buf.length });
      return;
    }
    this.metrics?.receivedPacket(decoded.value, buf.length);
    this.guard('datagram', () => this.core.receive(this.now(), from, decoded.value));
  }

  private onStream(from: string, frame: Buffer): Buffer | undefined {
    if (this.closed) return undefined;
    const decoded = this.wire.decodeStream(frame);
    if (!decoded.ok) {
      this.metrics?.dropped(decoded.reason);
      this.log.debug('dropped a TCP request', { from, reason: decoded.reason, bytes: frame.length });
      return undefined;
    }
    this.metrics?.receivedStream(decoded.value, frame.length + 4);
    let reply: Buffer | undefined;
    this.guard('TCP request', () => {
      const resp = this.core.handleStream(this.now(), from, decoded.value);
      reply = this.wire.encodeStream(resp);
      this.metrics?.sentStream(resp, reply.length + 4);
    });
    return reply;
  }

  private emit(type: MemberEventType, rec: MemberRecord): void {
    const info = toInfo(rec);
    for (const listener of this.emitter.listeners(type) as MemberListener[]) {
      try {
        listener(info);
      } catch (err) {
        this.log.error('membership event listener threw', { event: type, member: rec.name, err });
      }
    }
    if (type === 'join' || type === 'alive') this.log.info(`member ${type === 'join' ? 'joined' : 'refuted suspicion'}`, { other: rec.name, addr: rec.addr, incarnation: rec.incarnation });
    else if (type !== 'update') this.log[type === 'dead' ? 'warn' : 'info'](`member ${type}`, { other: rec.name, incarnation: rec.incarnation });
  }

  // ---------------------------------------------------------------- joining and metrics

  private startJoining(lookup: Lookup): void {
    if (this.config.seeds.length === 0) return;
    const family = isIP(this.config.bindAddr) === 6 ? 6 : 4;
    const resolve = async () => (await resolveSeeds(this.config.seeds, this.config.port || this.transport.port, lookup, family, this.log)).filter((a) => a !== this.address);
    this.joinLoop = new JoinLoop({
      resolve,
      attempt: (addrs) => this.attemptJoin(addrs),
      joined: () => this.core.members().some((m) => m.name !== this.config.nodeName && m.state === 'alive'),
      initialBackoffMs: this.config.joinRetryInitialMs,
      maxBackoffMs: this.config.joinRetryMaxMs,
      log: this.log,
    });
    this.joinLoop.start();
    void this.joinLoop.done.then(() => this.startSeedSweep(resolve));
  }

  /** See MembershipConfig.seedSweepIntervalMs. */
  private startSeedSweep(resolve: () => Promise<string[]>): void {
    if (this.closed || this.config.seedSweepIntervalMs <= 0) return;
    this.sweepTimer = setInterval(() => {
      void resolve().then((addrs) => {
        const known = new Set(this.core.members().filter((m) => m.state === 'alive').map((m) => m.addr));
        const strangers = addrs.filter((a) => !known.has(a));
        if (strangers.length === 0 || this.closed) return;
        this.log.debug('seed addresses outside our live view; exchanging state', { seeds: strangers });
        this.guard('seed sweep', () => this.core.join(this.now(), strangers));
      }).catch((err) => this.log.debug('seed sweep failed', { err }));
    }, this.config.seedSweepIntervalMs);
    this.sweepTimer.unref();
  }

  private attemptJoin(addrs: string[]): Promise<boolean> {
    if (addrs.length === 0 || this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.pendingJoins.add({ addrs: new Set(addrs), ok: false, resolve });
      this.core.join(this.now(), addrs);
      this.pump();
    });
  }

  private joinResult(addr: string, ok: boolean): void {
    for (const p of this.pendingJoins) {
      if (!p.addrs.delete(addr)) continue;
      p.ok ||= ok;
      // Done at the first success, or when every seed has failed.
      if (ok || p.addrs.size === 0) {
        this.pendingJoins.delete(p);
        p.resolve(p.ok);
      }
    }
  }

  private startMetrics(): void {
    if (!this.metrics) return;
    this.detachMetrics = this.metrics.attach({
      countByState: () => {
        const counts: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 };
        for (const m of this.core.members()) counts[m.state]++;
        return counts;
      },
      healthScore: () => this.core.healthScore(),
      stats: () => this.core.stats,
    });
  }
}
