// Protocol timers and limits, the formulas derived from them, and the named profiles.
//
// Every field says what it trades. The formulas follow memberlist (facts, not code): note that
// memberlist's "log" is log10, and so is ours. N below is the number of live members (alive or
// suspect, self included) in the local view.

/** Timers and limits of the gossip protocol. All durations are milliseconds. */
export interface ProtocolConfig {
  /**
   * Period of the failure detector: each member probes one other member per interval. Failure
   * detection time and idle cost both scale with it; at idle each member sends one ping and
   * answers one ping per interval (2 UDP datagrams/s at 1000 ms). Lifeguard multiplies it by
   * (health score + 1) on a member that doubts its own health.
   */
  probeIntervalMs: number;
  /**
   * How long to wait for a direct ack before asking `indirectChecks` helpers and trying TCP.
   * Should exceed the network's p99 round trip plus scheduling noise; shorter means more
   * indirect probes (more packets), longer means slower detection. Scaled by health too.
   */
  probeTimeoutMs: number;
  /**
   * Helpers asked to ping a target that missed its direct ack (SWIM's k). A failed probe costs
   * at most 4k+2 datagrams; more helpers make a lossy path less likely to cause a suspicion.
   */
  indirectChecks: number;
  /**
   * Also ping over TCP when the UDP ping times out. A target reached only over TCP is not
   * suspected (memberlist does the same): random UDP loss alone then almost never suspects.
   */
  tcpFallbackPing: boolean;
  /**
   * Minimum suspicion timeout = suspicionMult * max(1, log10(N)) * probeIntervalMs
   * (6.8 s for LAN at N=50). A suspect has this long at least to refute. Larger tolerates
   * longer pauses and loss bursts; smaller detects crashes sooner.
   */
  suspicionMult: number;
  /**
   * Lifeguard: a suspicion timer starts at suspicionMaxTimeoutMult * minimum and shrinks
   * logarithmically to the minimum as independent confirmations arrive. Larger makes a lone,
   * unconfirmed accuser (maybe itself unhealthy) harmless for longer.
   */
  suspicionMaxTimeoutMult: number;
  /**
   * Independent confirmations (k) after which the suspicion timeout reaches its minimum;
   * memberlist uses suspicionMult - 2. Treated as 0 (timeout = minimum) when N - 2 < k.
   */
  suspicionConfirmations: number;
  /**
   * Lifeguard's local health: the score ranges over 0..awarenessMaxMultiplier-1 and probe
   * interval and timeout are multiplied by (score + 1). A larger cap lets a starved member
   * back off further (fewer false accusations) at the cost of slower detection by it.
   */
  awarenessMaxMultiplier: number;
  /**
   * Each queued update is sent retransmitMult * ceil(log10(N + 1)) times by every member that
   * learns it (8 at N=50 with 4). More retransmits reach every member more surely at the cost
   * of bytes while updates are in flight; idle cost is unaffected.
   */
  retransmitMult: number;
  /**
   * Gossip period: while updates are queued, send them to `gossipNodes` random members this
   * often (nothing is sent when the queue is empty). Shorter spreads faster, costs packets.
   */
  gossipIntervalMs: number;
  /** Fan-out of each gossip round (memberlist: 3). */
  gossipNodes: number;
  /**
   * Dead (not left) members still receive gossip for this long so that a falsely declared
   * member hears about it and refutes.
   */
  gossipToTheDeadMs: number;
  /**
   * Periodic full-state exchange over TCP with one random live member (anti-entropy). Scaled
   * up above 128 members (see pushPullIntervalFor). memberlist uses 30-60 s and misses 1-3 %
   * of updates until then; a few seconds bounds how long a missed update stays missed.
   * Costs one TCP exchange of about 100 bytes per member per interval.
   */
  pushPullIntervalMs: number;
  /**
   * Every interval, exchange state with one random dead member (Serf's "reconnect"): how a
   * healed partition is noticed. Costs one TCP connect per interval while dead members exist.
   */
  reconnectIntervalMs: number;
  /**
   * Minimum gap between two on-demand exchanges with the same member (digest mismatch,
   * verification of a contradiction); bounds the TCP load while views differ.
   */
  syncCooldownMs: number;
  /** On-demand and periodic exchanges in flight at once, per member. */
  maxConcurrentSyncs: number;
  /** Connect + request + response budget of one TCP exchange. */
  tcpTimeoutMs: number;
  /**
   * Dead and left members stay listed (and reconnect candidates, for dead ones) this long,
   * then are forgotten. Longer keeps them visible as UNAVAILABLE; it costs a few bytes each in
   * every push-pull.
   */
  deadRetentionMs: number;
  /** Largest UDP datagram, envelope included; memberlist's UDPBufferSize. */
  maxPacketBytes: number;
}

/** Profile names accepted by SHOAL_GOSSIP_PROFILE. */
export type ProfileName = 'lan' | 'fast';

/**
 * memberlist's DefaultLANConfig timers (probe 1 s, timeout 500 ms, suspicion mult 4, max mult 6,
 * gossip 200 ms to 3, retransmit mult 4), with push-pull every 5 s instead of 30-60 s.
 */
export const LAN: Readonly<ProtocolConfig> = Object.freeze({
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  tcpFallbackPing: true,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  suspicionConfirmations: 2,
  awarenessMaxMultiplier: 8,
  retransmitMult: 4,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  gossipToTheDeadMs: 30_000,
  pushPullIntervalMs: 5_000,
  reconnectIntervalMs: 2_000,
  syncCooldownMs: 1_000,
  maxConcurrentSyncs: 4,
  tcpTimeoutMs: 3_000,
  deadRetentionMs: 5 * 60_000,
  maxPacketBytes: 1400,
});

/**
 * For local mode and tests: timers 4x faster than LAN, but a suspicion minimum of 4 s
 * (16 * 250 ms) so that a process paused for 3 s (SIGSTOP, a GC pause, a starved CPU) still
 * refutes before it is declared dead. Crash detection bound for a handful of members: about
 * 5 s (crashDetectionBoundMs).
 */
export const FAST: Readonly<ProtocolConfig> = Object.freeze({
  probeIntervalMs: 250,
  probeTimeoutMs: 150,
  indirectChecks: 3,
  tcpFallbackPing: true,
  suspicionMult: 16,
  suspicionMaxTimeoutMult: 3,
  suspicionConfirmations: 2,
  awarenessMaxMultiplier: 8,
  retransmitMult: 4,
  gossipIntervalMs: 50,
  gossipNodes: 3,
  gossipToTheDeadMs: 10_000,
  pushPullIntervalMs: 2_000,
  reconnectIntervalMs: 500,
  syncCooldownMs: 250,
  maxConcurrentSyncs: 4,
  tcpTimeoutMs: 1_000,
  deadRetentionMs: 60_000,
  maxPacketBytes: 1400,
});

export const PROFILES: Readonly<Record<ProfileName, Readonly<ProtocolConfig>>> = { lan: LAN, fast: FAST };

/** Minimum suspicion timeout: suspicionMult * max(1, log10(N)) * probeIntervalMs. */
export function suspicionMinMs(cfg: ProtocolConfig, n: number): number {
  const scale = Math.max(1, Math.log10(Math.max(1, n)));
  return Math.round(cfg.suspicionMult * scale * cfg.probeIntervalMs);
}

/** Maximum (starting) suspicion timeout: suspicionMaxTimeoutMult * minimum. */
export function suspicionMaxMs(cfg: ProtocolConfig, n: number): number {
  return cfg.suspicionMaxTimeoutMult * suspicionMinMs(cfg, n);
}

/** Confirmations needed to reach the minimum: k, or 0 when fewer than k members could confirm. */
export function suspicionK(cfg: ProtocolConfig, n: number): number {
  return n - 2 < cfg.suspicionConfirmations ? 0 : cfg.suspicionConfirmations;
}

/** Transmissions of each update per member: retransmitMult * ceil(log10(N + 1)). */
export function retransmitLimit(cfg: ProtocolConfig, n: number): number {
  return cfg.retransmitMult * Math.ceil(Math.log10(n + 1));
}

/**
 * Push-pull period for N members: the configured interval up to 128 members, then multiplied
 * by ceil(log2(N) - 7) + 1 (x2 at 256, x3 at 512), so that the cluster-wide TCP load (N
 * exchanges of N entries per interval) grows as N^2 / log N rather than N^2.
 */
export function pushPullIntervalFor(cfg: ProtocolConfig, n: number): number {
  if (n <= 128) return cfg.pushPullIntervalMs;
  return cfg.pushPullIntervalMs * (Math.ceil(Math.log2(n) - 7) + 1);
}

/**
 * Upper bound on the time from a crash until every live member has declared it dead, on a
 * healthy network: the crashed member is probed within one interval (every member is probed
 * once per interval, see schedule.ts), the probe fails one interval later, confirmations
 * arrive once per interval so the suspicion runs its minimum, then the dead message spreads
 * (allowed one more interval, or 4 gossip rounds if longer).
 */
export function crashDetectionBoundMs(cfg: ProtocolConfig, n: number): number {
  const spread = Math.max(cfg.probeIntervalMs, 4 * cfg.gossipIntervalMs);
  return 2 * cfg.probeIntervalMs + suspicionMinMs(cfg, n) + spread;
}

/** Check a config for values the protocol cannot work with; returns the problems found. */
export function validateProtocolConfig(cfg: ProtocolConfig): string[] {
  const problems: string[] = [];
  const positive: (keyof ProtocolConfig)[] = [
    'probeIntervalMs', 'probeTimeoutMs', 'suspicionMult', 'suspicionMaxTimeoutMult',
    'awarenessMaxMultiplier', 'retransmitMult', 'gossipIntervalMs', 'gossipNodes',
    'pushPullIntervalMs', 'reconnectIntervalMs', 'maxConcurrentSyncs', 'tcpTimeoutMs', 'maxPacketBytes',
  ];
  for (const key of positive) {
    const v = cfg[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`${key} must be a positive number, got ${String(v)}`);
  }
  if (cfg.probeTimeoutMs >= cfg.probeIntervalMs) problems.push('probeTimeoutMs must be shorter than probeIntervalMs');
  if (cfg.suspicionMaxTimeoutMult < 1) problems.push('suspicionMaxTimeoutMult must be at least 1');
  if (cfg.maxPacketBytes < 576 || cfg.maxPacketBytes > 65000) problems.push('maxPacketBytes must be within 576-65000');
  return problems;
}
