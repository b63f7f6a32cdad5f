// Simulation scenarios behind the "Must show" figures, shared by the tests (few seeds) and
// bench/membership.bench.ts (N = 50, 100 seeds each). Each runs one seeded simulation and
// returns what it measured; callers aggregate and assert.
import { encodeMeta } from '../../node/src/membership/codec.js';
import type { ProtocolConfig } from '../../node/src/membership/config.js';
import { seededRng } from '../../node/src/membership/rng.js';
import { Simulation } from '../../node/src/membership/sim.js';

export interface ScenarioOptions {
  seed: number;
  n: number;
  config: ProtocolConfig;
  loss?: number;
  /** Run every message through the real encoder, authenticated with this key. */
  wire?: boolean;
  key?: string;
}

/** A converged cluster of `n` members (prefix "n"), settled for `settleMs` more. */
export function convergedCluster(o: ScenarioOptions, settleMs = 5_000): { sim: Simulation; names: string[] } {
  const sim = new Simulation({ seed: o.seed, config: o.config, loss: o.loss ?? 0, wire: o.wire, key: o.key });
  const names = sim.startCluster(o.n);
  sim.runFor(20 * o.n + 100);
  const took = sim.runUntil(() => sim.converged(), 120_000, 100);
  if (took === undefined) throw new Error(`seed ${o.seed}: ${o.n} members did not converge within 120 s`);
  sim.runFor(settleMs);
  return { sim, names };
}

export interface CrashResult {
  /** From the crash until the first member declares it dead. */
  firstMs: number;
  /** From the crash until every live member has (undefined: some never did within 60 s). */
  allMs: number | undefined;
}

/** Crash one member at a random moment; when do the others declare it dead? */
export function crashDetection(o: ScenarioOptions): CrashResult {
  const { sim, names } = convergedCluster(o);
  const rng = seededRng(o.seed ^ 0x5eed);
  sim.runFor(rng() * 3_000);
  const victim = names[1 + Math.floor(rng() * (names.length - 1))];
  const seen = new Map<string, number>();
  sim.onEvent((t, observer, ev) => {
    if (ev.member.name === victim && ev.type === 'dead' && !seen.has(observer)) seen.set(observer, t);
  });
  const crashedAt = sim.now;
  sim.crash(victim);
  const observers = names.length - 1;
  sim.runUntil(() => seen.size >= observers, 60_000, 100);
  const times = [...seen.values()].map((t) => t - crashedAt).sort((a, b) => a - b);
  return { firstMs: times[0] ?? Infinity, allMs: seen.size >= observers ? times[times.length - 1] : undefined };
}

/** A join (kind 'join') or a metadata update ('meta'): when does every other member know? */
export function dissemination(o: ScenarioOptions & { kind: 'join' | 'meta' }): number | undefined {
  const { sim, names } = convergedCluster({ ...o, n: o.kind === 'join' ? o.n - 1 : o.n });
  const rng = seededRng(o.seed ^ 0xd155);
  sim.runFor(rng() * 3_000);
  const others = o.kind === 'join' ? names : names.filter((_, i) => i !== 0);
  const subject = o.kind === 'join' ? `j${o.seed}` : names[0];
  const known = new Set<string>();
  const wanted = o.kind === 'join' ? 'join' : 'update';
  sim.onEvent((_t, observer, ev) => {
    if (ev.member.name === subject && ev.type === wanted && observer !== subject) known.add(observer);
  });
  const start = sim.now;
  if (o.kind === 'join') {
    sim.addNode(subject, encodeMeta({ version: '1' }));
    sim.join(subject, [names[Math.floor(rng() * names.length)]]);
  } else {
    sim.updateMeta(subject, encodeMeta({ version: '2', zone: 'b' }));
  }
  const took = sim.runUntil(() => others.every((n) => known.has(n)), 30_000, 10);
  return took === undefined ? undefined : sim.now - start;
}

export interface SoakResult {
  /** Healthy members declared dead by anyone (the figure that must be 0). */
  falseDeaths: number;
  /** Suspicions raised by probers (allowed; each must be refuted). */
  suspicions: number;
  refutations: number;
  /** Freeze bursts applied. */
  freezes: number;
}

/**
 * Run a converged cluster for `durationMs` with random loss and, optionally, one member frozen
 * (SIGSTOP) in bursts of 1-5 s separated by 2-10 s of running. No member crashes, so every
 * "dead" is a false positive.
 */
export function soak(o: ScenarioOptions & { durationMs: number; freezeBursts?: boolean }): SoakResult {
  const { sim, names } = convergedCluster(o);
  let falseDeaths = 0;
  sim.onEvent((_t, _observer, ev) => {
    if (ev.type === 'dead') falseDeaths++;
  });
  const before = names.map((n) => ({ ...sim.core(n).stats }));
  const rng = seededRng(o.seed ^ 0xf2ee);
  const frozen = names[1 + Math.floor(rng() * (names.length - 1))];
  let freezes = 0;
  const end = sim.now + o.durationMs;
  if (o.freezeBursts) {
    const burst = (): void => {
      if (sim.now >= end) return;
      const freezeMs = 1_000 + rng() * 4_000;
      sim.freeze(frozen, freezeMs);
      freezes++;
      sim.at(sim.now + freezeMs + 2_000 + rng() * 8_000, burst);
    };
    sim.at(sim.now + rng() * 5_000, burst);
  }
  sim.runUntilTime(end);
  let suspicions = 0;
  let refutations = 0;
  names.forEach((n, i) => {
    suspicions += sim.core(n).stats.suspicionsRaised - before[i].suspicionsRaised;
    refutations += sim.core(n).stats.refutations - before[i].refutations;
  });
  return { falseDeaths, suspicions, refutations, freezes };
}

/**
 * Split the cluster into two halves for `partitionMs` (long enough for each side to declare the
 * other dead), heal, and measure until every member sees every member alive.
 */
export function partitionHeal(o: ScenarioOptions & { partitionMs: number }): { healMs: number | undefined; deadDuringSplit: boolean } {
  const { sim, names } = convergedCluster(o);
  const half = Math.floor(names.length / 2);
  const a = names.slice(0, half);
  const b = names.slice(half);
  sim.partition(a, b);
  sim.runFor(o.partitionMs);
  const deadDuringSplit = a.every((x) => b.every((y) => sim.view(x, y)?.state === 'dead'));
  sim.heal();
  const healMs = sim.runUntil(() => sim.converged(), 60_000, 10);
  return { healMs, deadDuringSplit };
}

export interface IdleResult {
  /** UDP datagrams sent per member per second. */
  udpPerMemberPerSec: number;
  maxPacketBytes: number;
  udpBytesPerMemberPerSec: number;
  /** TCP exchanges started per member per second (push-pull). */
  syncsPerMemberPerSec: number;
}

/** A converged, healthy cluster doing nothing for `durationMs`: what does it cost? */
export function idleCost(o: ScenarioOptions & { durationMs: number }): IdleResult {
  const { sim, names } = convergedCluster(o, 10_000);
  sim.resetStats();
  sim.runFor(o.durationMs);
  let udp = 0;
  let bytes = 0;
  let max = 0;
  let syncs = 0;
  for (const n of names) {
    const s = sim.stats(n);
    udp += s.udpSent;
    bytes += s.udpBytesSent;
    max = Math.max(max, s.maxPacketBytes);
    syncs += s.streamsStarted;
  }
  const perSec = (x: number) => x / names.length / (o.durationMs / 1000);
  return { udpPerMemberPerSec: perSec(udp), maxPacketBytes: max, udpBytesPerMemberPerSec: perSec(bytes), syncsPerMemberPerSec: perSec(syncs) };
}

/** p-th percentile (0-100) of `xs`, nearest rank; Infinity stands for "never". */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
